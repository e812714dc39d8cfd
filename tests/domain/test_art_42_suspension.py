"""Art. 42: misuse suspends the one-card functions."""

from __future__ import annotations

import pytest

from outreach.domain import CardBankActivate, CardStatus, CardSuspend, decide
from tests.support.domain import card, ctx, state


@pytest.mark.parametrize(
    ("status", "accepted"),
    [
        (CardStatus.ACTIVE, True),
        (CardStatus.READY, True),
        (CardStatus.LOST, True),
        (CardStatus.SUSPENDED, False),
        (CardStatus.CANCELLED, False),
    ],
)
def test_art_42_suspension(status, accepted):
    decision = decide(state(card(status)), CardSuspend(ground=2), ctx())
    assert decision.accepted is accepted
    if accepted:
        assert decision.state.cards[0].status is CardStatus.SUSPENDED
        assert not decision.state.cards[0].electronic_usable


def test_art_42_ground_must_be_1_to_8():
    with pytest.raises(ValueError, match="ground"):
        CardSuspend(ground=9)


def test_art_42_suspended_card_cannot_be_bank_activated():
    s = decide(state(card()), CardSuspend(ground=1), ctx()).state
    assert decide(s, CardBankActivate(), ctx()).refusal.code == "card_suspended"
