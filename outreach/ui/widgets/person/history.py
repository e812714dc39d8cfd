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
            words = [t(k) for k in item.detail_keys if t(k) != k]
            parts = [", ".join(words) if words else item.detail]
            if item.fee_charged is not None:
                parts.append(f"{t('fee.label')}: {t('fee.charged') if item.fee_charged else t('fee.free')}")
            detail = " · ".join(p for p in parts if p)
            who = f" ({item.worker})" if item.worker else ""
            mark = t("history.colleague") if item.worker else mark
            text.append(f" {item.when}  {t('kind.' + item.kind)}{who} {detail}  [{mark}]")
            if item.issue:
                text.append(f" {t('issue.' + item.issue)}", style="bold")
            text.append("\n")
        self.update(text)
