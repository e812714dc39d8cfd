"""The card reader's state in words and a symbol (never colour alone)."""

from __future__ import annotations

from textual.widgets import Static

from outreach.i18n import t
from outreach.services.security import mask
from outreach.services.views import ReaderView


class ReaderStatus(Static):
    """"读卡器：有卡 — 王秀英" and the like. Updated from :class:`ReaderChanged` messages."""

    def show(self, view: ReaderView | None) -> None:
        self.remove_class("card", "empty", "none")
        if view is None:
            self.update("○ " + t("reader.checking"))
            return
        line = self._line(view)
        if view.simulated:
            line += " " + t("reader.simulated")
        self.update(line)

    def _line(self, view: ReaderView) -> str:
        if view.state == "card":
            self.add_class("card")
            who = view.person_name or t("reader.unknown_person")
            number = mask(view.card_number, 0, 4) if view.card_number else ""
            line = "▣ " + t("reader.card", who=who, number=number)
            if view.person_id is None:
                line += " " + t("reader.not_in_vault")
            return line
        if view.state == "no_card":
            self.add_class("empty")
            return "□ " + t("reader.no_card")
        if view.state == "error":
            self.add_class("none")
            return "⚠ " + t("reader.error")
        self.add_class("none")
        return "✕ " + t("reader.none")
