"""Art. 16-19: temporary loss (15 days or long-term), formal loss, unlock before a replacement application."""

from __future__ import annotations

from datetime import date

import pytest

from outreach.domain import (
    CardLiftTemporary,
    CardLossFormal,
    CardLossTemporary,
    CardReplace,
    CardStatus,
    CardUnlock,
    decide,
    due_events,
)
from tests.support.domain import card, ctx, state


@pytest.mark.parametrize(
    ("status", "event", "accepted"),
    [
        (CardStatus.ACTIVE, CardLossTemporary(period="15d"), True),
        (CardStatus.ACTIVE, CardLossTemporary(period="long"), True),
        (CardStatus.ACTIVE, CardLossTemporary(identity_verified=False), False),
        (CardStatus.TEMP_LOST, CardLossTemporary(), False),
        (CardStatus.LOST, CardLossTemporary(), False),
        (CardStatus.READY, CardLossTemporary(), False),
        (CardStatus.CANCELLED, CardLossTemporary(), False),
    ],
)
def test_art_17_temporary_loss(status, event, accepted):
    decision = decide(state(card(status)), event, ctx())
    assert decision.accepted is accepted
    if accepted:
        c = decision.state.cards[0]
        assert c.status is CardStatus.TEMP_LOST
        assert c.temp_loss_since == ctx().today
        assert any(d.kind == "lift_temporary" for d in decision.deadlines) is (event.period == "15d")


@pytest.mark.parametrize(
    ("period", "today", "code"),
    [
        # Civil Code Art. 201: reported on 2026-06-01, day 1 is 06-02 and day 15 is 06-16; "生效满15日后" lifts
        # once those 15 days have passed: on 06-17, not on day 15
        ("15d", date(2026, 6, 15), "lift_too_early"),
        ("15d", date(2026, 6, 16), "lift_too_early"),
        ("15d", date(2026, 6, 17), None),
        ("long", date(2027, 6, 17), "long_term_loss"),
    ],
)
def test_art_17_temporary_loss_lifts_itself_after_15_full_days(period, today, code):
    s = decide(state(card(CardStatus.ACTIVE)), CardLossTemporary(period=period), ctx()).state
    decision = decide(s, CardLiftTemporary(), ctx(today))
    if code is None:
        assert decision.accepted
        assert decision.state.cards[0].status is CardStatus.ACTIVE
        assert [e.kind for e in due_events(s, today, ctx().calendar)] == ["card.lift_temporary"]
    else:
        assert decision.refusal.code == code
        assert due_events(s, today, ctx().calendar) == []


def test_art_17_formal_loss_stops_the_automatic_lift():
    s = decide(state(card(CardStatus.ACTIVE)), CardLossTemporary(period="15d"), ctx()).state
    s = decide(s, CardLossFormal(), ctx(date(2026, 6, 5))).state
    assert due_events(s, date(2026, 7, 1), ctx().calendar) == []
    assert decide(s, CardLiftTemporary(), ctx(date(2026, 7, 1))).refusal.code == "not_temp_lost"


@pytest.mark.parametrize(
    ("status", "event", "accepted"),
    [
        (CardStatus.ACTIVE, CardLossFormal(), True),  # directly (Art. 16)
        (CardStatus.TEMP_LOST, CardLossFormal(), True),
        (CardStatus.ACTIVE, CardLossFormal(document_checked=False), False),
        (CardStatus.LOST, CardLossFormal(), False),
        (CardStatus.APPLIED, CardLossFormal(), False),
    ],
)
def test_art_18_formal_loss(status, event, accepted):
    decision = decide(
        state(card(status, temp_loss_period="15d" if status is CardStatus.TEMP_LOST else None)), event, ctx()
    )
    assert decision.accepted is accepted
    if accepted:
        assert decision.state.cards[0].status is CardStatus.LOST
        assert decision.state.cards[0].lost_on == ctx().today


@pytest.mark.parametrize(
    ("status", "event", "code"),
    [
        (CardStatus.TEMP_LOST, CardUnlock(), None),
        (CardStatus.LOST, CardUnlock(), None),
        (CardStatus.LOST, CardUnlock(card_presented=False), "document_and_card_required"),
        (CardStatus.LOST, CardUnlock(document_checked=False), "document_and_card_required"),
        (CardStatus.ACTIVE, CardUnlock(), "card_not_locked"),
    ],
)
def test_art_19_unlock(status, event, code):
    decision = decide(state(card(status)), event, ctx())
    if code is None:
        assert decision.accepted
        assert decision.state.cards[0].status is CardStatus.ACTIVE
    else:
        assert decision.refusal.code == code
        assert decision.refusal.article == "19"


def test_art_19_no_unlock_after_replacement_application():
    s = decide(state(card(CardStatus.LOST)), CardReplace(), ctx()).state
    decision = decide(s, CardUnlock(), ctx())
    assert not decision.accepted
    assert decision.refusal.code == "unlock_after_replacement"
    assert decision.state == s


def test_art_19_old_replacement_does_not_block_unlocking_a_later_card():
    old = card(CardStatus.REPLACED, card_id="old", replacement_applied=True)
    current = card(CardStatus.ACTIVE, card_id="current", reason="replace")
    decision = decide(state(old, current), CardUnlock(), ctx())
    assert decision.refusal.code == "card_not_locked"
    lost_again = decide(
        state(old, card(CardStatus.TEMP_LOST, card_id="current", reason="replace")), CardUnlock(), ctx()
    )
    assert lost_again.accepted


def test_art_19_naming_the_replaced_card_is_refused():
    old = card(CardStatus.REPLACED, card_id="old", replacement_applied=True)
    new = card(CardStatus.APPLIED, card_id="new", reason="replace")
    assert (
        decide(state(old, new), CardUnlock(card_id="old"), ctx()).refusal.code == "unlock_after_replacement"
    )
