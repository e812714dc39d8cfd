"""Legal precedence of concurrent statuses, deterministic center operation ids, and due events."""

from __future__ import annotations

from datetime import date

import pytest

from outreach.domain import CardLiftTemporary, CardStatus, deterministic_op_id, due_events, precedence
from tests.support.domain import CAL, PERSON, card, state

S = CardStatus


@pytest.mark.parametrize(
    ("a", "b", "winner"),
    [
        (S.CANCELLED, S.ACTIVE, S.CANCELLED),
        (S.CANCELLED, S.LOST, S.CANCELLED),
        (S.TEMP_LOST, S.CANCELLED, S.CANCELLED),
        (S.LOST, S.TEMP_LOST, S.LOST),
        (S.ACTIVE, S.LOST, S.LOST),
        (S.TEMP_LOST, S.ACTIVE, S.TEMP_LOST),
        (S.REPLACED, S.LOST, S.REPLACED),
        (S.ACTIVE, S.ACTIVE, S.ACTIVE),
        (S.SUSPENDED, S.LOST, S.LOST),  # the suspension is kept under the loss report (Art. 16, 42)
        (S.CANCELLED, S.REPLACED, None),
        (S.READY, S.ACTIVE, None),
        (S.RECALLED, S.ACTIVE, None),
    ],
)
def test_precedence(a, b, winner):
    assert precedence(a, b) is winner
    assert precedence(b, a) is winner


def test_deterministic_op_id_same_for_same_input():
    event = CardLiftTemporary(card_id="c1", due=date(2026, 6, 16))
    first = deterministic_op_id(PERSON, event)
    assert first == deterministic_op_id(PERSON, event.model_dump(mode="json"))
    assert first != deterministic_op_id("other-person", event)
    assert first != deterministic_op_id(PERSON, CardLiftTemporary(card_id="c1", due=date(2026, 7, 16)))
    assert len(first) == 36
    assert first[14] == "5"  # UUID version 5


def test_due_events_nothing_for_long_term_or_active():
    s = state(
        card(S.TEMP_LOST, card_id="long", temp_loss_period="long", temp_loss_since=date(2020, 1, 1)),
    )
    assert due_events(s, date(2026, 1, 1), CAL) == []
    assert due_events(state(card(S.ACTIVE)), date(2040, 1, 1), CAL) == []
