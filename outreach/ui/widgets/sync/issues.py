"""Rejected and conflicting operations, each with the center's reason."""

from __future__ import annotations

from textual.widgets import DataTable

from outreach.i18n import t
from outreach.services.views import OpIssue
from outreach.ui.format import pick


class IssueTable(DataTable[str]):
    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.add_columns(t("col.problem"), t("col.name"), t("col.kind"), t("col.reason"))

    def show(self, issues: list[OpIssue]) -> None:
        self.clear()
        for issue in issues:
            mark = ("✕ " if issue.status == "rejected" else "⇄ ") + t(f"issue.{issue.status}")
            self.add_row(mark, issue.person_name, t(f"kind.{issue.kind}"), pick(issue.message), key=issue.op_id)
