"""Sync now (or let the background timer do it): progress, cancel, summary, and the rejected/conflicting
operations with both sides and what the worker may do about each."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, Label, ProgressBar, Static

from outreach.i18n import t
from outreach.services.errors import ServiceError
from outreach.services.views import OpIssue, SyncSummary
from outreach.ui.base import BaseScreen
from outreach.ui.format import pick
from outreach.ui.messages import IssuesLoaded, SyncFinished, SyncStepped
from outreach.ui.widgets.sync.issues import IssueTable


class SyncScreen(BaseScreen):
    BINDINGS = [
        Binding("s", "start", "bind.sync_start", id="start"),
        Binding("c", "cancel", "bind.sync_cancel", id="cancel"),
        Binding("enter", "resolve", "bind.resolve", id="resolve", show=False),
        Binding("escape", "back", "bind.back", id="back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.issues: list[OpIssue] = []
        self.summary: SyncSummary | None = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Label(t("sync.title"), id="form-title")
        yield Static("", id="sync-status")
        yield ProgressBar(total=None, show_eta=False, id="sync-progress")
        yield Static("", id="sync-summary")
        yield Label(t("sync.issues"), classes="form-section")
        yield IssueTable(id="issues")
        yield Footer()

    def on_mount(self) -> None:
        running = self.outreach.sync_running
        self._status(t("sync.running") if running else t("sync.idle"))
        self.load_issues()

    @work(thread=True, exclusive=True, exit_on_error=False, group="sync-issues")
    def load_issues(self) -> None:
        self.post_message(IssuesLoaded(self.outreach.ctx.sync.issues()))

    def _status(self, text: str) -> None:
        self.query_one("#sync-status", Static).update(text)

    def action_start(self) -> None:
        if self.outreach.sync_running:
            return
        bar = self.query_one(ProgressBar)
        bar.update(total=None, progress=0)
        self._status(t("sync.running"))
        self.outreach.start_sync()

    def action_cancel(self) -> None:
        if self.outreach.sync_running:
            self.outreach.cancel_sync()
            self._status(t("sync.cancelling"))

    @on(SyncStepped)
    def _step(self, message: SyncStepped) -> None:
        p = message.progress
        bar = self.query_one(ProgressBar)
        bar.update(total=max(p.total, 1), progress=p.done)
        self._status(t(f"sync.stage.{p.stage}", done=p.done, total=p.total))

    @on(IssuesLoaded)
    def _issues(self, message: IssuesLoaded) -> None:
        self.issues = list(message.issues)
        self.query_one(IssueTable).show(self.issues)

    @on(SyncFinished)
    def _finished(self, message: SyncFinished) -> None:
        s = message.summary
        self.issues = list(s.issues)
        self.query_one(IssueTable).show(self.issues)
        self.summary = s
        bar = self.query_one(ProgressBar)
        bar.update(total=1, progress=1 if not s.cancelled and not s.error_key else 0)
        if s.error_key:
            detail = f" ({pick(s.error_detail)})" if s.error_detail else ""
            self._status("⚠ " + t(s.error_key) + detail)
        elif s.cancelled:
            self._status(t("sync.cancelled"))
        else:
            self._status("✓ " + t("sync.done"))
        self.query_one("#sync-summary", Static).update(
            t("sync.summary", pushed=s.pushed, pulled=s.pulled, rejected=s.rejected, conflicts=s.conflicts))

    @on(IssueTable.RowSelected)
    def _row(self) -> None:
        self.action_resolve()

    def action_resolve(self) -> None:
        from outreach.ui.dialogs.resolve import ResolveDialog

        table = self.query_one(IssueTable)
        if not self.issues or table.cursor_row < 0 or table.cursor_row >= len(self.issues):
            return
        issue = self.issues[table.cursor_row]
        self.app.push_screen(ResolveDialog(issue), lambda choice: self._resolve(issue, choice))

    def _resolve(self, issue: OpIssue, choice: str | None) -> None:
        if choice is None:
            return
        if choice == "new":
            from outreach.ui.screens.person import PersonScreen

            self.resolve(issue, choice)
            self.app.push_screen(PersonScreen(issue.subject))
            return
        self.resolve(issue, choice)

    @work(thread=True, exclusive=True, exit_on_error=False, group="sync-resolve")
    def resolve(self, issue: OpIssue, choice: str) -> None:
        from outreach.ui.dialogs.resolve import outcome

        try:
            done = self.outreach.ctx.sync.resolve(issue, choice)
        except ServiceError as exc:  # e.g. a merge before the registered person reached this laptop
            self.app.call_from_thread(self._status, "⚠ " + t(exc.key, **exc.params))
            return
        self.app.call_from_thread(self._status, outcome(issue, done))  # what the choice did, in words
        self.post_message(IssuesLoaded(self.outreach.ctx.sync.issues()))

    def action_back(self) -> None:
        self.app.pop_screen()

