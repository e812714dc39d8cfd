"""Identity-document numbers (Art. 10 documents; GB 11643 MOD 11-2), with synthetic numbers only."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outreach.domain import DocType, Gender, check_identity
from outreach.domain.identity import convert_15_to_18, mod11_2_check
from outreach.domain.regions import PROVINCES
from tests.support.domain import TODAY, citizen


def test_mod11_2_matches_the_reference_vectors():
    # sscard.md §7.1 vectors and the published weights, computed independently of stdnum here.
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    for body in ("46010019900101001", "46010019900101002", "11010519491231002", "82000019920202008"):
        expected = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
        assert mod11_2_check(body) == expected
    assert citizen() == "460100199001010019"


@pytest.mark.parametrize(
    ("number", "doc_type", "region", "name", "born", "gender"),
    [
        ("460100199001010019", DocType.RESIDENT_ID, "460100", "海南省海口市", date(1990, 1, 1), Gender.MALE),
        (
            "460100199001010027",
            DocType.RESIDENT_ID,
            "460100",
            "海南省海口市",
            date(1990, 1, 1),
            Gender.FEMALE,
        ),
        (
            citizen("469027", "19500101"),
            DocType.RESIDENT_ID,
            "469027",
            "海南省乐东黎族自治县",
            date(1950, 1, 1),
            Gender.MALE,
        ),
        (
            citizen("460003", "19300303"),
            DocType.RESIDENT_ID,
            "460003",
            "海南省儋州市",
            date(1930, 3, 3),
            Gender.MALE,
        ),
        (
            citizen("469030", "19400404"),
            DocType.RESIDENT_ID,
            "469030",
            "海南省琼中黎族苗族自治县",
            date(1940, 4, 4),
            Gender.MALE,
        ),
        (
            citizen("460000", "19881010"),
            DocType.RESIDENT_ID,
            "460000",
            "海南省",
            date(1988, 10, 10),
            Gender.MALE,
        ),
        (citizen("469099", "19700101"), DocType.RESIDENT_ID, "469099", None, date(1970, 1, 1), Gender.MALE),
        (
            citizen("110101", "19450815"),
            DocType.RESIDENT_ID,
            "110101",
            "北京市东城区",
            date(1945, 8, 15),
            Gender.MALE,
        ),
        (
            "82000019920202008X",
            DocType.HKMO_TW_RESIDENCE_PERMIT,
            "820000",
            "澳门特别行政区",
            date(1992, 2, 2),
            Gender.FEMALE,
        ),
        (
            citizen("810000", "19850505"),
            DocType.HKMO_TW_RESIDENCE_PERMIT,
            "810000",
            "香港特别行政区",
            date(1985, 5, 5),
            Gender.MALE,
        ),
        (
            citizen("830000", "19850505"),
            DocType.HKMO_TW_RESIDENCE_PERMIT,
            "830000",
            "台湾地区",
            date(1985, 5, 5),
            Gender.MALE,
        ),
    ],
)
def test_valid_numbers_say_what_they_encode(number, doc_type, region, name, born, gender):
    result = check_identity(number, today=TODAY)
    assert result.valid, result.problems
    assert result.doc_type is doc_type
    assert result.region_code == region
    assert result.region_name == name
    assert result.birth_date == born
    assert result.gender is gender


def test_stdnum_would_refuse_a_real_shaped_old_number_we_accept():
    from stdnum.cn import ric
    from stdnum.exceptions import ValidationError

    number = citizen("469027", "19500101")  # 乐东 code created 2002; holder born 1950
    with pytest.raises(ValidationError):
        ric.validate(number)
    assert check_identity(number, today=TODAY).valid


def test_lowercase_x_and_separators_normalised():
    result = check_identity(" 82000019920202008x ", today=TODAY)
    assert result.valid
    assert result.normalized == "82000019920202008X"
    assert check_identity("460100-1990-0101-0019", today=TODAY).normalized == "460100199001010019"


@pytest.mark.parametrize(
    ("number", "code", "zh", "en"),
    [
        ("460100199001010018", "check_digit", "校验位应为 9", "check digit should be 9"),
        (
            citizen(birth="19900230")[:17] + "0",
            "birth_date_invalid",
            "出生日期 1990-02-30 不存在",
            "birth date 1990-02-30 does not exist",
        ),
        (
            citizen(birth="20270101"),
            "birth_date_future",
            "出生日期 2027-01-01 在将来",
            "birth date 2027-01-01 is in the future",
        ),
        (citizen(birth="18000101"), "birth_date_too_old", "1800-01-01", "1800-01-01"),
        (citizen("190100"), "region_code", "地址码 190100", "region code 190100"),
        (citizen("990100"), "wrong_document_type", "外国人永久居留身份证", "permanent residence"),
        (citizen("000000"), "region_code", "000000", "000000"),
        ("46010019900101001", "length", "18 位", "18 characters"),
        ("46010019900101001A", "format", "校验码", "check character"),
        ("4601001990010100190", "length", "18 位", "18 characters"),
        ("460100\x00199001010019", "control_characters", "控制字符", "control characters"),
        ("4601001990\u200b01010019", "control_characters", "不可见", "control characters"),
        ("4" * 41, "too_long", "过长", "too long"),
        ("", "empty", "未填写", "no number"),
        ("!!!", "unrecognised", "无法识别", "unrecognised"),
    ],
)
def test_invalid_numbers_say_exactly_what_is_wrong(number, code, zh, en):
    doc_type = (
        None if code in ("empty", "unrecognised", "control_characters", "too_long") else DocType.RESIDENT_ID
    )
    result = check_identity(number, doc_type, today=TODAY)
    assert not result.valid
    found = [p for p in result.problems if p.code == code]
    assert found, result.problems
    assert zh in found[0].message_zh
    assert en in found[0].message_en


def test_birth_date_today_is_not_future():
    assert check_identity(citizen(birth="20260601"), today=TODAY).valid
    assert not check_identity(citizen(birth="20260602"), today=TODAY).valid


def test_fifteen_digit_old_number_converted():
    result = check_identity("460100900101001", today=TODAY)
    assert result.valid
    assert result.normalized == "460100199001010019"
    assert [w.code for w in result.warnings] == ["converted_from_15"]
    assert convert_15_to_18("460100900101001") == "460100199001010019"
    assert not check_identity("460100900230001", today=TODAY).valid


def test_household_register_uses_citizen_number():
    good = citizen(birth="20150101")
    assert check_identity(good, DocType.HOUSEHOLD_REGISTER, today=TODAY).valid
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    codes = [p.code for p in check_identity(wrong, DocType.HOUSEHOLD_REGISTER, today=TODAY).problems]
    assert codes == ["check_digit"]


@pytest.mark.parametrize(
    ("number", "doc_type", "valid"),
    [
        (citizen("810000"), DocType.RESIDENT_ID, False),  # a residence-permit number typed as a resident ID
        (citizen("460100"), DocType.HKMO_TW_RESIDENCE_PERMIT, False),
        (citizen("840000"), DocType.HKMO_TW_RESIDENCE_PERMIT, False),
    ],
)
def test_residence_permit_region_fixed(number, doc_type, valid):
    assert check_identity(number, doc_type, today=TODAY).valid is valid


@pytest.mark.parametrize(
    ("number", "valid", "warnings"),
    [
        ("946840199001010018", True, []),
        ("946840199001010019", False, []),
        ("946840199002300018"[:17] + mod11_2_check("94684019900230001"), True, ["birth_date_invalid"]),
        ("USA460090010112", True, ["check_digit_advisory"]),
        ("USA4600900101" + "1" + "x", False, []),
        ("US4600900101111", False, []),
    ],
)
def test_foreign_permanent_residence_both_formats(number, valid, warnings):
    result = check_identity(number, DocType.FOREIGN_PERMANENT_RESIDENCE, today=TODAY)
    assert result.valid is valid, result.problems
    if valid:
        assert [w.code for w in result.warnings] == warnings


def test_old_permanent_residence_advisory_check_passes_when_right():
    body = "USA46009001011"
    total = sum((ord(c) - 55 if c.isalpha() else int(c)) * (7, 3, 1)[i % 3] for i, c in enumerate(body))
    result = check_identity(body + str(total % 10), today=TODAY)
    assert result.doc_type is DocType.FOREIGN_PERMANENT_RESIDENCE
    assert result.valid
    assert result.warnings == []


@pytest.mark.parametrize(
    ("number", "doc_type", "valid", "recognised"),
    [
        ("H12345678", DocType.HKMO_TRAVEL_PERMIT, True, DocType.HKMO_TRAVEL_PERMIT),
        ("m1234567890", DocType.HKMO_TRAVEL_PERMIT, True, DocType.HKMO_TRAVEL_PERMIT),
        ("HA123456", DocType.HKMO_TRAVEL_PERMIT, True, DocType.PASSPORT),  # old style: warning only
        ("X12345678", DocType.HKMO_TRAVEL_PERMIT, False, DocType.PASSPORT),
        ("12345678", DocType.TW_TRAVEL_PERMIT, True, DocType.TW_TRAVEL_PERMIT),
        ("1234567", DocType.TW_TRAVEL_PERMIT, False, DocType.PASSPORT),
        ("E12345678", DocType.PASSPORT, True, DocType.PASSPORT),
        ("EA 1234567", DocType.PASSPORT, True, DocType.PASSPORT),
        ("1234", DocType.PASSPORT, False, None),
        ("E1234567890123456789", DocType.PASSPORT, False, None),
        ("E12345678?", DocType.PASSPORT, False, None),
    ],
)
def test_travel_permits_and_passports_lenient(number, doc_type, valid, recognised):
    assert check_identity(number, doc_type, today=TODAY).valid is valid
    assert check_identity(number, today=TODAY).doc_type is recognised


# --- property tests -------------------------------------------------------------------------------------------

_provinces = st.sampled_from(sorted(p for p in PROVINCES if p not in ("81", "82", "83")))
_births = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)


@st.composite
def valid_citizen_numbers(draw: st.DrawFn) -> str:
    region = draw(_provinces) + draw(st.from_regex(r"\A[0-9]{4}\Z"))
    born = draw(_births)
    seq = draw(st.from_regex(r"\A[0-9]{3}\Z"))
    return citizen(region, born.strftime("%Y%m%d"), seq)


@settings(max_examples=200, deadline=None)
@given(valid_citizen_numbers())
def test_property_generated_valid_numbers_are_accepted(number):
    result = check_identity(number, today=TODAY)
    assert result.valid, result.problems
    assert result.normalized == number
    assert result.birth_date.strftime("%Y%m%d") == number[6:14]


@settings(max_examples=200, deadline=None)
@given(valid_citizen_numbers(), st.integers(0, 17), st.integers(1, 10))
def test_property_any_single_character_change_is_refused(number, position, shift):
    alphabet = "0123456789X" if position == 17 else "0123456789"
    old = number[position]
    new = alphabet[(alphabet.index(old) + shift) % len(alphabet)]
    if new == old:
        return
    changed = number[:position] + new + number[position + 1 :]
    assert not check_identity(changed, DocType.RESIDENT_ID, today=TODAY).valid


def test_2023_permanent_residence_card_names_its_province_of_acceptance():
    result = check_identity("946840199001010018", today=TODAY)
    assert (result.region_code, result.region_name) == ("460000", "海南省")
