"""The supervisor's home: the area at a glance (visits per day, outcomes, work by kind, workers, deadlines,
open issues by age, devices) and the export panel. Reached from home on a supervisor's laptop only.

Reading and exporting run in Textual worker threads, so the screen stays responsive; the export is cancelled
through an event the engine polls (a cancelled export leaves no file behind, see :mod:`outreach.exports.engine`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Footer, Header, Label, Static

from outreach import locations
from outreach.i18n import language, t
from outreach.services.errors import ServiceError
from outreach.services.supervision import ExportChoice, ExportDone, SupervisorOverview
from outreach.ui.base import BaseScreen
from outreach.ui.widgets.supervisor.charts import Bars, VisitsPerDay
from outreach.ui.widgets.supervisor.export_panel import BadChoice, ExportPanel
from outreach.ui.widgets.supervisor.tables import DeadlinesTable, DevicesTable, IssuesTable, WorkersTable

#: Days shown in the visits chart.
CHART_DAYS = 14
#: Deadlines "coming" within this many days.
HORIZON_DAYS = 30


@dataclass
class OverviewLoaded(Message):
    overview: SupervisorOverview


@dataclass
class ExportStepped(Message):
    dataset: str
    rows: int


@dataclass
class ExportFinished(Message):
    """``done`` None: cancelled, nothing left behind."""

    done: ExportDone | None


@dataclass
class ExportFailed(Message):
    text: str


def default_export_folder() -> Path:
    return locations.data_dir() / "exports"


class SupervisorScreen(BaseScreen):
    DEFAULT_CSS = """
    SupervisorScreen #sup-body { height: 1fr; }
    SupervisorScreen #sup-charts { height: auto; }
    SupervisorScreen #sup-charts > .panel { width: 1fr; }
    SupervisorScreen #sup-charts > #sup-visits { width: 47; }
    SupervisorScreen.-narrow #sup-charts { layout: vertical; }
    SupervisorScreen.-narrow #sup-charts > .panel { width: 100%; }
    SupervisorScreen DataTable { height: auto; max-height: 12; }
    SupervisorScreen .sup-row { height: auto; }
    SupervisorScreen .sup-row > Select, SupervisorScreen .sup-row > Input { width: 1fr; }
    SupervisorScreen #sup-title { text-style: bold; padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "back", "bind.back", id="back"),
        Binding("f5", "refresh", "bind.refresh", id="refresh"),
        # priority: they work while the cursor is in a filter field (Input has its own ctrl+e and ctrl+x).
        Binding("ctrl+e", "export_start", "bind.export_start", id="export_start", priority=True),
        Binding("ctrl+g", "export_cancel", "bind.export_cancel", id="export_cancel", priority=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.overview: SupervisorOverview | None = None
        self.cancel_event: threading.Event | None = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with VerticalScroll(id="sup-body"):
            yield Static("", id="sup-title")
            with Horizontal(id="sup-charts"):
                yield VisitsPerDay(id="sup-visits", classes="panel")
                yield Bars(id="sup-outcomes", classes="panel")
                yield Bars(id="sup-kinds", classes="panel")
            yield Label(t("sup.workers"), classes="form-section")
            yield WorkersTable(id="sup-workers")
            yield Static("", id="sup-deadlines-title", classes="form-section")
            yield DeadlinesTable(id="sup-deadlines")
            yield Label(t("sup.issues"), classes="form-section")
            yield Static("", id="sup-issues-none")
            yield IssuesTable(id="sup-issues")
            yield Label(t("sup.devices"), classes="form-section")
            yield DevicesTable(id="sup-devices")
            yield ExportPanel(default_export_folder(), id="sup-export", classes="panel")
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.load()

    def action_refresh(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="supervisor")
    def load(self) -> None:
        self.post_message(OverviewLoaded(self.outreach.ctx.supervision.overview(CHART_DAYS, HORIZON_DAYS)))

    @on(OverviewLoaded)
    def _loaded(self, message: OverviewLoaded) -> None:
        o = self.overview = message.overview
        self.query_one("#sup-title", Static).update(t("sup.title", area=o.area, day=o.today.isoformat()))
        self.query_one(VisitsPerDay).show(o.visits_per_day)
        self.query_one("#sup-outcomes", Bars).show(
            t("sup.outcomes"), [(t(f"outcome.{k}"), n) for k, n in o.outcomes])
        self.query_one("#sup-kinds", Bars).show(
            t("sup.kinds", days=len(o.visits_per_day)), [(t(f"kind.{k}"), n) for k, n in o.kinds])
        self.query_one(WorkersTable).show(o.workers)
        self.query_one("#sup-deadlines-title", Static).update(
            t("sup.deadlines", overdue=len(o.overdue), coming=len(o.coming), days=HORIZON_DAYS))
        self.query_one(DeadlinesTable).show(o.overdue + o.coming)
        self.query_one("#sup-issues-none", Static).update("" if o.issues else "✓ " + t("sup.issues_none"))
        self.query_one(IssuesTable).show(o.issues)
        self.query_one(DevicesTable).show(o.devices)

    # -- the export ---------------------------------------------------------------------------------
    @property
    def exporting(self) -> bool:
        return self.cancel_event is not None

    @on(Button.Pressed, "#exp-start")
    def _start_pressed(self) -> None:
        self.action_export_start()

    @on(Button.Pressed, "#exp-cancel")
    def _cancel_pressed(self) -> None:
        self.action_export_cancel()

    def action_export_start(self) -> None:
        panel = self.query_one(ExportPanel)
        if self.exporting:
            self.notify(t("sup.export.busy"))
            return
        try:
            choice, folder = panel.choice()
        except BadChoice as exc:
            panel.failed(t(exc.key))
            return
        total = self.overview.totals.get(choice.datasets[0]) if self.overview is not None else None
        self.cancel_event = threading.Event()
        panel.running(total)
        self.run_export(choice, folder, self.cancel_event)

    def action_export_cancel(self) -> None:
        if self.cancel_event is not None:
            self.cancel_event.set()
            self.query_one(ExportPanel).status_text(t("sup.export.cancelling"))

    @work(thread=True, exclusive=True, exit_on_error=False, group="supervisor-export")
    def run_export(self, choice: ExportChoice, folder: Path, cancel: threading.Event) -> None:
        def progress(dataset: str, rows: int) -> None:
            self.post_message(ExportStepped(dataset, rows))

        try:
            done = self.outreach.ctx.supervision.export(choice, folder, progress=progress, cancel=cancel)
        except ServiceError as exc:
            words = t(exc.key, **exc.params)
            if exc.detail:
                words += "：" + (exc.detail[0] if language().startswith("zh") else exc.detail[1])
            self.post_message(ExportFailed(words))
            return
        self.post_message(ExportFinished(done))

    @on(ExportStepped)
    def _stepped(self, message: ExportStepped) -> None:
        if self.exporting:
            self.query_one(ExportPanel).stepped(message.dataset, message.rows)

    @on(ExportFinished)
    def _finished(self, message: ExportFinished) -> None:
        self.cancel_event = None
        self.query_one(ExportPanel).finished(message.done)
        if message.done is not None:
            self.load()  # the checkpoint and, for a full export, the audit operation are new

    @on(ExportFailed)
    def _failed(self, message: ExportFailed) -> None:
        self.cancel_event = None
        self.query_one(ExportPanel).failed(message.text)

    def action_back(self) -> None:
        if self.cancel_event is not None:  # leaving stops the export: nothing half-written stays behind
            self.cancel_event.set()
        self.app.pop_screen()
