"""Art. 23: reissue on a key data change (name, document type, SSN) with evidence; non-key data changes are
plain ``person.update`` operations, not card events."""

from __future__ import annotations

import pytest

from outreach.domain import CardReissue, CardStatus, decide
from tests.support.domain import card, ctx, state


@pytest.mark.parametrize(
    ("event", "code"),
    [
        (CardReissue(changed=["name"], evidence="household_register"), None),
        (CardReissue(changed=["doc_type", "ss_number"], evidence="change_certificate"), None),
        (CardReissue(changed=["name"], evidence=None), "change_evidence_required"),
        (
            CardReissue(changed=["name"], evidence="change_certificate", document_checked=False),
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
            state(card(CardStatus.LOST)), CardReissue(changed=["name"], evidence="household_register"), ctx()
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
