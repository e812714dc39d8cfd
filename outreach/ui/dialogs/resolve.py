"""A rejected or conflicting operation, both sides, and what the worker may do: returns the choice or None."""

from __future__ import annotations

import json

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Label, Static

from outreach.i18n import t
from outreach.services.views import OpIssue
from outreach.ui.base import BaseModal
from outreach.ui.format import pick


def _side(data: object) -> str:
    if not data:
        return t("resolve.nothing")
    return json.dumps(data, ensure_ascii=False, indent=1, default=str)[:1500]


class ResolveDialog(BaseModal[str | None]):
    BINDINGS = [
        Binding("escape", "cancel", "bind.cancel"),
        Binding("1", "choose('mine')", "resolve.mine"),
        Binding("2", "choose('theirs')", "resolve.theirs"),
        Binding("3", "choose('new')", "resolve.new"),
    ]

    def __init__(self, issue: OpIssue) -> None:
        super().__init__(classes="dialog")
        self.issue = issue

    def compose(self) -> ComposeResult:
        issue = self.issue
        with Vertical(classes="dialog-box wide"):
            yield Label(f"{t('issue.' + issue.status)} — {issue.person_name} {t('kind.' + issue.kind)}",
                        classes="dialog-title")
            yield Static(pick(issue.message) or issue.code)
            with Horizontal(id="sides"):
                with VerticalScroll(classes="side"):
                    yield Label(t("resolve.mine_side"), classes="form-section")
                    yield Static(_side(issue.mine.get("event") or issue.mine))
                with VerticalScroll(classes="side"):
                    yield Label(t("resolve.theirs_side"), classes="form-section")
                    yield Static(_side(issue.theirs))
            with Horizontal(classes="buttons"):
                yield Button("1 " + t("resolve.mine"), id="mine")
                yield Button("2 " + t("resolve.theirs"), id="theirs", variant="primary")
                yield Button("3 " + t("resolve.new"), id="new")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id)

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)

    def action_cancel(self) -> None:
        self.dismiss(None)
