"""What was done for the person, newest first; operations not yet at the center are marked."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from outreach.i18n import t
from outreach.services.views import HistoryItem


class History(Static):
    def show(self, items: list[HistoryItem]) -> None:
        text = Text()
        text.append(t("person.history") + "\n", style="bold")
        if not items:
            text.append("  " + t("person.no_history"))
        for item in items:
            mark = t("history.pending") if item.pending else t("history.sent")
            detail = t(f"form.field.{item.detail}") if item.kind == "audit.reveal" and item.detail else item.detail
            if item.kind == "visit.log" and item.detail:
                detail = t(f"outcome.{item.detail}")
            text.append(f" {item.when}  {t('kind.' + item.kind)} {detail}  [{mark}]\n")
        self.update(text)
