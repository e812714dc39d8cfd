"""The center's use of the domain rules: the one place that calls ``outreach.domain``.

The center re-decides every card operation with the very same ``decide()`` the laptop used offline. When the
person's cards changed since the operation's ``base_version`` (a concurrent change), a status change is applied
only when legal precedence (``outreach.domain.precedence``) favours it; otherwise it is refused for a person to
settle. Card status is never settled by "last writer wins".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from outreach.domain import (
    CardStatus,
    PersonCards,
    RuleContext,
    WorkingDayCalendar,
    decide,
    deterministic_op_id,
    due_events,
    parse_event,
    precedence,
)
from outreach.domain.calendar import CHINA_TZ, business_day
from outreach.domain.enums import STATUS_ZH
from outreach.domain.models import Person, Visit
from outreach.domain.operation import parse_hlc

_CALENDAR = WorkingDayCalendar()


@dataclass(frozen=True)
class Verdict:
    accepted: bool
    cards: dict[str, Any]
    code: str | None = None
    message_zh: str | None = None
    message_en: str | None = None


def empty_cards(person_id: str) -> dict[str, Any]:
    return PersonCards(person_id=person_id).model_dump(mode="json")


def center_day(now: dt.datetime) -> dt.date:
    """The center's business day: the day in China, as for the operations (see :func:`op_day`), whatever
    zone the server runs in."""
    return business_day(now)


def op_day(hlc: str, fallback: dt.date) -> dt.date:
    """The operation's own day (China time) from its hybrid logical clock; the center's day if unreadable."""
    try:
        return dt.datetime.fromtimestamp(parse_hlc(hlc)[0] / 1000, CHINA_TZ).date()
    except (ValueError, OverflowError, OSError):
        return fallback


def decide_card(cards: dict[str, Any], event: Any, day: dt.date, *, concurrent: bool = False) -> Verdict:
    """Decide a card event (JSON) against the center's PersonCards (JSON).

    ``concurrent``: the cards changed since the operation's base version; then a status change must be the
    one the law prefers (precedence) or it is refused for review.
    """
    try:
        state = PersonCards.model_validate(cards)
        ev = parse_event(event if isinstance(event, dict) else {})
    except ValidationError as exc:
        return Verdict(False, cards, "invalid_event", "操作数据无效", f"invalid event ({exc.error_count()} errors)")
    decision = decide(state, ev, RuleContext(today=day, calendar=_CALENDAR))
    if not decision.accepted:
        ref = decision.refusal
        if ref is None:
            return Verdict(False, cards, "refused", "规则不允许", "not allowed by the rules")
        return Verdict(False, cards, ref.code, ref.message_zh, ref.message_en)
    if concurrent:
        before = {c.card_id: c.status for c in state.cards}
        for card in decision.state.cards:
            old = before.get(card.card_id)
            if old is not None and old != card.status and precedence(old, card.status) != card.status:
                return Verdict(False, cards, "concurrent_status_change",
                               f"他人已将卡状态改为“{_zh(old)}”，法规不能自动决定先后，请人工处理",
                               f"someone else changed the card to '{old.value}'; the law does not settle this, "
                               "a person must decide")
    return Verdict(True, decision.state.model_dump(mode="json"))


def _zh(status: CardStatus) -> str:
    """The status in Chinese, as the laptop names it (the domain's ``STATUS_ZH``)."""
    return STATUS_ZH[status]


def valid_person(data: Any) -> dict[str, Any] | None:
    """The person's JSON dump when ``data`` is a valid Person, else None."""
    try:
        return Person.model_validate(data).model_dump(mode="json")
    except (ValidationError, TypeError, ValueError):
        return None


def valid_visit(data: Any) -> dict[str, Any] | None:
    """The visit's JSON dump when ``data`` is a valid logged Visit, else None."""
    try:
        visit = Visit.model_validate(data)
    except (ValidationError, TypeError, ValueError):
        return None
    return None if visit.planned else visit.model_dump(mode="json")


def due(cards: dict[str, Any], today: dt.date) -> list[tuple[str, str, dict[str, Any]]]:
    """Time-driven events due on the center's clock: (deterministic op id, kind, event JSON)."""
    state = PersonCards.model_validate(cards)
    out: list[tuple[str, str, dict[str, Any]]] = []
    for ev in due_events(state, today, _CALENDAR):
        data = ev.model_dump(mode="json")
        out.append((deterministic_op_id(state.person_id, ev), str(data["kind"]), data))
    return out
