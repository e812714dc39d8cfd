"""Art. 5: the social security number is the 18-digit citizen number for holders of a resident ID, household
register or residence permit; for others it follows unpublished national rules (checked leniently)."""

from __future__ import annotations

from datetime import date

import pytest

from outreach.domain import DocType, Person, check_person
from outreach.domain.forms import check_ss_number
from tests.support.domain import TODAY, citizen, doc


@pytest.mark.parametrize(
    ("ss", "document", "valid", "warning"),
    [
        (citizen(), doc(), True, None),
        (citizen().lower(), doc(), True, None),
        (citizen(seq="003"), doc(), False, None),
        ("82000019920202008X", doc("82000019920202008X", DocType.HKMO_TW_RESIDENCE_PERMIT), True, None),
        ("USA460090010112XX", doc("E1234567", DocType.PASSPORT), True, "ss_number_unverified"),
        ("946840199001010018", doc("946840199001010018", DocType.FOREIGN_PERMANENT_RESIDENCE), True, None),
        ("946840199001010019", doc("P1234567", DocType.PASSPORT), False, None),
    ],
)
def test_art_05_ss_number(ss, document, valid, warning):
    result = check_ss_number(ss, document, today=TODAY)
    assert result.valid is valid
    assert [w.code for w in result.warnings] == ([warning] if warning else [])


def test_art_05_check_person_includes_ss_number():
    base = {
        "name": "王小明",
        "gender": "1",
        "ethnicity": "01",
        "birth_date": date(1990, 1, 1),
        "document": doc(),
        "photo_ref": "p",
    }
    assert check_person(Person(**base, ss_number=citizen()), today=TODAY).valid
    wrong = check_person(Person(**base, ss_number=citizen(seq="003")), today=TODAY)
    assert [p.code for p in wrong.problems] == ["ss_number_mismatch"]
