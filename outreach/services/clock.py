"""The time source of the services: real by default, frozen in tests, snapshots and benchmarks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime


class Clock:
    """Wall-clock time in the laptop's local zone."""

    def now(self) -> datetime:
        return datetime.now(UTC).astimezone()

    def today(self) -> date:
        return self.now().date()


@dataclass
class FrozenClock(Clock):
    """A clock that always answers the same moment (tests, snapshots, the benchmark)."""

    moment: datetime

    def now(self) -> datetime:
        return self.moment
