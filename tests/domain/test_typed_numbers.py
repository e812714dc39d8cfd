"""Mobile numbers, bank card numbers (Luhn) and social-security card numbers (warning on check failure)."""

from __future__ import annotations

import pytest

from outreach.domain import check_bank_card, check_card_number, check_mobile
from outreach.domain.numbers import card_number_check_char


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("13800000000", "13800000000"),
        ("+86 138-0000-0000", "13800000000"),
        ("0086 19912345678", "19912345678"),
        ("138 0000 0000", "13800000000"),
        ("１３８００００００００", "13800000000"),  # full-width, as a Chinese input method types it
        ("＋８６ １３８－００００－００００", "13800000000"),
        ("138\u30000000\u30000000", "13800000000"),  # ideographic spaces
    ],
)
def test_mobile_allowed(raw, normalized):
    result = check_mobile(raw)
    assert result.valid
    assert result.normalized == normalized


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("12800000000", "mobile_prefix"),
        ("23800000000", "mobile_prefix"),
        ("1380000000", "mobile_format"),
        ("138000000001", "mobile_format"),
        ("0898-66666666", "mobile_format"),
        ("1380000000\x00", "control_characters"),
        ("1" * 41, "too_long"),
        ("١٣٨٠٠٠٠٠٠٠٠", "mobile_format"),  # Arabic-Indic digits are not accepted
    ],
)
def test_mobile_refused(raw, code):
    result = check_mobile(raw)
    assert not result.valid
    assert result.problems[0].code == code


def test_mobile_prefix_rule_configurable():
    assert not check_mobile("12000000000").valid
    assert check_mobile("12000000000", second_digits="23456789").valid
    assert not check_mobile("13800000000", second_digits="5").valid


@pytest.mark.parametrize(
    "pan", ["6234560000000000001", "6210000000000000009", "6234 5600 0000 0000 001", "4111111111111111"]
)
def test_bank_card_allowed(pan):
    assert check_bank_card(pan).valid


@pytest.mark.parametrize(
    ("pan", "code", "message"),
    [
        ("6234560000000000002", "check_digit", "check digit should be 1"),
        ("623456000000001", "bank_card_format", "16-19"),
        ("62345600000000000011", "bank_card_format", "16-19"),
        ("623456000000000000A", "bank_card_format", "16-19"),
    ],
)
def test_bank_card_refused(pan, code, message):
    result = check_bank_card(pan)
    assert not result.valid
    assert result.problems[0].code == code
    assert message in result.problems[0].message_en


@pytest.mark.parametrize("number", ["D2143569X", "X00000019", "A00000011", "T00012344", "a00000011"])
def test_card_number_valid(number):
    result = check_card_number(number)
    assert result.valid
    assert result.warnings == []
    assert result.normalized == number.upper()


def test_card_number_bad_check_is_only_a_warning():
    result = check_card_number("AI666666X")  # a real test card fails the check (sscard.md §7.6)
    assert result.valid
    assert [w.code for w in result.warnings] == ["card_number_check"]
    assert "should be 1" in result.warnings[0].message_en
    assert card_number_check_char("AI666666") == "1"


@pytest.mark.parametrize("number", ["A0000001", "A000000111", "A0000001-", "甲00000011"])
def test_card_number_bad_format_refused(number):
    assert not check_card_number(number).valid
