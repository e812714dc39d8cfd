"""Counts gathered while rows stream past: the XLSX summary sheet and the PDF report are drawn from them."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from outreach.domain.calendar import WorkingDayCalendar
from outreach.domain.deadlines import issue_due, recall_due
from outreach.domain.enums import CardStatus
from outreach.domain.models import CardState


@dataclass
class Summary:
    visits_per_worker_day: Counter[tuple[str, dt.date]] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    answers: Counter[str] = field(default_factory=Counter)
    deadlines_open: Counter[tuple[str, bool]] = field(default_factory=Counter)  # (kind, overdue)
    kept: Counter[tuple[str, bool]] = field(default_factory=Counter)  # ("issue"/"collect", met)
    reveals: Counter[str] = field(default_factory=Counter)
    today: dt.date = field(default_factory=dt.date.today)

    def visit(self, worker: str, day: dt.date, outcome: str) -> None:
        self.visits_per_worker_day[(worker, day)] += 1
        self.outcomes[outcome] += 1

    def operation(self, kind: str, status: str) -> None:
        self.kinds[kind] += 1
        self.answers[status] += 1

    def reveal(self, worker: str) -> None:
        self.reveals[worker] += 1

    def deadline(self, kind: str, overdue: bool) -> None:
        self.deadlines_open[(kind, overdue)] += 1

    def deadlines_kept(self, card: CardState, calendar: WorkingDayCalendar) -> None:
        """Deadlines met or missed: issue within 30 working days (Art. 11), collection before recall (Art. 12)."""
        if card.accepted_on is not None:
            due = issue_due(card.accepted_on, calendar)
            if card.issued_on is not None:
                self.kept[("issue", card.issued_on <= due)] += 1
            elif card.status is CardStatus.APPLIED and self.today > due:
                self.kept[("issue", False)] += 1
        if card.issued_on is not None:
            if card.collected_on is not None:
                self.kept[("collect", card.collected_on < recall_due(card.issued_on))] += 1
            elif card.status is CardStatus.RECALLED:
                self.kept[("collect", False)] += 1

    def visits_per_day(self) -> dict[dt.date, int]:
        out: Counter[dt.date] = Counter()
        for (_, day), n in self.visits_per_worker_day.items():
            out[day] += n
        return dict(sorted(out.items()))

    def visits_per_worker(self) -> dict[str, int]:
        out: Counter[str] = Counter()
        for (worker, _), n in self.visits_per_worker_day.items():
            out[worker] += n
        return dict(out.most_common())
