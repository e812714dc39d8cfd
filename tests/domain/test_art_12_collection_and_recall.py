"""Art. 12: collection (in person, agent, mail, home delivery) and recall after 180 days uncollected."""

from __future__ import annotations

from datetime import date

import pytest

from outreach.domain import CardApply, CardDeliver, CardIssue, CardRecall, CardStatus, decide, due_events
from outreach.domain.deadlines import recall_due
from tests.support.domain import CAL, agent, card, ctx, doc, state


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
        # issued 2025-02-03; Civil Code Art. 201: day 1 is 02-04, so day 180 is 08-02, a Saturday: Art. 203
        # moves the end of the holder's 180 days to Monday 08-04; "超过180日" (Art. 1259) starts on 08-05
        (date(2025, 8, 1), "uncollected", False),
        (date(2025, 8, 2), "uncollected", False),
        (date(2025, 8, 4), "uncollected", False),
        (date(2025, 8, 5), "uncollected", True),
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


def test_art_12_due_events_recall_only_after_day_180():
    # Civil Code Art. 1259 ("超过" excludes the number) and Art. 201 (counting starts the next day): issued on
    # Wednesday 2025-02-05, day 180 is Monday 2025-08-04 (a working day): still collectable; recalled on 08-05.
    s = state(card(CardStatus.READY, issued_on=date(2025, 2, 5)))
    assert recall_due(date(2025, 2, 5), CAL) == date(2025, 8, 5)
    assert due_events(s, date(2025, 8, 4), CAL) == []
    assert not decide(s, CardRecall(), ctx(date(2025, 8, 4))).accepted
    events = due_events(s, date(2025, 8, 5), CAL)
    assert [e.kind for e in events] == ["card.recall"]
    assert decide(s, events[0], ctx(date(2025, 8, 5))).accepted


def test_art_12_recall_180_days_ending_on_a_holiday_waits_for_the_next_working_day():
    # Civil Code Art. 203: day 180 after 2025-04-04 is 2025-10-01 (National Day, holiday to 10-08); the holder
    # may still collect on 10-09, the first working day after it; the card is recalled from 10-10.
    assert recall_due(date(2025, 4, 4), CAL) == date(2025, 10, 10)
    assert recall_due(date(2025, 4, 4)) == date(2025, 10, 2)  # without a calendar: calendar days only


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
