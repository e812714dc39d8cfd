"""The visit log: outcome, who was present, notes, and the operations done during this visit."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Input, Label, Select, Static, TextArea

from outreach.i18n import t
from outreach.services.forms import VISIT_OUTCOMES
from outreach.ui.base import BaseScreen
from outreach.ui.format import pick
from outreach.ui.messages import FormSaved


class VisitScreen(BaseScreen):
    BINDINGS = [
        Binding("ctrl+s", "save", "bind.save", id="save", priority=True),
        Binding("escape", "back", "bind.cancel", id="back"),
        # as on the form screen: Tab moves the focus when read, so fast typing lands where it points (M7)
        Binding("tab", "app.focus_next", show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", show=False, priority=True),
    ]

    def __init__(self, person_id: str) -> None:
        super().__init__()
        self.person_id = person_id
        self._saving = False

    def compose(self) -> ComposeResult:
        visits = self.outreach.ctx.visits
        ops = visits.operations_in_visit(self.person_id)
        done = " · ".join(t(f"kind.{k}") for k in visits.kinds_in_visit(self.person_id))
        yield Header(show_clock=False)
        yield Label(t("visit.title"), id="form-title")
        yield Static("", id="form-whose")
        with VerticalScroll(id="form-body"):
            yield Label(t("visit.outcome"), classes="form-section")
            # A list in words (a radio set would mark the choice by colour only).
            yield Select([(t(f"outcome.{o}"), o) for o in VISIT_OUTCOMES], value="done", allow_blank=False,
                         id="outcome", compact=True)
            yield Label(t("visit.present"), classes="form-section")
            yield Input(placeholder=t("visit.present_hint"), id="present", compact=True)
            yield Label(t("visit.notes"), classes="form-section")
            yield TextArea(id="notes")
            yield Static(t("visit.ops", count=len(ops)) + (f"\n{done}" if done else ""), id="visit-ops")
            yield Static("", id="form-errors")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#outcome", Select).focus()
        self.load_whose()

    @work(thread=True, exclusive=True, exit_on_error=False, group="visit-whose")
    def load_whose(self) -> None:
        """Whose visit this is, numbers masked (m14), as on the forms."""
        whose = self.outreach.ctx.cards.whose(self.person_id)
        card = f" · {whose.card_masked}" if whose.card_masked else ""
        text = t("form.whose", name=whose.name, card=f" · {whose.id_masked}{card}")
        self.app.call_from_thread(self.query_one("#form-whose", Static).update, text)

    def action_save(self) -> None:
        if self._saving:  # a second press while the first save runs must not log the visit twice
            return
        self._saving = True
        outcome = str(self.query_one("#outcome", Select).value)
        self.save(outcome, self.query_one("#present", Input).value, self.query_one(TextArea).text)

    def _save_finished(self) -> None:
        self._saving = False

    @work(thread=True, exclusive=True, exit_on_error=False, group="visit")
    def save(self, outcome: str, present: str, notes: str) -> None:
        try:
            result = self.outreach.ctx.visits.log(self.person_id, outcome, present, notes)
        except BaseException:
            self.app.call_from_thread(self._save_finished)
            raise
        self.post_message(FormSaved(result, self.person_id))

    @on(FormSaved)
    def _saved(self, message: FormSaved) -> None:
        self._save_finished()
        if message.result.errors:
            self.query_one("#form-errors", Static).update(
                "\n".join(f"✕ {t('form.field.' + e.field)}: {pick(e.message)}" for e in message.result.errors))
            return
        self.notify(t("visit.saved"))
        if message.result.op_id:  # the person's receipt of the visit: print / save as PDF / read aloud
            from outreach.ui.dialogs.receipt import ReceiptDialog

            def back(_: bool | None) -> None:  # returns nothing: an awaited pop from the dialog's callback hangs
                self.app.pop_screen()

            self.app.push_screen(ReceiptDialog(t("visit.saved"), t("receipt.ui.offer"), message.result.op_id), back)
            return
        self.app.pop_screen()

    def action_back(self) -> None:
        self.app.pop_screen()
