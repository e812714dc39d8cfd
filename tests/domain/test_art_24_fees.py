"""Art. 24: who pays the card fee, and why (never the amount)."""

from __future__ import annotations

from datetime import date

import pytest

from outreach.domain import (
    CardApply,
    CardExchange,
    CardReissue,
    CardReplace,
    CardStatus,
    Hardship,
    decide,
)
from tests.support.domain import card, ctx, form, state


@pytest.mark.parametrize(
    ("before", "event", "charged", "code"),
    [
        ((), CardApply(form=form()), False, "first_application"),
        ((CardStatus.RECALLED,), CardApply(form=form()), True, "not_first_application"),
        ((CardStatus.LOST,), CardReplace(), True, "replacement"),
        ((CardStatus.LOST,), CardReplace(hardship=Hardship.EXTREMELY_POOR), False, "hardship"),
        ((CardStatus.ACTIVE,), CardExchange(reason=1, photo_ref="p"), False, "exchange_expiry"),
        ((CardStatus.ACTIVE,), CardExchange(reason=5, generation="3"), False, "upgrade_2_to_3"),
        ((CardStatus.ACTIVE,), CardExchange(reason=2), True, "exchange_charged"),
        (
            (CardStatus.ACTIVE,),
            CardExchange(reason=6, hardship=Hardship.MINIMUM_ALLOWANCE),
            False,
            "hardship",
        ),
        ((CardStatus.ACTIVE,), CardReissue(changed=["name"], new_name="王晓明", evidence="household_register"), True, "reissue"),
        (
            (CardStatus.ACTIVE,),
            CardReissue(changed=["name"], new_name="王晓明", evidence="household_register", generation="3"),
            True,
            "reissue",
        ),
    ],
)
def test_art_24_fee_decision(before, event, charged, code):
    s = state(*(card(st, generation="3", card_id=f"c{i}") for i, st in enumerate(before)))
    if code == "upgrade_2_to_3":
        s = state(card(CardStatus.ACTIVE, generation="2"))
    if code == "exchange_expiry":  # Art. 22 (1): within three months of expiry
        s = state(card(CardStatus.ACTIVE, generation="3", expires_on=date(2026, 7, 1)))
    decision = decide(s, event, ctx())
    assert decision.accepted, decision.refusal
    assert decision.fee.charged is charged
    assert decision.fee.code == code
    assert decision.fee.reason_zh
    assert decision.fee.reason_en


def test_art_24_second_to_third_generation_reissue_is_free():
    decision = decide(
        state(card(generation="2")), CardReissue(changed=["name"], new_name="王晓明", evidence="household_register"), ctx()
    )
    assert decision.fee.charged is False
    assert decision.fee.code == "upgrade_2_to_3"
