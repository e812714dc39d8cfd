"""Derived deadlines and the time-driven events the center applies.

Counting follows the Civil Code (see :mod:`outreach.domain.counting`): the day of the event is not counted
(Art. 201), so a period of N days from day D ends on D + N; a deadline for someone to act that ends on a rest
day moves to the next working day (Art. 203).
- issue: by the 30th working day after acceptance (Art. 11 "30个工作日内", counted with :class:`WorkingDayCalendar`);
- quick service: by D + 5 after a replacement or exchange application (Art. 26 "不超过5日": includes day 5;
  Art. 203 applies);
- recall: an uncollected card is recalled once more than 180 days have passed since issue (Art. 12 "超过180日":
  from D + 181; the holder's 180 days to collect end on a working day, Art. 203);
- lift of a 15-day temporary loss report: "生效满15日后" lifts itself on D + 16, once the 15 days have passed;
  Art. 203 does not move it (it is not a time limit for anyone's act, and the formal loss report it waits for
  can be made online on any day, Art. 18);
- bank account closure: by D + 180 after cancellation (Art. 27 "180日内", Art. 203 applies);
- expiry: valid through the same day 10 years after issue (Art. 6, Art. 202); 29 February -> 28 February.
"""

from __future__ import annotations

from datetime import date

from outreach.domain.calendar import WorkingDayCalendar
from outreach.domain.counting import add_years, day_after_period, period_end
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


__all__ = ["add_years", "card_deadlines", "due_events", "issue_due", "lift_due", "pending_deadlines", "recall_due"]


def issue_due(accepted_on: date, calendar: WorkingDayCalendar) -> date:
    """Last day to issue the card: the 30th working day after acceptance (Art. 11)."""
    return calendar.add_workdays(accepted_on, ISSUE_WORKDAYS)


def recall_due(issued_on: date, calendar: WorkingDayCalendar | None = None) -> date:
    """First day an uncollected card is recalled: more than 180 days after issue (Art. 12 "超过180日"); with a
    calendar, the 180 days end on a working day (Art. 203)."""
    return day_after_period(issued_on, RECALL_DAYS, calendar)


def lift_due(temp_loss_since: date) -> date:
    """Day a 15-day temporary loss report lifts itself: once 15 full days have passed (Art. 17 "满15日后")."""
    return day_after_period(temp_loss_since, TEMP_LOSS_DAYS)


def quick_service_due(accepted_on: date, calendar: WorkingDayCalendar | None = None) -> date:
    """Last day of the quick replacement / exchange (Art. 26 "不超过5日", Art. 203)."""
    return period_end(accepted_on, QUICK_SERVICE_DAYS, calendar)


def bank_closure_due(cancelled_on: date, calendar: WorkingDayCalendar | None = None) -> date:
    """Last day to close the bank account after cancellation (Art. 27 "180日内", Art. 203)."""
    return period_end(cancelled_on, BANK_CLOSURE_DAYS, calendar)


def card_deadlines(card: CardState, calendar: WorkingDayCalendar) -> list[Deadline]:
    """The deadlines that currently apply to one card, earliest first."""
    out: list[Deadline] = []
    cid = card.card_id
    if card.status is CardStatus.APPLIED and card.accepted_on is not None:
        out.append(
            Deadline(kind="issue", card_id=cid, due=issue_due(card.accepted_on, calendar), article="11")
        )
        if card.reason is not None and (card.reason == "replace" or card.reason.startswith("exchange")):
            due = quick_service_due(card.accepted_on, calendar)
            out.append(Deadline(kind="quick_service", card_id=cid, due=due, article="26"))
    if card.status is CardStatus.READY and card.issued_on is not None:
        out.append(Deadline(kind="recall", card_id=cid, due=recall_due(card.issued_on, calendar), article="12"))
    if card.status is CardStatus.TEMP_LOST and card.temp_loss_period == "15d" and card.temp_loss_since:
        out.append(
            Deadline(kind="lift_temporary", card_id=cid, due=lift_due(card.temp_loss_since), article="17")
        )
    if card.status is CardStatus.CANCELLED and card.cancelled_on is not None:
        due = bank_closure_due(card.cancelled_on, calendar)
        out.append(Deadline(kind="bank_account_closure", card_id=cid, due=due, article="27"))
    if card.live and card.expires_on is not None:
        out.append(Deadline(kind="expiry", card_id=cid, due=card.expires_on, article="6"))
    return sorted(out, key=lambda d: d.due)


def pending_deadlines(state: PersonCards, calendar: WorkingDayCalendar) -> list[Deadline]:
    """All current deadlines of a person's cards, earliest first."""
    out = [d for card in state.cards for d in card_deadlines(card, calendar)]
    return sorted(out, key=lambda d: d.due)


def due_events(state: PersonCards, today: date, calendar: WorkingDayCalendar) -> list[LifecycleEvent]:
    """Time-driven events due on ``today``: lifts of 15-day temporary loss reports (Art. 17) once 15 days have
    passed, recalls of cards uncollected for more than 180 days (Art. 12). The center applies them; a laptop
    applies the same ones provisionally (:func:`outreach.domain.provisional.provisional_state`).
    """
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
            and today >= recall_due(card.issued_on, calendar)
        ):
            due = recall_due(card.issued_on, calendar)
            events.append(CardRecall(card_id=card.card_id, cause="uncollected", due=due))
    return events
