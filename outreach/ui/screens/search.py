"""Find a person as the worker types (name, pinyin initials, identity number full or last digits, card
number), or by inserting their card."""

from __future__ import annotations

import time

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Input, Static

from outreach.i18n import t
from outreach.ui.base import BaseScreen
from outreach.ui.messages import ReaderChanged, SearchDone
from outreach.ui.widgets.home.reader_status import ReaderStatus


class SearchScreen(BaseScreen):
    BINDINGS = [
        Binding("escape", "back", "bind.back", id="back"),
        Binding("down", "results", "bind.results", show=False),
        Binding("ctrl+n", "register", "bind.register", id="register"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._ids: list[str] = []
        #: perf_counter() when the results of ``shown_query`` reached the table (read by the benchmark).
        self.shown_at = 0.0
        self.shown_query = ""

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Input(placeholder=t("search.placeholder"), id="query")
        yield Static(t("search.hint"), id="search-hint")
        yield ReaderStatus(id="search-reader")
        table: DataTable[str] = DataTable(id="results", cursor_type="row", zebra_stripes=True)
        yield table
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(t("col.name"), t("col.id"), t("col.birth"), t("col.card"), t("col.status"))
        self.query_one(ReaderStatus).show(self.outreach.reader_view)
        self.query_one("#query", Input).focus()

    @on(Input.Changed, "#query")
    def _typed(self, event: Input.Changed) -> None:
        self.search(event.value)

    @work(thread=True, exclusive=True, exit_on_error=False, group="search")
    def search(self, query: str) -> None:
        hits = self.outreach.ctx.people.find(query) if query.strip() else []
        self.post_message(SearchDone(query, hits))

    @on(SearchDone)
    def _results(self, message: SearchDone) -> None:
        if message.query != self.query_one("#query", Input).value:
            return  # an older query's answer
        table = self.query_one(DataTable)
        table.clear()
        self._ids = []
        for hit in message.hits:
            status = t(f"status.{hit.card_status}") if hit.card_status else t("status.none")
            table.add_row(hit.name, hit.id_masked, hit.birth_date.isoformat() if hit.birth_date else "",
                          hit.card_number or "", status)
            self._ids.append(hit.person_id)
        self.shown_at, self.shown_query = time.perf_counter(), message.query
        hint = self.query_one("#search-hint", Static)
        if message.query.strip() and not message.hits:
            hint.update(t("search.none"))
        elif message.hits:
            hint.update(t("search.count", count=len(message.hits)))
        else:
            hint.update(t("search.hint"))

    @on(Input.Submitted, "#query")
    def _enter(self) -> None:
        if len(self._ids) == 1:
            self.outreach.open_person(self._ids[0])
        elif self._ids:
            self.query_one(DataTable).focus()

    @on(DataTable.RowSelected)
    def _chosen(self, event: DataTable.RowSelected) -> None:
        index = event.cursor_row
        if 0 <= index < len(self._ids):
            self.outreach.open_person(self._ids[index])

    @on(ReaderChanged)
    def _reader(self, message: ReaderChanged) -> None:
        self.query_one(ReaderStatus).show(message.view)

    def action_results(self) -> None:
        if self._ids:
            self.query_one(DataTable).focus()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_register(self) -> None:
        from outreach.ui.screens.form import FormScreen

        self.app.push_screen(FormScreen("card.apply", None))
