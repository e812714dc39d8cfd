"""What :func:`outreach.domain.lifecycle.decide` returns: the decision, its fee and its deadlines."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from outreach.domain.calendar import WorkingDayCalendar
from outreach.domain.models import PersonCards
from outreach.domain.refusal import Refusal

DeadlineKind = Literal[
    "issue",  # Art. 11: issue within 30 working days of acceptance
    "quick_service",  # Art. 26: quick replacement / exchange within 5 days
    "recall",  # Art. 12: recall when uncollected for 180 days
    "lift_temporary",  # Art. 17: a 15-day temporary loss report lifts itself
    "bank_account_closure",  # Art. 27: close the bank account within 180 days of cancellation
    "expiry",  # Art. 6: the card is valid for 10 years
]


@dataclass(frozen=True)
class RuleContext:
    """The day the event takes effect (the center passes the operation's own day) and the working-day calendar."""

    today: date
    calendar: WorkingDayCalendar = field(default_factory=WorkingDayCalendar)


class FeeDecision(BaseModel):
    """Whether the bank charges the card fee (工本费, Art. 24) and why; never the amount."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    charged: bool
    code: str
    article: str = "24"
    reason_zh: str
    reason_en: str


class Deadline(BaseModel):
    """A date by which something must (or will automatically) happen to a card."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: DeadlineKind
    card_id: str
    due: date
    article: str


class Decision(BaseModel):
    """The outcome of one event: accepted with the new state, or refused with the unchanged state.

    ``warnings`` are doubts that do not block (e.g. a card number whose check character is wrong).
    ``state.version`` is never changed here: the store counts operations.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    accepted: bool
    state: PersonCards
    refusal: Refusal | None = None
    fee: FeeDecision | None = None
    deadlines: list[Deadline] = Field(default_factory=list)
    warnings: list[Refusal] = Field(default_factory=list)
