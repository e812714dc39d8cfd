"""The confirmation of a saved card event or visit, offering the person's receipt with one key each:
P prints it (the printer of the settings), S saves it as a PDF where the worker chooses, A reads it aloud.

Also the reprint dialog of the person's history (:func:`reprint_choices`). The work runs in thread workers;
a failure (no printer, jammed, no speech engine) is said in the dialog itself, and the receipt stays
available for reprinting because it is rebuilt from the vault.
"""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, Static

from outreach.i18n import language, t
from outreach.services.errors import ServiceError
from outreach.services.receipts import ReceiptService
from outreach.ui.dialogs.message import MessageDialog


def receipt_service(app: object) -> ReceiptService:
    ctx = app.ctx  # type: ignore[attr-defined]
    return ReceiptService(ctx.session, lambda: ctx.settings)


class ReceiptDialog(MessageDialog):
    """A :class:`MessageDialog` (saved result, fee decision) with the receipt's print / save / speak keys."""

    BINDINGS = [
        Binding("p", "print", "receipt.ui.print", id="receipt-print"),
        Binding("s", "save", "receipt.ui.save", id="receipt-save"),
        Binding("a", "speak", "receipt.ui.speak", id="receipt-speak"),
    ]

    def __init__(self, title: str, body: str, op_id: str, *, kind: str = "saved") -> None:
        super().__init__(title, body, kind=f"{kind} receipt")
        self.op_id = op_id
        self.last_status = ""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(self._title, classes="dialog-title")
            with VerticalScroll(classes="dialog-body"):
                yield Static(self._body, id="dialog-text")
            yield Static(t("receipt.ui.offer"), id="receipt-offer")
            yield Input(placeholder=t("receipt.ui.save_where"), id="receipt-path", compact=True)
            yield Static("", id="receipt-status")
            with Horizontal(classes="buttons"):
                yield Button(t("button.ok"), id="ok", variant="primary", compact=True)
                yield Button("P " + t("receipt.ui.print"), id="receipt-print", compact=True)
                yield Button("S " + t("receipt.ui.save"), id="receipt-save", compact=True)
                yield Button("A " + t("receipt.ui.speak"), id="receipt-speak", compact=True)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#receipt-path", Input).display = False
        self.query_one("#ok", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        event.prevent_default()  # MessageDialog's own handler would dismiss a second time (popping the form's page)
        actions = {"receipt-print": self.action_print, "receipt-save": self.action_save,
                   "receipt-speak": self.action_speak}
        actions.get(event.button.id or "", self.action_close)()

    def _status(self, text: str, error: bool = False) -> None:
        self.last_status = text
        box = self.query_one("#receipt-status", Static)
        box.update(text)
        box.set_class(error, "error")

    def _failed(self, exc: ServiceError) -> None:
        zh_first = language() == "zh_CN"
        detail = (exc.detail[0] if zh_first else exc.detail[1]) if exc.detail else ""
        self._status(f"✕ {t(exc.key, **exc.params)}" + (f": {detail}" if detail else ""), error=True)

    # --- the three keys ------------------------------------------------------------------------
    def action_print(self) -> None:
        self._status("…")
        self.print_receipt()

    def action_save(self) -> None:
        box = self.query_one("#receipt-path", Input)
        if not box.display:
            box.value = str(Path.home() / f"receipt-{self.op_id[:8]}.pdf")
            box.display = True
        box.focus()

    def action_speak(self) -> None:
        self._status("…")
        self.speak_receipt()

    @on(Input.Submitted, "#receipt-path")
    def _path_chosen(self, event: Input.Submitted) -> None:
        event.stop()
        self._status("…")
        self.save_receipt(event.value)

    @work(thread=True, exclusive=True, exit_on_error=False, group="receipt")
    def print_receipt(self) -> None:
        try:
            printer = receipt_service(self.app).print(self.op_id, language())
        except ServiceError as exc:
            self.app.call_from_thread(self._failed, exc)
            return
        self.app.call_from_thread(self._status, "✓ " + t("receipt.ui.printed", printer=printer))

    @work(thread=True, exclusive=True, exit_on_error=False, group="receipt")
    def save_receipt(self, path: str) -> None:
        try:
            saved = receipt_service(self.app).save(self.op_id, path, language())
        except ServiceError as exc:
            self.app.call_from_thread(self._failed, exc)
            return
        self.app.call_from_thread(self._status, "✓ " + t("receipt.ui.saved", path=str(saved)))

    @work(thread=True, exclusive=True, exit_on_error=False, group="receipt")
    def speak_receipt(self) -> None:
        try:
            receipt_service(self.app).speak(self.op_id, language())
        except ServiceError as exc:
            self.app.call_from_thread(self._failed, exc)
            return
        self.app.call_from_thread(self._status, "✓ " + t("receipt.ui.spoken"))


def reprint_choices(app: object, person_id: str) -> list[tuple[str, str]]:
    """(op id, label) of the person's earlier receipts, newest first, for a :class:`ChoiceDialog`."""
    return [(c.op_id, f"{c.when}  {t('kind.' + c.kind)}") for c in receipt_service(app).choices(person_id)]
