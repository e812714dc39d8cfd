"""The one place the services call the domain's rules (``decide``, the application-form checks, deadlines).

Kept small so that a change in the domain's module layout touches one file.
"""

from __future__ import annotations

import functools
from datetime import date
from typing import Any

from outreach.i18n import CATALOGUES
from outreach.services.views import Bilingual


def both(key: str, **params: object) -> Bilingual:
    """A catalogue message in both languages (services report in both; the UI picks one)."""
    zh = CATALOGUES["zh_CN"].get(key, key)
    en = CATALOGUES["en"].get(key, key)
    return Bilingual(zh.format(**params) if params else zh, en.format(**params) if params else en)


def rule_context(today: date) -> Any:
    from outreach.domain.calendar import WorkingDayCalendar
    from outreach.domain.lifecycle import RuleContext

    return RuleContext(today=today, calendar=WorkingDayCalendar())


def decide(state: Any, event: Any, today: date) -> Any:
    """``outreach.domain.lifecycle.decide`` with today's rule context."""
    from outreach.domain.lifecycle import decide as domain_decide

    return domain_decide(state, event, rule_context(today))


def empty_cards(person_id: str) -> Any:
    from outreach.domain.models import PersonCards

    return PersonCards(person_id=person_id, cards=[], version=0)


def check_form(form: Any, today: date) -> list[Any]:
    """Blocking problems of the application form (Art. 5, 10, 45: identity number, names, photo, guardian)."""
    from outreach.domain.forms import check_form as domain_check

    return list(domain_check(form, today=today).problems)


def deadlines_for(state: Any, today: date) -> list[Any]:
    """Current deadlines of a person's cards per the domain, earliest first."""
    from outreach.domain.calendar import WorkingDayCalendar
    from outreach.domain.lifecycle import pending_deadlines

    del today
    return list(pending_deadlines(state, WorkingDayCalendar()))


@functools.cache
def _remembering_calendar() -> Any:
    """The domain's working-day calendar, remembering each day's answer (``chinese_calendar`` raises, slowly,
    for years it has no data for; the whole-vault deadlines ask about the same days thousands of times)."""
    from outreach.domain.calendar import WorkingDayCalendar

    class RememberingCalendar(WorkingDayCalendar):
        def __init__(self) -> None:
            super().__init__()
            self._known: dict[date, bool] = {}

        def is_workday(self, day: date) -> bool:
            known = self._known.get(day)
            if known is None:
                known = self._known[day] = super().is_workday(day)
            return known

    return RememberingCalendar()


def card_deadlines_for(card: Any) -> list[Any]:
    """Current deadlines of one card per the domain (``card_deadlines``), earliest first."""
    from outreach.domain.deadlines import card_deadlines

    return list(card_deadlines(card, _remembering_calendar()))
