"""The table loop's panes: the opened roster line, the live progress, the exception list (masked)."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from outreach.i18n import language, t
from outreach.services.bulkdays import Progress, TableLine


def pick(pair: tuple[str, str]) -> str:
    """The worker's language of a (zh, en) pair from the rules."""
    return pair[0] if language() == "zh_CN" else pair[1]


class LinePane(Static):
    """The person whose card is in the reader: who, what they need today, and the keys to press."""

    def show(self, line: TableLine | None, *, checked: bool = False, note: str = "") -> None:
        if line is None:
            self.update(note or t("bulk.line.waiting"))
            return
        parts = [f"[b]{line.name}[/b]  {line.masked_id}  {line.department}"
                 + (f"  [{t('bulk.walk_in')}]" if line.walk_in else ""),
                 t("bulk.line.need", need=t(f"bulk.need.{line.need}"))]
        if line.done is not None:
            parts.append(t("bulk.line.done", outcome=t(f"bulk.outcome.{line.done.outcome}")))
        if line.blocked is not None:
            parts.append(f"[red]{pick(line.blocked)}[/red]")
        else:
            parts.append(t("bulk.line.checked") if checked else t("bulk.line.check_first"))
            if line.need == "application":
                parts.append(t("bulk.line.apply"))
        if note:
            parts.append(note)
        self.update("\n".join(parts))


class ProgressPane(Static):
    def show(self, progress: Progress) -> None:
        c = progress.counts
        self.update(t("bulk.progress", roster=progress.roster, done=progress.done, remaining=progress.remaining,
                      exceptions=progress.exceptions, per_hour=progress.per_hour, activated=c["activated"],
                      handed_over=c["handed_over"]))


class ExceptionList(DataTable[str]):
    """Each exception with its reason and the next step; never blocks the loop (focus stays on the screen)."""

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.can_focus = False
        self.add_columns(t("bulk.col.name"), t("bulk.col.id"), t("bulk.col.reason"), t("bulk.col.next"))

    def show(self, progress: Progress) -> None:
        self.clear()
        for e in progress.exception_list:
            self.add_row(e.name, e.masked_id, e.reason, pick(e.next_step), key=e.person_id)
