"""Art. 12: collection (in person, agent, mail, home delivery) and recall after 180 days uncollected."""

from __future__ import annotations

from datetime import date

import pytest

from outreach.domain import CardApply, CardDeliver, CardIssue, CardRecall, CardStatus, decide, due_events
from outreach.domain.deadlines import recall_due
from tests.support.domain import agent, card, ctx, doc, state


@pytest.mark.parametrize(
    ("status", "event", "accepted"),
    [
        (CardStatus.READY, CardDeliver(), True),
        (CardStatus.READY, CardDeliver(method="home_delivery"), True),
        (CardStatus.READY, CardDeliver(method="mail"), True),
        (CardStatus.READY, CardDeliver(method="agent", agent=agent()), True),
        (CardStatus.READY, CardDeliver(method="agent"), False),
        (
            CardStatus.READY,
            CardDeliver(method="agent", agent=agent(document=doc("460100197005050130"))),
            False,
        ),
        (CardStatus.READY, CardDeliver(document_checked=False), False),
        (
            CardStatus.RECALLED,
            CardDeliver(),
            False,
        ),  # kept by the agency: handed out again by the center first
        (CardStatus.APPLIED, CardDeliver(), False),
        (CardStatus.ACTIVE, CardDeliver(), False),
        (CardStatus.CANCELLED, CardDeliver(), False),
    ],
)
def test_art_12_collection(status, event, accepted):
    before = state(card(status))
    decision = decide(before, event, ctx())
    assert decision.accepted is accepted, decision.refusal
    if accepted:
        assert decision.state.cards[0].status is CardStatus.ACTIVE
        assert decision.state.cards[0].collected_on == ctx().today
    else:
        assert decision.state == before


@pytest.mark.parametrize(
    ("today", "cause", "accepted"),
    [
        (date(2025, 8, 1), "uncollected", False),  # issued 2025-02-03: day 179
        (date(2025, 8, 2), "uncollected", True),  # issued + 180 days
        (date(2025, 3, 1), "death", True),
        (date(2025, 3, 1), "emigration", True),
    ],
)
def test_art_12_recall(today, cause, accepted):
    before = state(card(CardStatus.READY))
    decision = decide(before, CardRecall(cause=cause), ctx(today))
    assert decision.accepted is accepted
    if accepted:
        assert decision.state.cards[0].status is CardStatus.RECALLED
    else:
        assert decision.refusal.code == "recall_too_early"
        assert decision.refusal.article == "12"


def test_art_12_recall_of_collected_card_refused():
    assert not decide(state(card(CardStatus.ACTIVE)), CardRecall(cause="death"), ctx()).accepted


def test_art_12_due_events_recall_at_180_days():
    s = state(card(CardStatus.READY))
    assert recall_due(date(2025, 2, 3)) == date(2025, 8, 2)
    assert due_events(s, date(2025, 8, 1), ctx().calendar) == []
    events = due_events(s, date(2025, 8, 2), ctx().calendar)
    assert [e.kind for e in events] == ["card.recall"]
    assert decide(s, events[0], ctx(date(2025, 8, 2))).accepted


def test_art_12_recalled_card_handed_out_again_unless_another_card_is_live():
    recalled = state(card(CardStatus.RECALLED, card_id="kept"))
    again = decide(recalled, CardIssue(card_id="kept"), ctx())
    assert again.accepted
    assert again.state.cards[0].status is CardStatus.READY
    assert (
        again.state.cards[0].expires_on == recalled.cards[0].expires_on
    )  # validity runs from the first issue
    assert decide(again.state, CardDeliver(), ctx()).accepted
    from tests.support.domain import form

    newer = decide(recalled, CardApply(form=form()), ctx()).state
    refused = decide(newer, CardIssue(card_id="kept"), ctx())
    assert refused.refusal.code == "one_person_one_card"
