"""Time-driven events on the laptop (Art. 12, 17): the same due events the center applies, applied to the last
synced state for display, marked provisional until the center confirms them. Pure; nothing here raises.

An offline laptop would otherwise show a card whose 15-day temporary loss report has lifted itself (Art. 17)
as still locked, or an uncollected card as collectable long after its recall (Art. 12).
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from outreach.domain.calendar import WorkingDayCalendar
from outreach.domain.deadlines import due_events
from outreach.domain.decision import RuleContext
from outreach.domain.events import LifecycleEvent
from outreach.domain.lifecycle import decide
from outreach.domain.models import PersonCards


class ProvisionalState(BaseModel):
    """The state with the due events applied, and those events (empty: nothing provisional)."""

    model_config = ConfigDict(frozen=True)

    state: PersonCards
    applied: list[LifecycleEvent] = Field(default_factory=list)

    @property
    def provisional(self) -> bool:
        return bool(self.applied)

    def provisional_card_ids(self) -> set[str]:
        return {ev.card_id for ev in self.applied if ev.card_id is not None}


def provisional_state(state: PersonCards, today: date, calendar: WorkingDayCalendar) -> ProvisionalState:
    """``state`` with every event due on ``today`` applied by :func:`decide`, as the center will."""
    applied: list[LifecycleEvent] = []
    for event in due_events(state, today, calendar):
        decision = decide(state, event, RuleContext(today=today, calendar=calendar))
        if decision.accepted:
            state = decision.state
            applied.append(event)
    return ProvisionalState(state=state, applied=applied)
