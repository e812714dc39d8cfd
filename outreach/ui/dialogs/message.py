"""A message the worker must read and acknowledge (a refusal, a saved result with its fee decision)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Button, Label, Static

from outreach.i18n import t
from outreach.ui.base import BaseModal


class MessageDialog(BaseModal[bool]):
    """Returns True when acknowledged."""

    BINDINGS = [Binding("escape", "close", "bind.close"), Binding("enter", "close", "bind.close", show=False)]

    def __init__(self, title: str, body: str, *, kind: str = "info") -> None:
        super().__init__(classes=f"dialog {kind}")
        self._title = title
        self._body = body

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(self._title, classes="dialog-title")
            with VerticalScroll(classes="dialog-body"):
                yield Static(self._body, id="dialog-text")
            yield Button(t("button.ok"), id="ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one(Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(True)

    def action_close(self) -> None:
        self.dismiss(True)
