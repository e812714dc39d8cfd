"""One person: data masked until revealed, cards with status and origin, history; every form from here."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Header, Label

from outreach.i18n import t
from outreach.services.people import SENSITIVE
from outreach.services.views import PersonPage, ServiceOffer
from outreach.ui.base import BaseScreen
from outreach.ui.messages import PersonLoaded
from outreach.ui.widgets.person.card_panel import CardPanel
from outreach.ui.widgets.person.fields import PersonFields
from outreach.ui.widgets.person.history import History


class PersonScreen(BaseScreen):
    BINDINGS = [
        Binding("escape", "back", "bind.back", id="back"),
        Binding("e", "event", "bind.event", id="event"),
        Binding("v", "visit", "bind.visit", id="visit"),
        Binding("m", "reveal", "bind.reveal", id="reveal", tooltip="tip.reveal"),
        Binding("r", "refresh", "bind.refresh", id="refresh"),
        Binding("p", "reprint", "receipt.ui.reprint", id="reprint"),
    ]

    def __init__(self, person_id: str) -> None:
        super().__init__()
        self.person_id = person_id
        self.page: PersonPage | None = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Label("", id="person-name")
        with VerticalScroll(id="person-body"), Horizontal(id="person-top"):
            with Vertical(id="person-side"):
                yield CardPanel(id="card-panel", classes="panel")
                yield History(id="history", classes="panel")
            yield PersonFields(id="person-fields", classes="panel")
        yield Footer()

    def on_mount(self) -> None:
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        if self.outreach.ctx.session.is_open:
            self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="person")
    def load(self) -> None:
        self.post_message(PersonLoaded(self.outreach.ctx.people.page(self.person_id)))

    @work(thread=True, exclusive=True, exit_on_error=False, group="person-reveal")
    def reveal(self, field: str) -> None:
        people = self.outreach.ctx.people
        people.reveal(self.person_id, field, screen="person")
        self.post_message(PersonLoaded(people.page(self.person_id)))

    @on(PersonLoaded)
    def _loaded(self, message: PersonLoaded) -> None:
        page = message.page
        self.page = page
        title = page.name
        if page.deceased:
            title += "  " + t("person.deceased")
        self.query_one("#person-name", Label).update(title)
        self.query_one(PersonFields).show(page.fields)
        self.query_one(CardPanel).show(page.cards)
        self.query_one(History).show(page.history)

    def action_back(self) -> None:
        self.outreach.ctx.people.hide_all()
        self.app.pop_screen()

    def action_refresh(self) -> None:
        self.reload()

    def action_reveal(self) -> None:
        from outreach.ui.dialogs.choice import ChoiceDialog

        options = [(f, t(f"form.field.{f}")) for f in SENSITIVE]
        self.app.push_screen(ChoiceDialog(t("person.reveal_which"), options), self._revealed)

    def _revealed(self, field: str | None) -> None:
        if field:
            self.reveal(field)

    def action_event(self) -> None:
        self.load_offers()

    @work(thread=True, exclusive=True, exit_on_error=False, group="person-offers")
    def load_offers(self) -> None:
        offers = self.outreach.ctx.cards.offers(self.person_id)  # what the card's state allows, and why not
        self.app.call_from_thread(self._offer_services, offers)

    def _offer_services(self, offers: list[ServiceOffer]) -> None:
        from outreach.ui.dialogs.services import ServiceMenu

        self.app.push_screen(ServiceMenu(offers), self._chosen)

    def _chosen(self, kind: str | None) -> None:
        from outreach.ui.screens.form import FormScreen

        if kind:
            self.app.push_screen(FormScreen(kind, self.person_id))

    def action_visit(self) -> None:
        from outreach.ui.screens.visit import VisitScreen

        self.app.push_screen(VisitScreen(self.person_id))

    def action_reprint(self) -> None:
        self.load_receipts()

    @work(thread=True, exclusive=True, exit_on_error=False, group="person-receipts")
    def load_receipts(self) -> None:
        from outreach.ui.dialogs.receipt import reprint_choices

        choices = reprint_choices(self.app, self.person_id)
        self.app.call_from_thread(self._offer_reprint, choices)

    def _offer_reprint(self, choices: list[tuple[str, str]]) -> None:
        from outreach.ui.dialogs.choice import ChoiceDialog
        from outreach.ui.dialogs.receipt import ReceiptDialog

        if not choices:
            self.notify(t("receipt.ui.none"))
            return
        labels = dict(choices)

        def chosen(op_id: str | None) -> None:
            if op_id:
                self.app.push_screen(ReceiptDialog(t("receipt.ui.reprint"), labels[op_id], op_id, kind="info"))

        self.app.push_screen(ChoiceDialog(t("receipt.ui.reprint_which"), choices), chosen)
