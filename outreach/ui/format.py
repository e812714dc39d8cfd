"""Small text helpers shared by the screens (all words come from the catalogues)."""

from __future__ import annotations

from datetime import timedelta

from outreach.i18n import language, t
from outreach.services.views import Bilingual, CardView


def age(delta: timedelta | None) -> str:
    """"3 小时前" / "3 h ago"; "从未" / "never" for None."""
    if delta is None:
        return t("time.never")
    minutes = int(delta.total_seconds() // 60)
    if minutes < 1:
        return t("time.just_now")
    if minutes < 60:
        return t("time.minutes_ago", n=minutes)
    hours = minutes // 60
    if hours < 48:
        return t("time.hours_ago", n=hours)
    return t("time.days_ago", n=hours // 24)


def pick(text: Bilingual | None) -> str:
    return "" if text is None else text.pick(language())


def status(card: CardView) -> str:
    """A card status in words; provisional ones always say so (never shown as final)."""
    word = t(f"status.{card.status}") if card.status else t("status.none")
    if card.provisional:
        return t("card.provisional_status", status=word)
    return word


def origin(card: CardView) -> str:
    if card.provisional:
        return t("card.origin_provisional")
    when = card.synced_at.strftime("%Y-%m-%d %H:%M") if card.synced_at else "?"
    return t("card.origin_center", center=card.source or t("card.center"), when=when)


def choice(group: str, value: str) -> str:
    return t(f"choice.{group}.{value}") if value != "" else t("choice.none")
