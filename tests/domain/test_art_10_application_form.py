"""Art. 10 (and 45): the application form, its documents, and the guardian/agent under 16."""

from __future__ import annotations

from datetime import date

import pytest

from outreach.domain import CardApply, DocType, Gender, IdentityDocument, check_form, decide
from tests.support.domain import TODAY, agent, citizen, ctx, doc, form, state


def codes(f):
    return [p.code for p in check_form(f, today=TODAY).problems]


def test_art_10_complete_adult_form_allowed():
    assert codes(form()) == []


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"birth_date": date(1990, 1, 2)}, "birth_date_mismatch"),
        ({"gender": Gender.FEMALE}, "gender_mismatch"),
        ({"ethnicity": "57"}, "ethnicity_code"),
        ({"mobile": "12800000000"}, "mobile_prefix"),
        ({"document": doc("460100199001010018")}, "check_digit"),
        (
            {
                "document": IdentityDocument(
                    doc_type=DocType.RESIDENT_ID, number=citizen(), valid_until=date(2026, 5, 31)
                )
            },
            "document_expired",
        ),
        ({"document": doc(doc_type=DocType.HOUSEHOLD_REGISTER)}, "household_register_over_16"),
        ({"lacks_full_capacity": True}, "guardian_required"),
    ],
)
def test_art_10_form_problems_refused(changes, code):
    assert code in codes(form(**changes))


def test_art_10_gender_unstated_is_not_a_mismatch():
    assert codes(form(gender=Gender.UNSTATED)) == []


@pytest.mark.parametrize(
    ("birth", "with_agent", "ok"),
    [
        (date(2010, 6, 2), False, False),  # 15 years old: guardian required
        (date(2010, 6, 2), True, True),
        (date(2010, 6, 1), False, True),  # 16th birthday today
    ],
)
def test_art_10_guardian_required_under_16(birth, with_agent, ok):
    number = citizen(birth=birth.strftime("%Y%m%d"))
    doc_type = DocType.HOUSEHOLD_REGISTER if with_agent or not ok else DocType.RESIDENT_ID
    f = form(birth_date=birth, document=doc(number, doc_type), agent=agent() if with_agent else None)
    decision = decide(state(), CardApply(form=f), ctx())
    assert decision.accepted is ok, decision.refusal
    if not ok:
        assert decision.refusal.code == "guardian_required"
        assert decision.refusal.article == "10"


def test_art_10_agent_documents_checked_too():
    minor_agent = agent(document=doc(citizen(birth="20150101")))
    problems = codes(form(agent=minor_agent))
    assert "agent_minor" in problems
    bad_agent = agent(document=doc("460100197005050130"))
    assert "check_digit" in codes(form(agent=bad_agent))


@pytest.mark.parametrize(
    ("number", "doc_type", "nationality", "name"),
    [
        ("82000019920202008X", DocType.HKMO_TW_RESIDENCE_PERMIT, "CHN", "陈美玲"),
        ("946840199001010018", DocType.FOREIGN_PERMANENT_RESIDENCE, "USA", "John Smith"),
        ("E12345678", DocType.PASSPORT, "CHN", "王小明"),
        ("H12345678", DocType.HKMO_TRAVEL_PERMIT, "CHN", "陈美玲"),
        ("12345678", DocType.TW_TRAVEL_PERMIT, "CHN", "林志强"),
    ],
)
def test_art_10_all_document_types_accepted(number, doc_type, nationality, name):
    from outreach.domain import check_identity

    check = check_identity(number, doc_type, today=TODAY)
    born = check.birth_date or date(1990, 1, 1)
    gender = check.gender or Gender.MALE
    ethnicity = "01" if nationality == "CHN" else None  # Art. 10: ethnicity for Chinese citizens only
    f = form(
        name=name, nationality=nationality, document=doc(number, doc_type), birth_date=born, gender=gender,
        ethnicity=ethnicity,
    )
    assert codes(f) == []


def test_art_10_refused_application_tells_all_reasons():
    decision = decide(state(), CardApply(form=form(photo_ref=None, mobile="123")), ctx())
    assert not decision.accepted
    assert "相片" in decision.refusal.message_zh
    assert "手机" in decision.refusal.message_zh


def test_every_gb3304_ethnicity_has_a_name_and_the_codes_are_exactly_those():
    from outreach.domain.enums import ETHNICITY_CODES, ETHNICITY_NAMES

    assert {f"{i:02d}" for i in range(1, 57)} | {"97", "98", "99"} == ETHNICITY_CODES
    assert ETHNICITY_NAMES["19"][0] == "黎族"  # the largest minority in Hainan
    assert ETHNICITY_NAMES["06"][0] == "苗族"
    assert len({zh for zh, _ in ETHNICITY_NAMES.values()}) == len(ETHNICITY_NAMES)
