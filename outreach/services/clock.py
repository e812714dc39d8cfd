"""The time source of the services: real by default, frozen in tests, snapshots and benchmarks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from outreach.domain.calendar import RememberingCalendar, business_day

#: The domain's working-day calendar for every rule the services ask, remembering its answers.
CALENDAR = RememberingCalendar()


class Clock:
    """Wall-clock time in the laptop's local zone; ``today`` is the day in China, what the rules count in
    (a laptop left on UTC would otherwise date the morning's work, until 08:00, to the day before)."""

    def now(self) -> datetime:
        return datetime.now(UTC).astimezone()

    def today(self) -> date:
        return business_day(self.now())


@dataclass
class FrozenClock(Clock):
    """A clock that always answers the same moment (tests, snapshots, the benchmark)."""

    moment: datetime

    def now(self) -> datetime:
        return self.moment
