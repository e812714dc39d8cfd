"""A person's service menu: what the card's state allows, each with its own key, and below it what is not
offered and the rule why (marked with ✕ and in words, never by colour alone). Returns the chosen kind or None."""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from outreach.i18n import t
from outreach.services.views import ServiceOffer
from outreach.ui.base import BaseModal
from outreach.ui.format import pick

#: A fixed key per service (the same key whatever the card's state, so the hand learns it).
KEYS: dict[str, str] = {
    "card.apply": "1", "card.deliver": "2", "card.bank_activate": "3", "card.loss_temporary": "4",
    "card.loss_formal": "5", "card.unlock": "6", "card.replace": "7", "card.exchange": "8", "card.reissue": "9",
    "card.return_old": "0", "person.update": "u", "card.cancel": "d",
}


def offer_label(offer: ServiceOffer) -> str:
    title = t("form.title." + offer.kind)
    if offer.offered:
        return f"{KEYS.get(offer.kind, ' ')}  {title}"
    article = t("menu.article", article=offer.article) if offer.article else ""
    return "✕  " + t("menu.refused", title=title, why=pick(offer.why_not), article=article)


class ServiceMenu(BaseModal[str | None]):
    BINDINGS = [Binding("escape", "cancel", "bind.cancel")]

    def __init__(self, offers: list[ServiceOffer]) -> None:
        super().__init__(classes="dialog")
        self.offers = offers

    def compose(self) -> ComposeResult:
        offered = [o for o in self.offers if o.offered]
        refused = [o for o in self.offers if not o.offered]
        with Vertical(classes="dialog-box wide"):
            yield Label(t("person.which_event"), classes="dialog-title")
            options: list[Option | None] = [Option(offer_label(o), id=o.kind) for o in offered]
            if refused:
                options.append(None)
                options.append(Option(t("menu.others"), id="-others", disabled=True))
                options += [Option(offer_label(o), id="-" + o.kind, disabled=True) for o in refused]
            yield OptionList(*options, id="choices")
            yield Label(t("menu.hint"), classes="form-note")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_key(self, event: events.Key) -> None:
        for offer in self.offers:
            if offer.offered and KEYS.get(offer.kind) == event.character:
                event.stop()
                self.dismiss(offer.kind)
                return

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        if event.option.id and not event.option.id.startswith("-"):
            self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
