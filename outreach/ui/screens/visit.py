"""The visit log: outcome, who was present, notes, and the operations done during this visit."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Input, Label, RadioButton, RadioSet, Static, TextArea

from outreach.i18n import t
from outreach.services.forms import VISIT_OUTCOMES
from outreach.ui.base import BaseScreen
from outreach.ui.format import pick
from outreach.ui.messages import FormSaved


class VisitScreen(BaseScreen):
    BINDINGS = [
        Binding("ctrl+s", "save", "bind.save", id="save", priority=True),
        Binding("escape", "back", "bind.cancel", id="back"),
    ]

    def __init__(self, person_id: str) -> None:
        super().__init__()
        self.person_id = person_id

    def compose(self) -> ComposeResult:
        ops = self.outreach.ctx.visits.operations_in_visit(self.person_id)
        yield Header(show_clock=False)
        yield Label(t("visit.title"), id="form-title")
        with VerticalScroll(id="form-body"):
            yield Label(t("visit.outcome"), classes="form-section")
            with RadioSet(id="outcome"):
                for i, outcome in enumerate(VISIT_OUTCOMES):
                    yield RadioButton(t(f"outcome.{outcome}"), value=i == 0, name=outcome)
            yield Label(t("visit.present"), classes="form-label")
            yield Input(placeholder=t("visit.present_hint"), id="present", compact=True)
            yield Label(t("visit.notes"), classes="form-label")
            yield TextArea(id="notes")
            yield Static(t("visit.ops", count=len(ops)), id="visit-ops")
            yield Static("", id="form-errors")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(RadioSet).focus()

    def action_save(self) -> None:
        radio = self.query_one(RadioSet).pressed_button
        outcome = radio.name if radio is not None and radio.name else "done"
        self.save(outcome, self.query_one("#present", Input).value, self.query_one(TextArea).text)

    @work(thread=True, exclusive=True, exit_on_error=False, group="visit")
    def save(self, outcome: str, present: str, notes: str) -> None:
        self.post_message(FormSaved(self.outreach.ctx.visits.log(self.person_id, outcome, present, notes),
                                    self.person_id))

    @on(FormSaved)
    def _saved(self, message: FormSaved) -> None:
        if message.result.errors:
            self.query_one("#form-errors", Static).update(
                "\n".join(f"✕ {t('form.field.' + e.field)}: {pick(e.message)}" for e in message.result.errors))
            return
        self.notify(t("visit.saved"))
        self.app.pop_screen()

    def action_back(self) -> None:
        self.app.pop_screen()
