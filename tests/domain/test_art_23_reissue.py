"""Art. 23: reissue on a key data change (name, document type, SSN) with evidence; non-key data changes are
plain ``person.update`` operations, not card events."""

from __future__ import annotations

import pytest

from outreach.domain import CardReissue, CardStatus, decide
from tests.support.domain import TODAY, card, citizen, ctx, doc, state


@pytest.mark.parametrize(
    ("event", "code"),
    [
        (CardReissue(changed=["name"], new_name="王晓明", evidence="household_register"), None),
        (
            CardReissue(
                changed=["doc_type", "ss_number"],
                evidence="change_certificate",
                new_document=doc(citizen(seq="023")),
            ),
            None,
        ),
        (CardReissue(changed=["name"], new_name="王晓明", evidence=None), "change_evidence_required"),
        (
            CardReissue(
                changed=["name"], new_name="王晓明", evidence="change_certificate", document_checked=False
            ),
            "document_not_checked",
        ),
    ],
)
def test_art_23_reissue_needs_evidence(event, code):
    decision = decide(state(card()), event, ctx())
    if code is None:
        assert decision.accepted
        assert decision.state.cards[-1].reason == "reissue"
        assert decision.fee.charged
    else:
        assert decision.refusal.code == code
        assert decision.refusal.article == "23"


def test_art_23_only_key_fields_are_reissue_reasons():
    with pytest.raises(ValueError, match="changed"):
        CardReissue(changed=["address"], evidence="change_certificate")
    with pytest.raises(ValueError, match="changed"):
        CardReissue(changed=[], evidence="change_certificate")


def test_art_23_lost_card_cannot_be_reissued():
    assert (
        decide(
            state(card(CardStatus.LOST)),
            CardReissue(changed=["name"], new_name="王晓明", evidence="household_register"),
            ctx(),
        ).refusal.code
        == "card_lost_use_replace"
    )


def _person(**kw):
    from datetime import date

    from outreach.domain import Person
    from tests.support.domain import doc

    data = {
        "person_id": "p",
        "name": "王小明",
        "gender": "1",
        "ethnicity": "01",
        "birth_date": date(1990, 1, 1),
        "document": doc(),
    }
    data.update(kw)
    return Person(**data)


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"address": "海口市美兰区"}, []),
        ({"mobile": "13900000000"}, []),
        ({"name": "王晓明"}, ["name"]),
        ({"ss_number": "460100199001010027"}, ["ss_number"]),
    ],
)
def test_art_23_key_and_non_key_changes(changes, key):
    from outreach.domain.forms import key_data_changes

    before = _person()
    assert key_data_changes(before, before.model_copy(update=changes)) == key


def test_art_23_document_type_change_is_key():
    from outreach.domain import DocType
    from outreach.domain.forms import key_data_changes
    from tests.support.domain import doc

    before = _person(document=doc(doc_type=DocType.HOUSEHOLD_REGISTER))
    assert key_data_changes(before, _person()) == ["doc_type"]


@pytest.mark.parametrize(
    ("event", "code"),
    [
        (CardReissue(changed=["name"], evidence="change_certificate"), "new_name_required"),
        (CardReissue(changed=["name"], new_name="Wang 3", evidence="change_certificate"), "name_not_chinese"),
        (CardReissue(changed=["doc_type"], evidence="change_certificate"), "new_document_required"),
        (
            CardReissue(
                changed=["doc_type"], evidence="change_certificate", new_document=doc("460100199001010018")
            ),
            "check_digit",
        ),
        (CardReissue(changed=["ss_number"], evidence="change_certificate"), "new_ss_number_required"),
        (
            CardReissue(
                changed=["ss_number"], evidence="change_certificate", new_ss_number="460100199001010018"
            ),
            "check_digit",
        ),
        (
            CardReissue(
                changed=["ss_number"],
                evidence="change_certificate",
                new_document=doc(citizen(seq="023")),
                new_ss_number=citizen(seq="033"),
            ),
            "ss_number_mismatch",  # a citizen's SSN is their citizen number (Art. 5)
        ),
    ],
)
def test_art_23_reissue_records_and_checks_the_new_key_data(event, code):
    before = state(card())
    decision = decide(before, event, ctx())
    assert decision.refusal.code == code
    assert decision.state == before  # nothing saved, no fee


def test_art_23_the_new_key_data_becomes_the_persons_data():
    from outreach.domain.person_data import reissued_person

    person = _person(ss_number=None)
    renamed = CardReissue(changed=["name"], new_name=" 王晓明 ", evidence="household_register")
    assert decide(state(card()), renamed, ctx()).accepted
    assert reissued_person(person, renamed).name == "王晓明"
    new_doc = doc(citizen(seq="023"))
    renumbered = CardReissue(changed=["ss_number"], new_document=new_doc, evidence="change_certificate")
    assert decide(state(card()), renumbered, ctx()).accepted
    after = reissued_person(person, renumbered)
    assert after.document == new_doc
    assert after.name == person.name
    assert reissued_person(person, CardReissue(changed=["name"], evidence="household_register")) == person
    assert TODAY  # the checks count ages and birth dates on the rule day
