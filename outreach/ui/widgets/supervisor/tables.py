"""The area's tables: workers, deadlines, open issues by age, devices. States are words ("逾期", "过期未同步"),
not colours only."""

from __future__ import annotations

import datetime as dt

from textual.widgets import DataTable

from outreach.exports.filters import CHINA
from outreach.i18n import t
from outreach.services.supervision import DeadlineRow, DeviceRow, IssueAgeRow, WorkerRow


class _Table(DataTable[str]):
    COLUMNS: tuple[str, ...] = ()

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True
        self.add_columns(*(t(key) for key in self.COLUMNS))


def _day(day: dt.date | None) -> str:
    return day.isoformat() if day is not None else t("sup.never")


class WorkersTable(_Table):
    COLUMNS = ("sup.col.worker", "sup.col.visits", "sup.col.operations", "sup.col.rejections",
               "sup.col.conflicts", "sup.col.last")

    def show(self, rows: list[WorkerRow]) -> None:
        self.clear()
        for r in rows:
            self.add_row(r.worker_id, str(r.visits), str(r.operations), str(r.rejections), str(r.conflicts),
                         _day(r.last_activity), key=r.worker_id)


class DeadlinesTable(_Table):
    COLUMNS = ("sup.col.due", "sup.col.state", "sup.col.kind", "sup.col.person")

    def show(self, rows: list[DeadlineRow]) -> None:
        self.clear()
        for i, r in enumerate(rows):
            state = t("sup.overdue", n=-r.days_left) if r.overdue else t("sup.coming", n=r.days_left)
            mark = "⚠ " if r.overdue else "⏰ "
            self.add_row(r.due.isoformat(), mark + state, t(f"deadline.{r.kind}"), r.person_name or "—",
                         key=f"{i}")


class IssuesTable(_Table):
    COLUMNS = ("sup.col.worker", "sup.col.rejections", "sup.col.conflicts", "sup.col.age", "sup.col.oldest")

    def show(self, rows: list[IssueAgeRow]) -> None:
        self.clear()
        for r in rows:
            self.add_row(r.worker_id or "—", str(r.rejections), str(r.conflicts), f"{r.fresh} / {r.week} / {r.older}",
                         t("sup.days", n=r.oldest_days), key=r.worker_id or "-")


class DevicesTable(_Table):
    COLUMNS = ("sup.col.device", "sup.col.worker", "sup.col.role", "sup.col.seen", "sup.col.state")

    def show(self, rows: list[DeviceRow]) -> None:
        self.clear()
        for r in rows:
            marks = []
            if r.this_device:
                marks.append(t("sup.device_this"))
            if r.revoked:  # a revoked device syncs no more: stale or not says nothing
                marks.append("✕ " + t("sup.device_revoked"))
            else:
                marks.append("⚠ " + t("sup.device_stale") if r.stale else "✓ " + t("sup.device_ok"))
            if r.revoked is None:
                marks.append(t("sup.device_unknown_revoked"))
            # In China time, as every day the rules count (the same on a laptop left on UTC).
            seen = r.last_seen.astimezone(CHINA).strftime("%Y-%m-%d %H:%M") if r.last_seen else t("sup.never")
            role = t(f"sup.role.{r.role}") if r.role in ("worker", "supervisor") else "—"
            self.add_row(r.device_id[:12], r.worker_id, role, seen, " · ".join(marks), key=r.device_id)
