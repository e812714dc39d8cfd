"""A list to pick one item from: returns the chosen value, or None when cancelled."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from outreach.ui.base import BaseModal


class ChoiceDialog(BaseModal[str | None]):
    BINDINGS = [Binding("escape", "cancel", "bind.cancel")]

    def __init__(self, title: str, options: list[tuple[str, str]]) -> None:
        """``options``: (value, label) pairs in display order."""
        super().__init__(classes="dialog")
        self._title = title
        self._options = options

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(self._title, classes="dialog-title")
            yield OptionList(*[Option(label, id=value) for value, label in self._options], id="choices")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
