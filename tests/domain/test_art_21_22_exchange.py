"""Art. 21-22: exchange for reasons 1-7; reason 1 before expiry with card, document and a recent photo."""

from __future__ import annotations

from datetime import date

import pytest

from outreach.domain import CardExchange, CardStatus, decide
from tests.support.domain import card, ctx, state


@pytest.mark.parametrize("reason", [1, 2, 3, 4, 5, 6, 7])
def test_art_21_all_reasons_accepted_for_active_card(reason):
    old = card(CardStatus.ACTIVE, card_id="old", generation="2")
    decision = decide(state(old), CardExchange(reason=reason, photo_ref="photo-2"), ctx())
    assert decision.accepted, decision.refusal
    assert decision.state.cards[-1].reason == f"exchange:{reason}"
    assert (
        decision.state.cards[0].status is CardStatus.ACTIVE
    )  # usable until the new one is collected (Art. 25)


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (CardStatus.LOST, "card_lost_use_replace"),
        (CardStatus.TEMP_LOST, "card_locked"),
        (CardStatus.SUSPENDED, "card_suspended"),
        (CardStatus.READY, "card_not_collected"),
        (CardStatus.CANCELLED, "no_live_card"),
    ],
)
def test_art_21_exchange_refused_for_abnormal_card(status, code):
    decision = decide(state(card(status)), CardExchange(reason=2), ctx())
    assert decision.refusal.code == code


@pytest.mark.parametrize(
    ("event", "code"),
    [
        (CardExchange(reason=1, photo_ref="photo-2"), None),
        (CardExchange(reason=1), "photo_required"),
        (CardExchange(reason=1, photo_ref="photo-2", card_presented=False), "card_required"),
        (CardExchange(reason=2, document_checked=False), "document_not_checked"),
    ],
)
def test_art_22_exchange_for_expiry_needs_photo_and_card(event, code):
    decision = decide(state(card(CardStatus.ACTIVE)), event, ctx())
    if code is None:
        assert decision.accepted
        assert decision.warnings == []
    else:
        assert decision.refusal.code == code
        assert decision.refusal.article == "22"


def test_art_22_exchange_after_expiry_accepted_with_warning():
    expired = card(CardStatus.ACTIVE, expires_on=date(2026, 5, 1))
    decision = decide(state(expired), CardExchange(reason=1, photo_ref="p"), ctx())
    assert decision.accepted
    assert [w.code for w in decision.warnings] == ["applied_after_expiry"]


def test_art_21_upgrade_only_from_second_generation():
    assert decide(state(card(generation="2")), CardExchange(reason=5), ctx()).accepted
    refused = decide(state(card(generation="3")), CardExchange(reason=5), ctx())
    assert refused.refusal.code == "no_upgrade"


def test_art_21_no_second_exchange_while_one_is_pending():
    s = decide(state(card()), CardExchange(reason=2), ctx()).state
    assert decide(s, CardExchange(reason=3), ctx()).refusal.code == "renewal_pending"
