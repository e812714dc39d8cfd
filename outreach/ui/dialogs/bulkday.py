"""The bulk day's dialogs: a few labelled inputs (plan, walk-in, last digits, the bank's reason, a roster
file), and the import preview to confirm. Each returns its values, or None when cancelled."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Input, Label, Static

from outreach.i18n import t
from outreach.ui.base import BaseModal

#: (name, label key, default) of one input.
FieldDef = tuple[str, str, str]


class FieldsDialog(BaseModal[dict[str, str] | None]):
    """Inputs top to bottom; Enter moves to the next and, on the last, returns every value."""

    BINDINGS = [Binding("escape", "cancel", "bind.cancel")]

    def __init__(self, title: str, fields: list[FieldDef], *, note: str = "") -> None:
        super().__init__(classes="dialog")
        self._title = title
        self._fields = fields
        self._note = note

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(self._title, classes="dialog-title")
            if self._note:
                yield Static(self._note, classes="dialog-note")
            for name, label, default in self._fields:
                yield Label(t(label))
                yield Input(value=default, id=f"f-{name}")

    def on_mount(self) -> None:
        super().on_mount()
        self.query(Input).first().focus()

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        inputs = list(self.query(Input))
        index = inputs.index(event.input)
        if index + 1 < len(inputs):
            inputs[index + 1].focus()
            return
        self.dismiss({name: self.query_one(f"#f-{name}", Input).value for name, _l, _d in self._fields})

    def action_cancel(self) -> None:
        self.dismiss(None)


class PreviewDialog(BaseModal[bool]):
    """The import preview: counts and the refused rows with their reasons; ``y`` imports, Esc does not."""

    BINDINGS = [Binding("y", "confirm", "bind.bulk_confirm"), Binding("escape", "cancel", "bind.cancel")]

    def __init__(self, summary: str, refused: list[str]) -> None:
        super().__init__(classes="dialog")
        self._summary = summary
        self._refused = refused

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box wide"):
            yield Label(t("bulk.preview.title"), classes="dialog-title")
            yield Static(self._summary, id="preview-summary")
            with VerticalScroll(classes="dialog-body"):
                yield Static("\n".join(self._refused) or t("bulk.preview.none_refused"), id="preview-refused")
            yield Static(t("bulk.preview.keys"))

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
