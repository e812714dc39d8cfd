"""The export panel: dataset, filters, format, masked or full (with its purpose), a progress bar, cancel, and
where the files went. It only gathers the choice and shows the progress; the screen runs the export."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, Label, ProgressBar, Select, Static

from outreach.domain.enums import VisitOutcome
from outreach.exports.filters import DATASETS, FORMATS
from outreach.i18n import t
from outreach.services.supervision import ExportChoice, ExportDone


class BadChoice(ValueError):
    """A field of the panel the export cannot take (``key``: the message to show)."""

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(key)


def _date(text: str) -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise BadChoice("sup.export.bad_date") from None


class ExportPanel(Vertical):
    def __init__(self, folder: Path, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._folder = folder

    def compose(self) -> ComposeResult:
        yield Label(t("sup.export"), classes="form-section")
        with Horizontal(classes="sup-row"):
            yield Select([(t(f"dataset.{d}"), d) for d in DATASETS], value="visits", allow_blank=False,
                         prompt=t("sup.export.dataset"), id="exp-dataset")
            yield Select([(f.upper(), f) for f in FORMATS], value="csv", allow_blank=False,
                         prompt=t("sup.export.format"), id="exp-format")
            yield Select([(t(f"outcome.{o.value}"), o.value) for o in VisitOutcome],
                         prompt=t("sup.export.outcome_any"), id="exp-outcome")
        with Horizontal(classes="sup-row"):
            yield Input(placeholder=t("sup.export.from"), id="exp-from")
            yield Input(placeholder=t("sup.export.to"), id="exp-to")
            yield Input(placeholder=t("sup.export.area"), id="exp-area")
        with Horizontal(classes="sup-row"):
            yield Input(placeholder=t("sup.export.worker"), id="exp-worker")
            yield Input(placeholder=t("sup.export.kind"), id="exp-kind")
            yield Input(placeholder=t("sup.export.session"), id="exp-session")
        yield Checkbox(t("sup.export.since_last"), id="exp-since")
        yield Checkbox(t("sup.export.full"), id="exp-full")
        yield Input(placeholder=t("sup.export.purpose"), id="exp-purpose")
        yield Input(value=str(self._folder), placeholder=t("sup.export.folder"), id="exp-folder")
        with Horizontal(classes="sup-row"):
            yield Button(t("sup.export.start"), id="exp-start", variant="primary")
            yield Button(t("sup.export.cancel"), id="exp-cancel", disabled=True)
        yield ProgressBar(total=1, show_eta=False, id="exp-progress")  # still until an export starts
        yield Static("", id="exp-status")

    def choice(self) -> tuple[ExportChoice, Path]:
        """What the supervisor asked for, and the folder.

        Raises:
            BadChoice: a date that is not YYYY-MM-DD.
        """
        def text(widget_id: str) -> str:
            return self.query_one(f"#{widget_id}", Input).value.strip()

        outcome = self.query_one("#exp-outcome", Select).value
        choice = ExportChoice(
            datasets=(str(self.query_one("#exp-dataset", Select).value),),
            formats=(str(self.query_one("#exp-format", Select).value),),
            date_from=_date(text("exp-from")), date_to=_date(text("exp-to")),
            area=text("exp-area") or None, worker=text("exp-worker") or None,
            outcome=str(outcome) if isinstance(outcome, str) else None, kind=text("exp-kind") or None,
            session=text("exp-session") or None,
            since_last=self.query_one("#exp-since", Checkbox).value,
            full=self.query_one("#exp-full", Checkbox).value, purpose=text("exp-purpose"),
        )
        return choice, Path(text("exp-folder") or str(self._folder)).expanduser()

    # -- what the screen shows while and after it runs ----------------------------------------------
    def running(self, total: int | None) -> None:
        self.query_one("#exp-start", Button).disabled = True
        self.query_one("#exp-cancel", Button).disabled = False
        self.query_one(ProgressBar).update(total=total or None, progress=0)
        self.status(Text(t("sup.export.running", dataset="", rows=0)))

    def stepped(self, dataset: str, rows: int) -> None:
        bar = self.query_one(ProgressBar)
        if bar.total is not None and rows > bar.total:
            bar.update(total=rows)
        bar.update(progress=rows)
        self.status(Text(t("sup.export.running", dataset=t(f"dataset.{dataset}"), rows=rows)))

    def finished(self, done: ExportDone | None) -> None:
        """``done`` None: cancelled. A full export's password is shown here once; it is in no other place."""
        self._idle()
        if done is None:
            self.status(Text("✕ " + t("sup.export.cancelled")))
            return
        bar = self.query_one(ProgressBar)
        rows = sum(done.rows.values())
        bar.update(total=max(rows, 1), progress=max(rows, 1))
        text = Text("✓ " + t("sup.export.done", folder=str(done.folder)) + "\n")
        for name in done.files:
            text.append(t("sup.export.file", name=name) + "\n")
        if done.password is not None:
            text.append(t("sup.export.password", password=done.password), style="bold")
        self.status(text)

    def failed(self, message: str) -> None:
        self._idle()
        self.query_one(ProgressBar).update(total=1, progress=0)
        self.status(Text("✕ " + message))

    def _idle(self) -> None:
        self.query_one("#exp-start", Button).disabled = False
        self.query_one("#exp-cancel", Button).disabled = True

    def status(self, text: Text) -> None:
        status = self.query_one("#exp-status", Static)
        status.update(text)
        status.call_after_refresh(status.scroll_visible, animate=False)  # once its new height is laid out

    def status_text(self, text: str) -> None:
        self.status(Text(text))
