"""hardware imports nothing of ours, so it keeps its own check digits; these properties hold them to the
domain's: the GB 11643 identity-number check character, the card-number check character and the Luhn check."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from hardware import codec
from outreach.domain.identity import mod11_2_check
from outreach.domain.numbers import card_number_check_char, check_bank_card, check_card_number

DIGITS = "0123456789"
CARD_CHARS = DIGITS + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@given(st.text(DIGITS, min_size=17, max_size=17))
def test_identity_number_check_character_agrees(body):
    assert codec.mod11_2_check(body) == mod11_2_check(body)
    number = body + mod11_2_check(body)
    assert codec.ssn_check_ok(number)


@given(st.text(DIGITS, min_size=17, max_size=17), st.sampled_from("0123456789X"))
def test_a_wrong_identity_check_character_fails_in_both(body, last):
    assert codec.ssn_check_ok(body + last) == (mod11_2_check(body) == last)


@given(st.text(CARD_CHARS, min_size=8, max_size=8), st.sampled_from(DIGITS + "X"))
def test_card_number_check_character_agrees(body, last):
    assert codec.card_number_check(body) == card_number_check_char(body)
    domain_ok = not any(w.code == "card_number_check" for w in check_card_number(body + last).warnings)
    assert codec.card_number_ok(body + last) == domain_ok


@given(st.text(DIGITS, min_size=16, max_size=19))
def test_bank_card_luhn_agrees(pan):
    assert codec.luhn_ok(pan) == check_bank_card(pan).valid
