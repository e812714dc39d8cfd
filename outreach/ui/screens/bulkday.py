"""Employer bulk activation days: the list of days (plan one, import its roster with a preview to confirm)
and the table loop (card in -> the line opens -> ``c`` confirms holder and document -> ``1`` bank done /
``2`` declined with a reason / ``h`` hand-over; ``d`` types the last digits when a card cannot be read;
``w`` adds a walk-in; ``x`` closes with the reconciliation). Every vault call runs in a worker; results come
back as messages, so the loop never waits on the screen."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Header, Static

from outreach.bulkdays.errors import RosterError, RosterHeaderError
from outreach.i18n import t
from outreach.services.bulkdays import Action, BulkDayError, TableCard, TableLine
from outreach.ui.base import BaseScreen
from outreach.ui.messages import BulkLine, BulkProgress, BulkRecorded, ReaderChanged
from outreach.ui.widgets.bulkday.panes import ExceptionList, LinePane, ProgressPane, pick


def _problem(exc: Exception) -> tuple[str, str]:
    if isinstance(exc, BulkDayError):
        return exc.zh, exc.en
    if isinstance(exc, RosterError):
        return exc.message_zh, exc.message_en
    return t("error.unexpected"), t("error.unexpected")


class BulkDaysScreen(BaseScreen):
    """The bulk days this laptop knows, latest first; plan a new one, import a roster, open one."""

    BINDINGS = [
        Binding("p", "plan", "bind.bulk_plan", id="bulk-plan"),
        Binding("i", "import_roster", "bind.bulk_import", id="bulk-import"),
        Binding("escape", "back", "bind.back", id="back"),
    ]

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Vertical(id="bulk-list-body"):
            yield Static(t("bulk.list.title"), id="bulk-list-title")
            yield DataTable(id="bulk-sessions", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        table = self.query_one("#bulk-sessions", DataTable)
        table.add_columns(t("bulk.col.day"), t("bulk.col.employer"), t("bulk.col.roster"), t("bulk.col.state"))
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    @work(thread=True, exclusive=True, exit_on_error=False, group="bulk-list")
    def reload(self) -> None:
        days = self.outreach.ctx.bulkdays.sessions()
        self.app.call_from_thread(self._show, days)

    def _show(self, days: list[Any]) -> None:
        table = self.query_one("#bulk-sessions", DataTable)
        table.clear()
        for d in days:
            state = "closed" if d.close else ("cancelled" if d.plan.cancelled else "open")
            table.add_row(d.plan.day.isoformat(), d.plan.employer.name,
                          str(len(d.roster.entries) if d.roster else 0), t(f"bulk.state.{state}"),
                          key=d.plan.session_id)
        if days:
            table.focus()

    def _selected(self) -> str | None:
        table = self.query_one("#bulk-sessions", DataTable)
        if table.row_count == 0:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    @on(DataTable.RowSelected, "#bulk-sessions")
    def _open(self, event: DataTable.RowSelected) -> None:
        self.app.push_screen(BulkDayScreen(str(event.row_key.value)))

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_plan(self) -> None:
        from outreach.ui.dialogs.bulkday import FieldsDialog

        fields = [("employer", "bulk.f.employer", ""), ("credit_code", "bulk.f.credit_code", ""),
                  ("venue", "bulk.f.venue", ""), ("day", "bulk.f.day", self.outreach.ctx.clock.today().isoformat()),
                  ("workers", "bulk.f.workers", self.outreach.ctx.session.vault.worker_id),
                  ("bank_branch", "bulk.f.bank_branch", "")]
        self.app.push_screen(FieldsDialog(t("bulk.plan.title"), fields), self._planned)

    def _planned(self, values: dict[str, str] | None) -> None:
        if values:
            self.save_plan(values)

    @work(thread=True, exclusive=True, exit_on_error=False, group="bulk-plan")
    def save_plan(self, values: dict[str, str]) -> None:
        try:
            day = dt.date.fromisoformat(values["day"].strip())
        except ValueError:
            self.app.call_from_thread(self.notify, t("bulk.err.day"), severity="error")
            return
        try:
            self.outreach.ctx.bulkdays.plan(
                employer=values["employer"], credit_code=values["credit_code"], venue=values["venue"], day=day,
                workers=values["workers"].replace("，", ",").split(","), bank_branch=values["bank_branch"])
        except BulkDayError as exc:
            self.app.call_from_thread(self.notify, pick(_problem(exc)), severity="error", timeout=8)
            return
        self.app.call_from_thread(self.notify, t("bulk.plan.saved"))
        self.reload()

    def action_import_roster(self) -> None:
        session_id = self._selected()
        if session_id is not None:
            start_import(self, session_id, self.reload)


def start_import(screen: BaseScreen, session_id: str, after: Any) -> None:
    """Ask for the file (and, when a column is not recognised, for its meaning), preview, confirm."""
    from outreach.ui.dialogs.bulkday import FieldsDialog

    importer = _Importer(screen, session_id, after)
    screen.app.push_screen(FieldsDialog(t("bulk.import.title"), [("path", "bulk.f.path", ""), ("map", "bulk.f.map", "")],
                                        note=t("bulk.import.note")), importer.chosen)


class _Importer:
    """One import: the file chosen, previewed in a worker, shown, confirmed (or not) by the worker."""

    def __init__(self, screen: BaseScreen, session_id: str, after: Any) -> None:
        self.screen = screen
        self.session_id = session_id
        self.after = after

    def chosen(self, values: dict[str, str] | None) -> None:
        if not values or not values["path"].strip():
            return
        mapping = {}
        for pair in values["map"].replace("，", ",").split(","):
            header, sep, field = pair.partition("=")
            if sep:
                mapping[header.strip()] = field.strip()
        self.screen.run_worker(lambda: self._preview(Path(values["path"].strip()).expanduser(), mapping),
                               thread=True, exclusive=True, exit_on_error=False, group="bulk-import")

    def _preview(self, path: Path, mapping: dict[str, str]) -> None:
        app = self.screen.app
        try:
            preview = self.screen.outreach.ctx.bulkdays.preview_roster(self.session_id, path, mapping)
        except RosterHeaderError as exc:
            text = pick((exc.message_zh, exc.message_en)) + "\n" + t("bulk.import.ask", headers="、".join(exc.unmapped))
            app.call_from_thread(self.screen.notify, text, severity="warning", timeout=15)
            return
        except (RosterError, BulkDayError) as exc:
            app.call_from_thread(self.screen.notify, pick(_problem(exc)), severity="error", timeout=10)
            return
        refused = [t("bulk.preview.row", row=r.row, reason=pick((r.reason_zh, r.reason_en))) for r in preview.refused]
        app.call_from_thread(self._show, preview, refused)

    def _show(self, preview: Any, refused: list[str]) -> None:
        from outreach.ui.dialogs.bulkday import PreviewDialog

        def decided(ok: bool | None) -> None:
            if ok:
                self.screen.run_worker(lambda: self._confirm(preview), thread=True, exclusive=True,
                                       exit_on_error=False, group="bulk-import")

        self.screen.app.push_screen(PreviewDialog(pick(preview.summary()), refused), decided)

    def _confirm(self, preview: Any) -> None:
        roster = self.screen.outreach.ctx.bulkdays.confirm_roster(self.session_id, preview)
        app = self.screen.app
        app.call_from_thread(self.screen.notify, t("bulk.import.done", revision=roster.revision,
                                                   count=len(roster.entries)))
        app.call_from_thread(self.after)


class BulkDayScreen(BaseScreen):
    """The loop at the table for one day."""

    BINDINGS = [
        Binding("c", "check", "bind.bulk_check", id="bulk-check"),
        Binding("1", "bank_done", "bind.bulk_done", id="bulk-done"),
        Binding("2", "bank_declined", "bind.bulk_declined", id="bulk-declined"),
        Binding("h", "hand_over", "bind.bulk_hand_over", id="bulk-hand-over"),
        Binding("a", "apply", "bind.bulk_apply", id="bulk-apply"),
        Binding("d", "digits", "bind.bulk_digits", id="bulk-digits"),
        Binding("w", "walk_in", "bind.bulk_walk_in", id="bulk-walk-in"),
        Binding("i", "import_roster", "bind.bulk_import", id="bulk-import"),
        Binding("x", "close_day", "bind.bulk_close", id="bulk-close"),
        Binding("escape", "back", "bind.back", id="back"),
    ]

    def __init__(self, session_id: str) -> None:
        super().__init__()
        self.session_id = session_id
        self.line: TableLine | None = None
        self.checked = False
        self._card_number: str | None = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Vertical(id="bulk-body"):
            yield Static("", id="bulk-title")
            with Horizontal(id="bulk-top"):
                yield LinePane(t("bulk.line.waiting"), id="bulk-line", classes="panel")
                yield ProgressPane("", id="bulk-progress", classes="panel")
            yield Static(t("bulk.exceptions"), id="bulk-exc-title")
            yield ExceptionList(id="bulk-exceptions")
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.refresh_progress()
        view = self.outreach.reader_view
        if view is not None and view.state == "card":
            self._card(view)

    # --- reading ---------------------------------------------------------------------------------
    @on(ReaderChanged)
    def _reader(self, message: ReaderChanged) -> None:
        view = message.view
        if view.state != "card":
            self._card_number = None
            return
        if view.card_number == self._card_number:
            return
        self._card(view)

    def _card(self, view: Any) -> None:
        self._card_number = view.card_number
        self.open_read_card(view)

    @work(thread=True, exclusive=True, exit_on_error=False, group="bulk-line")
    def open_read_card(self, view: Any) -> None:
        """The line of the card just read: the chip's social security number must be a roster person's (the
        card number when the personal file could not be read)."""
        data = self.outreach.ctx.reader.last_card()
        ssn = data.ssn if data is not None else None
        if ssn is None and view.person_id is None:
            self.post_message(BulkLine(None, (t("bulk.err.unknown_card"), t("bulk.err.unknown_card"))))
            return
        card = TableCard(ssn=ssn, card_number=view.card_number, expires_on=view.expires_on)
        self._open(person_id=None if ssn else view.person_id, card=card)

    @work(thread=True, exclusive=True, exit_on_error=False, group="bulk-line")
    def open_line(self, *, person_id: str | None = None, digits: str | None = None) -> None:
        self._open(person_id=person_id, digits=digits)

    def _open(self, *, person_id: str | None = None, digits: str | None = None,
              card: TableCard | None = None) -> None:
        """(On a worker thread.) The service finds the line; the answer comes back as a message."""
        try:
            line = self.outreach.ctx.bulkdays.open_line(self.session_id, card=card, digits=digits,
                                                        person_id=person_id)
        except BulkDayError as exc:
            self.post_message(BulkLine(None, _problem(exc)))
            return
        self.post_message(BulkLine(line))

    @on(BulkLine)
    def _line(self, message: BulkLine) -> None:
        pane = self.query_one(LinePane)
        self.checked = False
        if message.problem is not None:
            self.line = None
            pane.show(None, note=f"[red]{pick(message.problem)}[/red]")
            return
        assert isinstance(message.line, TableLine)
        self.line = message.line
        pane.show(self.line)

    # --- recording -------------------------------------------------------------------------------
    def action_check(self) -> None:
        if self.line is not None and self.line.blocked is None:
            self.checked = True
            self.query_one(LinePane).show(self.line, checked=True)

    def _ready(self) -> TableLine | None:
        if self.line is None:
            self.notify(t("bulk.err.no_line"), severity="warning")
            return None
        if not self.checked:
            self.notify(t("bulk.line.check_first"), severity="warning")
            return None
        return self.line

    def action_bank_done(self) -> None:
        line = self._ready()
        if line is not None:
            self.checked = False  # a second press before the answer asks to check again, records nothing
            self.record(line.person_id, "bank_done")

    def action_hand_over(self) -> None:
        line = self._ready()
        if line is not None:
            self.checked = False
            self.record(line.person_id, "hand_over")

    def action_apply(self) -> None:
        """An application on the employer's behalf (Art. 9): the photo prepared from the folder, or a path."""
        from outreach.ui.dialogs.bulkday import FieldsDialog

        line = self._ready()
        if line is None:
            return

        def given(values: dict[str, str] | None) -> None:
            if values is not None:
                self.checked = False
                photo = values["photo"].strip()
                self.record(line.person_id, "apply", "", Path(photo).expanduser() if photo else None)

        self.app.push_screen(FieldsDialog(t("bulk.apply.title"), [("photo", "bulk.f.photo", "")],
                                          note=t("bulk.apply.note")), given)

    def action_bank_declined(self) -> None:
        from outreach.ui.dialogs.bulkday import FieldsDialog

        line = self.line
        if line is None:
            self.notify(t("bulk.err.no_line"), severity="warning")
            return

        def given(values: dict[str, str] | None) -> None:
            if values and values["reason"].strip():
                self.record(line.person_id, "bank_declined", values["reason"])

        self.app.push_screen(FieldsDialog(t("bulk.declined.title"), [("reason", "bulk.f.reason", "")]), given)

    @work(thread=True, exclusive=True, exit_on_error=False, group="bulk-record")
    def record(self, person_id: str, action: Action, reason: str = "", photo: Path | None = None) -> None:
        try:
            result = self.outreach.ctx.bulkdays.record(self.session_id, person_id, action, reason, photo)
        except BulkDayError as exc:
            self.post_message(BulkRecorded(_problem(exc)))
            return
        self.post_message(BulkRecorded(result.message, result.op_id, result.already))

    @on(BulkRecorded)
    def _recorded(self, message: BulkRecorded) -> None:
        text = pick(message.message)
        self.notify(text, severity="information" if message.op_id or message.already else "error")
        if message.op_id is not None:
            self.line = None
            self.checked = False
            self.query_one(LinePane).show(None, note=t("bulk.line.recorded", text=text))
        self.refresh_progress()

    # --- progress --------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, exit_on_error=False, group="bulk-progress")
    def refresh_progress(self) -> None:
        svc = self.outreach.ctx.bulkdays
        day = svc.state(self.session_id)
        self.app.call_from_thread(self.query_one("#bulk-title", Static).update,
                                  f"{day.plan.employer.name} · {day.plan.venue} · {day.plan.day.isoformat()}")
        self.post_message(BulkProgress(svc.progress(self.session_id)))

    @on(BulkProgress)
    def _progress(self, message: BulkProgress) -> None:
        from outreach.services.bulkdays import Progress

        assert isinstance(message.progress, Progress)
        self.query_one(ProgressPane).show(message.progress)
        self.query_one(ExceptionList).show(message.progress)

    # --- the rest --------------------------------------------------------------------------------
    def action_digits(self) -> None:
        from outreach.ui.dialogs.bulkday import FieldsDialog

        def given(values: dict[str, str] | None) -> None:
            if values and values["digits"].strip():
                self.open_line(digits=values["digits"])

        self.app.push_screen(FieldsDialog(t("bulk.digits.title"), [("digits", "bulk.f.digits", "")]), given)

    def action_walk_in(self) -> None:
        from outreach.ui.dialogs.bulkday import FieldsDialog

        fields = [("name", "bulk.f.name", ""), ("doc_number", "bulk.f.doc_number", ""),
                  ("department", "bulk.f.department", ""), ("mobile", "bulk.f.mobile", "")]
        self.app.push_screen(FieldsDialog(t("bulk.walk_in.title"), fields), self._walk_in)

    def _walk_in(self, values: dict[str, str] | None) -> None:
        if values:
            self.add_walk_in(values)

    @work(thread=True, exclusive=True, exit_on_error=False, group="bulk-walk-in")
    def add_walk_in(self, values: dict[str, str]) -> None:
        try:
            person_id = self.outreach.ctx.bulkdays.add_walk_in(self.session_id, values)
        except BulkDayError as exc:
            self.app.call_from_thread(self.notify, pick(_problem(exc)), severity="error", timeout=8)
            return
        self.open_line(person_id=person_id)
        self.refresh_progress()

    def action_import_roster(self) -> None:
        start_import(self, self.session_id, self.refresh_progress)

    def action_close_day(self) -> None:
        self.reconcile()

    @work(thread=True, exclusive=True, exit_on_error=False, group="bulk-close")
    def reconcile(self) -> None:
        p = self.outreach.ctx.bulkdays.progress(self.session_id)
        c = p.counts
        body = t("bulk.close.body", roster=p.roster, activated=c["activated"], handed_over=c["handed_over"],
                 applied=c["applied"], absent=c["absent"], exception=c["exception"])
        self.app.call_from_thread(self._ask_close, body)

    def _ask_close(self, body: str) -> None:
        from outreach.ui.dialogs.choice import ChoiceDialog

        def chosen(choice: str | None) -> None:
            if choice == "close":
                self.close_day()

        self.app.push_screen(ChoiceDialog(body, [("close", t("bulk.close.confirm")), ("back", t("bulk.close.back"))]),
                             chosen)

    @work(thread=True, exclusive=True, exit_on_error=False, group="bulk-close")
    def close_day(self) -> None:
        try:
            manifest = self.outreach.ctx.bulkdays.close(self.session_id)
        except BulkDayError as exc:
            self.app.call_from_thread(self.notify, pick(_problem(exc)), severity="error", timeout=8)
            return
        self.app.call_from_thread(self.notify, t("bulk.close.done", operations=len(manifest.operations)))
        self.refresh_progress()

    def action_back(self) -> None:
        self.app.pop_screen()
