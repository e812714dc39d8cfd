"""Derived deadlines and the time-driven events the center applies.

Day counting: an event on day D is day 1, so "after 15 days" / "180 days" fall on D + 15 / D + 180.
- issue: 30 working days after acceptance (Art. 11), counted with :class:`WorkingDayCalendar`;
- quick service: 5 calendar days after a replacement or exchange application (Art. 26);
- recall: 180 days after issue while uncollected (Art. 12);
- lift of a 15-day temporary loss report: temp_loss_since + 15 (Art. 17);
- bank account closure: 180 days after cancellation (Art. 27);
- expiry: 10 years after issue (Art. 6); 29 February moves to 28 February.
"""

from __future__ import annotations

from datetime import date, timedelta

from outreach.domain.calendar import WorkingDayCalendar
from outreach.domain.decision import Deadline
from outreach.domain.enums import CardStatus
from outreach.domain.events import CardLiftTemporary, CardRecall, LifecycleEvent
from outreach.domain.models import CardState, PersonCards

ISSUE_WORKDAYS = 30
QUICK_SERVICE_DAYS = 5
RECALL_DAYS = 180
TEMP_LOSS_DAYS = 15
BANK_CLOSURE_DAYS = 180
VALIDITY_YEARS = 10


def add_years(day: date, years: int) -> date:
    """``day`` plus whole years; 29 February becomes 28 February in a non-leap year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def issue_due(accepted_on: date, calendar: WorkingDayCalendar) -> date:
    """Last day to issue the card: the 30th working day after acceptance (Art. 11)."""
    return calendar.add_workdays(accepted_on, ISSUE_WORKDAYS)


def recall_due(issued_on: date) -> date:
    """First day an uncollected card is recalled (Art. 12)."""
    return issued_on + timedelta(days=RECALL_DAYS)


def lift_due(temp_loss_since: date) -> date:
    """Day a 15-day temporary loss report lifts itself (Art. 17)."""
    return temp_loss_since + timedelta(days=TEMP_LOSS_DAYS)


def card_deadlines(card: CardState, calendar: WorkingDayCalendar) -> list[Deadline]:
    """The deadlines that currently apply to one card, earliest first."""
    out: list[Deadline] = []
    cid = card.card_id
    if card.status is CardStatus.APPLIED and card.accepted_on is not None:
        out.append(
            Deadline(kind="issue", card_id=cid, due=issue_due(card.accepted_on, calendar), article="11")
        )
        if card.reason is not None and (card.reason == "replace" or card.reason.startswith("exchange")):
            due = card.accepted_on + timedelta(days=QUICK_SERVICE_DAYS)
            out.append(Deadline(kind="quick_service", card_id=cid, due=due, article="26"))
    if card.status is CardStatus.READY and card.issued_on is not None:
        out.append(Deadline(kind="recall", card_id=cid, due=recall_due(card.issued_on), article="12"))
    if card.status is CardStatus.TEMP_LOST and card.temp_loss_period == "15d" and card.temp_loss_since:
        out.append(
            Deadline(kind="lift_temporary", card_id=cid, due=lift_due(card.temp_loss_since), article="17")
        )
    if card.status is CardStatus.CANCELLED and card.cancelled_on is not None:
        due = card.cancelled_on + timedelta(days=BANK_CLOSURE_DAYS)
        out.append(Deadline(kind="bank_account_closure", card_id=cid, due=due, article="27"))
    if card.live and card.expires_on is not None:
        out.append(Deadline(kind="expiry", card_id=cid, due=card.expires_on, article="6"))
    return sorted(out, key=lambda d: d.due)


def pending_deadlines(state: PersonCards, calendar: WorkingDayCalendar) -> list[Deadline]:
    """All current deadlines of a person's cards, earliest first."""
    out = [d for card in state.cards for d in card_deadlines(card, calendar)]
    return sorted(out, key=lambda d: d.due)


def due_events(state: PersonCards, today: date, calendar: WorkingDayCalendar) -> list[LifecycleEvent]:
    """Time-driven events the center applies on ``today``: lifts of 15-day temporary loss reports (Art. 17)
    from day 15, recalls of cards uncollected for 180 days (Art. 12). Calendar days: ``calendar`` is accepted
    for symmetry with the other deadline functions and future working-day rules.
    """
    del calendar
    events: list[LifecycleEvent] = []
    for card in state.cards:
        if (
            card.status is CardStatus.TEMP_LOST
            and card.temp_loss_period == "15d"
            and card.temp_loss_since is not None
            and today >= lift_due(card.temp_loss_since)
        ):
            events.append(CardLiftTemporary(card_id=card.card_id, due=lift_due(card.temp_loss_since)))
        if (
            card.status is CardStatus.READY
            and card.issued_on is not None
            and today >= recall_due(card.issued_on)
        ):
            events.append(
                CardRecall(card_id=card.card_id, cause="uncollected", due=recall_due(card.issued_on))
            )
    return events
