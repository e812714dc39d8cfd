"""Art. 4 and 13: the electronic card follows the physical card."""

from __future__ import annotations

from datetime import date

import pytest

from outreach.domain import CardCancel, CardDeliver, CardLossTemporary, CardStatus, decide
from outreach.domain.lifecycle import electronic_refusal
from tests.support.domain import agent, card, ctx, state


def test_art_13_electronic_enabled_on_collection_follows_physical_status():
    s = decide(state(card(CardStatus.READY)), CardDeliver(electronic=True), ctx()).state
    assert s.cards[0].electronic_usable
    locked = decide(s, CardLossTemporary(), ctx()).state
    assert locked.cards[0].electronic
    assert not locked.cards[0].electronic_usable
    dead = decide(s, CardCancel(agent=agent(), deceased_on=date(2026, 5, 30), proof="pledge"), ctx()).state
    assert not dead.cards[0].electronic


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        (CardStatus.ACTIVE, True),
        (CardStatus.TEMP_LOST, False),
        (CardStatus.LOST, False),
        (CardStatus.SUSPENDED, False),
        (CardStatus.CANCELLED, False),
        (CardStatus.READY, False),
    ],
)
def test_art_13_electronic_card_only_with_active_physical_card(status, allowed):
    why = electronic_refusal(card(status))
    assert (why is None) is allowed
    if why is not None:
        assert why.article == "13"


def test_art_13_no_physical_card():
    assert electronic_refusal(None).code == "no_physical_card"


def test_art_13_expired_physical_card_blocks_electronic_card():
    expired = card(CardStatus.ACTIVE, expires_on=date(2026, 5, 31))
    assert electronic_refusal(expired) is None  # without a day, only the status counts
    assert electronic_refusal(expired, date(2026, 6, 1)).code == "physical_card_abnormal"
