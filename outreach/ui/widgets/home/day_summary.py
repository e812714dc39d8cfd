"""The day at a glance: what needs attention (counted, first), visits, work waiting to sync, last sync, center."""

from __future__ import annotations

from textual.widgets import Static

from outreach.i18n import t
from outreach.services.views import HomeSummary
from outreach.ui.format import age


class DaySummary(Static):
    def show(self, s: HomeSummary) -> None:
        center = s.center or t("home.center_none")
        # First line, above the fold at 80x24: what needs the worker, counted, with the key that acts on it
        if s.issues:
            first = "⚠ " + t("home.attention_issues", count=len(s.issues))
        else:
            first = "✓ " + t("home.attention_none")
        if s.deadlines:
            first += "  ⏰ " + t("home.deadlines", count=len(s.deadlines))
        lines = [
            first,
            t("home.today", day=s.today.isoformat()),
            t("home.visits", planned=s.visits_planned, done=s.visits_done),
            t("home.pending", count=s.pending_ops),
            t("home.last_sync", age=age(s.last_sync_age)) + "  " + t("home.center", center=center),
        ]
        self.update("\n".join(lines))
