"""The employer host's screen (issue 13, items 8 and 10): their own employer's sessions as the center published
them to this laptop, read-only. Roster names, identity and mobile numbers arrive masked by the center (the host
never holds them unmasked); progress is the center's merge of every operator's laptop; the close report lists
who still needs a follow-up. Reached with ``h`` from home on a laptop enrolled as an ``employer_host``."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Footer, Header, Static

from outreach.i18n import t
from outreach.services.bulkdays import HostedSession
from outreach.ui.base import BaseScreen

_OUTCOMES = ("activated", "handed_over", "applied", "absent", "exception")


class HostedScreen(BaseScreen):
    """Every hosted session: its plan, the merged progress, the masked roster and the close report."""

    BINDINGS = [
        Binding("r", "refresh", "bind.refresh", id="refresh"),
        Binding("escape", "back", "bind.back", id="back"),
    ]

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with VerticalScroll(id="hosted-body"):
            yield Static(t("hosted.title"), id="hosted-title")
            yield Static("", id="hosted-summary", markup=False)
            yield DataTable(id="hosted-roster", cursor_type="row", zebra_stripes=True)
            yield Static("", id="hosted-close", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#hosted-roster", DataTable).add_columns(
            t("hosted.col.session"), t("bulk.col.name"), t("bulk.col.id"), t("hosted.col.mobile"),
            t("bulk.f.department"))
        self.reload()

    def action_refresh(self) -> None:
        self.reload()

    def action_back(self) -> None:
        self.app.pop_screen()

    @work(thread=True, exclusive=True, exit_on_error=False, group="hosted")
    def reload(self) -> None:
        hosted = self.outreach.ctx.bulkdays.hosted()
        self.app.call_from_thread(self._show, hosted)

    def _show(self, hosted: list[HostedSession]) -> None:
        summary, close = [], []
        table = self.query_one("#hosted-roster", DataTable)
        table.clear()
        for h in hosted:
            p = h.progress
            summary.append(t("hosted.session", day=h.day, employer=h.employer, venue=h.venue))
            summary.append(t("hosted.progress", roster=p.get("roster", len(h.roster)), done=p.get("done", 0),
                             remaining=p.get("remaining", 0), exceptions=p.get("exceptions", 0)))
            for line in h.roster:
                table.add_row(h.day, str(line.get("name") or ""), str(line.get("doc_number") or ""),
                              str(line.get("mobile") or ""), str(line.get("department") or ""))
            if h.close is None:
                close.append(t("hosted.open", day=h.day))
                continue
            counts = h.close.get("counts") or {}
            agrees = t("hosted.agrees") if h.close.get("manifest_agrees") else t("hosted.differs")
            close.append(t("hosted.closed", day=h.day, closed_on=h.close.get("closed_on", ""), agrees=agrees))
            close.append("  " + " · ".join(f"{t('hosted.outcome.' + k)} {counts.get(k, 0) if isinstance(counts, dict) else 0}"
                                           for k in _OUTCOMES))
            lines = h.close.get("lines")
            for line in lines if isinstance(lines, list) else ():
                if isinstance(line, dict) and line.get("outcome") in ("absent", "exception"):
                    close.append("  " + t("hosted.follow_up", name=line.get("name") or "",
                                          number=line.get("doc_number") or "",
                                          outcome=t("hosted.outcome." + str(line.get("outcome"))),
                                          reason=line.get("reason") or ""))
        self.query_one("#hosted-summary", Static).update("\n".join(summary) if hosted else t("hosted.none"))
        self.query_one("#hosted-close", Static).update("\n".join(close))
        if hosted:
            table.focus()
