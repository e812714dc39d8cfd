"""Home: the day at a glance, the live card-reader state, what needs attention (rejected/conflicts first)."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header

from outreach.ui.base import BaseScreen
from outreach.ui.messages import HomeLoaded, ReaderChanged, SyncFinished
from outreach.ui.widgets.home.attention import Attention
from outreach.ui.widgets.home.day_summary import DaySummary
from outreach.ui.widgets.home.reader_status import ReaderStatus


class HomeScreen(BaseScreen):
    BINDINGS = [
        Binding("s", "search", "bind.search", id="search"),
        Binding("n", "register", "bind.register", id="register"),
        Binding("y", "sync", "bind.sync", id="sync"),
        Binding("o", "settings", "bind.settings", id="settings"),
        Binding("r", "refresh", "bind.refresh", id="refresh"),
    ]

    def __init__(self) -> None:
        super().__init__()

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with VerticalScroll(id="home-body"):
            yield ReaderStatus(id="reader-status", classes="panel")
            yield DaySummary(id="day-summary", classes="panel")
            yield Attention(id="attention", classes="panel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(ReaderStatus).show(self.outreach.reader_view)
        self.reload()

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
        self.query_one(DaySummary).show(message.summary)
        self.query_one(Attention).show(message.summary)

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

    def action_refresh(self) -> None:
        self.reload()
        self.outreach.read_reader()
