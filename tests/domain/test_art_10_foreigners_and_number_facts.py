"""Art. 5, 10: ethnicity for Chinese citizens only, the country/region from ISO 3166 with Chinese names, an
English name where there is no Chinese name; birth date, gender and region filled from a valid number."""

from __future__ import annotations

from datetime import date

import pytest

from outreach.domain import DocType, Gender, IdentityDocument, check_form
from outreach.domain.countries import COUNTRIES, country_choices, country_name
from outreach.domain.person_data import area_code_for, facts_from_number
from tests.support.domain import TODAY, citizen, doc, form

PASSPORT = IdentityDocument(doc_type=DocType.PASSPORT, number="E12345678")


def problems(f):
    return [p.code for p in check_form(f, today=TODAY).problems]


def test_art_10_a_foreigner_has_no_ethnicity_and_an_english_name():
    smith = form(name="JOHN SMITH", nationality="USA", ethnicity=None, document=PASSPORT)
    assert problems(smith) == []
    assert "ethnicity_for_citizens" in problems(smith.model_copy(update={"ethnicity": "01"}))  # not 汉族


def test_art_10_a_chinese_citizen_must_give_an_ethnicity():
    assert "ethnicity_required" in problems(form(ethnicity=None))
    assert problems(form(ethnicity="19")) == []  # 黎族


def test_art_10_hong_kong_residents_are_citizens_and_may_omit_ethnicity():
    permit = IdentityDocument(doc_type=DocType.HKMO_TRAVEL_PERMIT, number="H12345678")
    assert problems(form(name="陈美玲", nationality="HKG", ethnicity=None, document=permit)) == []


def test_art_10_country_from_iso_3166_with_chinese_names():
    assert len(COUNTRIES) == 249
    assert country_name("USA") == ("美国", "United States")
    assert country_name("TWN")[0] == "中国台湾"
    assert country_name("XXX") is None
    assert country_choices()[0] == ("CHN", "中国 / China")
    assert "nationality_unknown" in problems(form(nationality="XXX", ethnicity=None, name="JOHN SMITH"))


def test_art_05_a_citizen_still_needs_chinese_characters():
    assert "name_not_chinese" in problems(form(name="WANG XIAOMING"))


def test_art_10_birth_date_gender_and_region_from_a_valid_number():
    facts = facts_from_number(citizen(region="469027", birth="19500312", seq="012"), today=TODAY)
    assert facts.birth_date == date(1950, 3, 12)
    assert facts.gender is Gender.FEMALE  # 17th digit 2: even
    assert facts.region_code == "469027"
    assert facts.region_name == "海南省乐东黎族自治县"
    assert facts_from_number("460100199001010018", today=TODAY) is None  # wrong check digit: nothing filled
    assert facts_from_number("E12345678", DocType.PASSPORT, today=TODAY) is None


@pytest.mark.parametrize(
    ("number", "area"),
    [
        (citizen(region="469027"), "469027"),  # 乐东: the county of the number, not the province
        (citizen(region="460100"), "460100"),
        (citizen(region="110101"), "460000"),  # born in Beijing, served in Hainan: the worker's area
    ],
)
def test_art_10_a_new_person_is_filed_under_the_region_of_their_number(number, area):
    assert area_code_for(doc(number), today=TODAY) == area
    assert area_code_for(PASSPORT, today=TODAY, fallback="460200") == "460200"
