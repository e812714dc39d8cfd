"""A person's cards: status in words, where it came from (center + time of last sync, or provisional)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from outreach.i18n import t
from outreach.services.views import CardView
from outreach.ui.format import choice, origin, status


class CardPanel(Static):
    def show(self, cards: list[CardView]) -> None:
        text = Text()
        text.append(t("person.cards") + "\n", style="bold")
        if not cards:
            text.append("  " + t("person.no_card"))
        for card in cards:
            mark = "◇" if card.provisional else "◆"
            text.append(f" {mark} {status(card)}", style="bold" if not card.provisional else "italic")
            if card.card_number:
                text.append(f"  {t('col.card')}: {card.card_number}")
            text.append("\n   " + origin(card))
            extras = []
            extras.append(t("card.bank_yes") if card.bank_activated else t("card.bank_no"))
            if card.expires_on:
                extras.append(t("card.expires", day=card.expires_on.isoformat()))
            if card.temp_loss_period:
                extras.append(choice("period", card.temp_loss_period))
            text.append("\n   " + " · ".join(extras) + "\n")
        self.update(text)
