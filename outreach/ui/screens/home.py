"""Home: the day at a glance, the live card-reader state, what needs attention (rejected/conflicts first)."""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Footer, Header, Static

from outreach.i18n import t
from outreach.ui.base import BaseScreen
from outreach.ui.messages import HomeLoaded, ReaderChanged, SyncFinished
from outreach.ui.widgets.home.attention import Attention
from outreach.ui.widgets.home.day_summary import DaySummary
from outreach.ui.widgets.home.planned import PlannedVisits
from outreach.ui.widgets.home.reader_status import ReaderStatus


class HomeScreen(BaseScreen):
    BINDINGS = [
        Binding("s", "search", "bind.search", id="search"),
        Binding("n", "register", "bind.register", id="register"),
        Binding("y", "sync", "bind.sync", id="sync"),
        Binding("o", "settings", "bind.settings", id="settings"),
        Binding("r", "refresh", "bind.refresh", id="refresh"),
        Binding("v", "planned", "bind.planned", id="planned"),
        Binding("d", "drafts", "bind.drafts", id="drafts"),
        Binding("m", "supervisor", "bind.supervisor", id="supervisor"),
        Binding("b", "bulkdays", "bind.bulkdays", id="bulkdays"),
        Binding("h", "hosted", "bind.hosted", id="hosted"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.supervisor = False
        """The laptop was enrolled as a supervisor's: the supervisor home is offered (never to a worker)."""
        self.host = False
        """The laptop was enrolled as an employer host's: their sessions' screen is offered (to nobody else)."""

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with VerticalScroll(id="home-body"):
            yield ReaderStatus(id="reader-status", classes="panel")
            yield DaySummary(id="day-summary", classes="panel")
            with Vertical(id="planned-box", classes="panel"):
                yield Static(t("home.planned_none"), id="planned-title")
                yield PlannedVisits(id="planned")
            yield Attention(id="attention", classes="panel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(ReaderStatus).show(self.outreach.reader_view)
        self.reload()
        if not getattr(self.outreach, "drafts_offered", False):  # once per start: after a crash, quit or lock
            self.outreach.drafts_offered = True  # type: ignore[attr-defined]
            self.offer_drafts(quiet=True)

    @work(thread=True, exclusive=True, exit_on_error=False, group="drafts")
    def offer_drafts(self, quiet: bool = False) -> None:
        ctx = self.outreach.ctx
        drafts = ctx.drafts.list()
        if not drafts:
            if not quiet:
                self.app.call_from_thread(self.notify, t("draft.none"))
            return
        names = {}
        for d in drafts:
            if d.person_id and d.person_id not in names:
                try:
                    names[d.person_id] = ctx.people.person(d.person_id).name
                except Exception:
                    names[d.person_id] = "—"
        self.app.call_from_thread(self._offer, drafts, names)

    def _offer(self, drafts: list[Any], names: dict[str, str]) -> None:
        from outreach.ui.dialogs.choice import ChoiceDialog
        from outreach.ui.screens.form import FormScreen

        by_key = {d.key: d for d in drafts}
        options = [(d.key, t("draft.item", form=t(f"form.title.{d.kind}"),
                             whom=names.get(d.person_id or "", t("draft.new_person")),
                             when=d.updated_at[:16].replace("T", " "))) for d in drafts]

        def chosen(key: str | None) -> None:
            draft = by_key.get(key or "")
            if draft is not None:
                self.app.push_screen(FormScreen(draft.kind, draft.person_id, draft=draft))

        self.app.push_screen(ChoiceDialog(t("draft.offer_title"), [*options, ("later", t("draft.later"))]), chosen)

    def action_drafts(self) -> None:
        self.offer_drafts()

    def on_screen_resume(self) -> None:
        self.query_one(ReaderStatus).show(self.outreach.reader_view)
        self.reload()

    def reload(self) -> None:
        if self.outreach.ctx.session.is_open:
            self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="home")
    def load(self) -> None:
        self.post_message(HomeLoaded(self.outreach.ctx.home.summary()))

    @on(HomeLoaded)
    def _loaded(self, message: HomeLoaded) -> None:
        summary = message.summary
        supervisor = self.outreach.ctx.supervision.is_supervisor()
        host = self.outreach.ctx.supervision.role() == "employer_host"
        if (supervisor, host) != (self.supervisor, self.host):
            self.supervisor, self.host = supervisor, host
            self.refresh_bindings()
        self.query_one(DaySummary).show(summary)
        table = self.query_one(PlannedVisits)
        first = not table.person_ids
        table.show(summary.planned)
        title = t("home.planned", count=len(summary.planned)) if summary.planned else t("home.planned_none")
        self.query_one("#planned-title", Static).update(title)
        self.query_one(Attention).show(summary)
        if first and summary.planned and (self.focused is None or self.focused.id == "home-body"):
            table.focus()  # keyboard first: arrows pick a visit, Enter opens the person

    @on(DataTable.RowSelected, "#planned")
    def _planned_chosen(self, event: DataTable.RowSelected) -> None:
        person_id = self.query_one(PlannedVisits).person_at(event.cursor_row)
        if person_id is not None:
            self.outreach.open_person(person_id)

    @on(ReaderChanged)
    def _reader(self, message: ReaderChanged) -> None:
        self.query_one(ReaderStatus).show(message.view)

    @on(SyncFinished)
    def _synced(self) -> None:
        self.reload()

    def action_search(self) -> None:
        from outreach.ui.screens.search import SearchScreen

        self.app.push_screen(SearchScreen())

    def action_register(self) -> None:
        from outreach.ui.screens.form import FormScreen

        self.app.push_screen(FormScreen("card.apply", None))

    def action_sync(self) -> None:
        from outreach.ui.screens.sync import SyncScreen

        self.app.push_screen(SyncScreen())

    def action_settings(self) -> None:
        from outreach.ui.screens.settings import SettingsScreen

        self.app.push_screen(SettingsScreen())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "supervisor":
            return self.supervisor  # hidden from the footer and the palette on a worker's laptop
        if action == "hosted":
            return self.host
        return super().check_action(action, parameters)

    def action_supervisor(self) -> None:
        if not self.outreach.ctx.supervision.is_supervisor():
            return
        from outreach.ui.screens.supervisor import SupervisorScreen

        self.app.push_screen(SupervisorScreen())

    def action_hosted(self) -> None:
        if self.outreach.ctx.supervision.role() != "employer_host":
            return
        from outreach.ui.screens.hosted import HostedScreen

        self.app.push_screen(HostedScreen())

    def action_bulkdays(self) -> None:
        from outreach.ui.screens.bulkday import BulkDaysScreen

        self.app.push_screen(BulkDaysScreen())

    def action_planned(self) -> None:
        table = self.query_one(PlannedVisits)
        if table.person_ids:
            table.focus()
            table.scroll_visible()

    def action_refresh(self) -> None:
        self.reload()
        self.outreach.read_reader()
