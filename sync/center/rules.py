"""The center's use of the domain rules: the one place that calls ``outreach.domain``.

The center re-decides every card operation with the very same ``decide()`` the laptop used offline.
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from outreach.domain import calendar, events, models


@dataclass(frozen=True)
class Verdict:
    accepted: bool
    cards: dict[str, Any]
    code: str | None = None
    message_zh: str | None = None
    message_en: str | None = None


_CALENDAR = calendar.WorkingDayCalendar()


def _lifecycle() -> Any:
    # Imported late: the rules module is written in parallel; the center fails loudly when it is missing.
    return importlib.import_module("outreach.domain.lifecycle")


def empty_cards(person_id: str) -> dict[str, Any]:
    return models.PersonCards(person_id=person_id).model_dump(mode="json")


def _ctx(today: dt.date) -> Any:
    return _lifecycle().RuleContext(today=today, calendar=_CALENDAR)


def decide_card(cards: dict[str, Any], event: Any, today: dt.date) -> Verdict:
    """Decide a card event (JSON) against the center's PersonCards (JSON)."""
    try:
        state = models.PersonCards.model_validate(cards)
        ev = events.parse_event(event)
    except ValidationError as exc:
        return Verdict(False, cards, "invalid_event", "操作数据无效", f"invalid event: {exc.error_count()} errors")
    decision = _lifecycle().decide(state, ev, _ctx(today))
    if not decision.accepted:
        ref = decision.refusal
        return Verdict(False, cards, ref.code if ref else "refused", ref.message_zh if ref else "规则不允许",
                       ref.message_en if ref else "not allowed by the rules")
    return Verdict(True, decision.state.model_dump(mode="json"))


def valid_person(data: Any) -> dict[str, Any] | None:
    """The person's JSON dump when ``data`` is a valid Person, else None."""
    try:
        return models.Person.model_validate(data).model_dump(mode="json")
    except (ValidationError, TypeError, ValueError):
        return None


def due(cards: dict[str, Any], today: dt.date) -> list[tuple[str, str, dict[str, Any]]]:
    """Time-driven events due on the center's clock: (deterministic op id, kind, event JSON)."""
    state = models.PersonCards.model_validate(cards)
    out: list[tuple[str, str, dict[str, Any]]] = []
    lc = _lifecycle()
    for ev in lc.due_events(state, today):
        data = ev.model_dump(mode="json")
        out.append((lc.deterministic_op_id(state.person_id, ev), str(data["kind"]), data))
    return out
