"""Art. 5: names (standard Chinese characters for citizens; document characters or Latin for others) and the
photo (may be empty under 7)."""

from __future__ import annotations

from datetime import date

import pytest

from outreach.domain import CardApply, DocType, check_name, decide
from outreach.domain.names import normalize_name
from tests.support.domain import citizen, ctx, doc, form, state


@pytest.mark.parametrize(
    "name",
    [
        "王小明",
        "买买提·艾力",
        "阿依古丽・买买提",  # katakana middle dot, normalised
        "欧阳𠀀",  # Extension B character
        "李〇",
        "𪚥𪚥",  # rare character, Extension B
    ],
)
def test_art_05_citizen_names_allowed(name):
    assert check_name(name, citizen=True) == []


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Wang Xiaoming", "name_not_chinese"),
        ("王小明2", "name_not_chinese"),
        ("王A明", "name_not_chinese"),
        ("王\u0000明", "name_control_characters"),
        ("王\u200b明", "name_control_characters"),
        ("王\n明", "name_control_characters"),
        ("", "name_empty"),
        ("   ", "name_empty"),
        ("王" * 51, "name_too_long"),
        ("·买买提", "name_dot_position"),
        ("买买提··艾力", "name_dot_position"),
    ],
)
def test_art_05_citizen_names_refused(name, code):
    problems = check_name(name, citizen=True)
    assert [p.code for p in problems] == [code]
    assert problems[0].article == "5"


@pytest.mark.parametrize("name", ["John Smith", "Anne-Marie O'Neil", "José Ramírez", "史密斯"])
def test_art_05_foreign_names_allowed(name):
    assert check_name(name, citizen=False) == []


@pytest.mark.parametrize("name", ["John 3", "史密斯John", "J0hn", "John\tSmith"])
def test_art_05_foreign_names_refused(name):
    assert check_name(name, citizen=False) != []


def test_art_05_middle_dot_variants_are_normalised():
    assert normalize_name("买买提 • 艾力") == "买买提·艾力"
    assert normalize_name("买买提．艾力") == "买买提·艾力"
    assert normalize_name("John.Smith") == "John.Smith"  # Latin names untouched


@pytest.mark.parametrize(
    ("birth", "photo", "accepted"),
    [
        (date(2020, 6, 2), None, True),  # 5 years old: no photo needed
        (date(2019, 6, 2), None, True),  # 6 the day before the 7th birthday
        (date(2019, 6, 1), None, False),  # 7th birthday today: photo required
        (date(1990, 1, 1), None, False),
        (date(1990, 1, 1), "photo-1", True),
    ],
)
def test_art_05_photo_required_from_age_7(birth, photo, accepted):
    from tests.support.domain import agent

    number = citizen(birth=birth.strftime("%Y%m%d"))
    doc_type = DocType.HOUSEHOLD_REGISTER if birth.year > 2010 else DocType.RESIDENT_ID
    f = form(birth_date=birth, document=doc(number, doc_type), photo_ref=photo, agent=agent())
    decision = decide(state(), CardApply(form=f), ctx())
    assert decision.accepted is accepted, decision.refusal
    if not accepted:
        assert decision.refusal.code == "photo_required"
        assert decision.refusal.article == "5"
