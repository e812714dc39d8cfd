"""How the measures' ages and periods are counted (Civil Code of the PRC). Nothing here raises.

Ages (周岁) are completed years: a person is N on their Nth birthday; someone born on 29 February has their
birthday on 28 February in a common year (the month-end rule of Art. 202). The words of Art. 1259:
- "N周岁以上" and "N周岁以下" include N: :func:`aged_at_least`, :func:`aged_at_most`;
- "未满N周岁" and "不满N周岁" exclude N: :func:`aged_under`.

Periods in days (Art. 201): the day of the event is not counted; day 1 is the day after. A period of N days
therefore ends at 24:00 on ``event + N`` (Art. 203, second paragraph). When the last day is a statutory rest
day, the period ends on the first working day after it (Art. 203, first paragraph): :func:`period_end`.
"Within N days" (以内, 不超过) includes the last day; "more than N days" (超过) starts the day after it:
:func:`day_after_period`. Years (Art. 202) end on the corresponding day, or the month-end when there is none:
:func:`add_years`, :func:`add_months`.
"""

from __future__ import annotations

from datetime import date, timedelta

from outreach.domain.calendar import WorkingDayCalendar

#: 老年人: citizens aged 60 and over (老年人权益保障法 Art. 2, "六十周岁以上" includes 60).
ELDERLY_AGE = 60


def add_years(day: date, years: int) -> date:
    """``day`` plus whole years; 29 February becomes 28 February in a common year (Art. 202)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def add_months(day: date, months: int) -> date:
    """``day`` plus (or minus) whole months; the month-end when the target month is shorter (Art. 202)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def age_on(birth: date, today: date) -> int:
    """Completed years of age (周岁) on ``today``; negative for a birth date in the future."""
    years = today.year - birth.year
    return years if add_years(birth, years) <= today else years - 1


def aged_at_least(birth: date, today: date, years: int) -> bool:
    """"N周岁以上": ``years`` or older (Art. 1259: includes N)."""
    return age_on(birth, today) >= years


def aged_at_most(birth: date, today: date, years: int) -> bool:
    """"N周岁以下": ``years`` or younger, until the day before the (N+1)th birthday (Art. 1259: includes N)."""
    return age_on(birth, today) <= years


def aged_under(birth: date, today: date, years: int) -> bool:
    """"未满N周岁" / "不满N周岁": younger than ``years`` (Art. 1259: excludes N)."""
    return age_on(birth, today) < years


def period_end(start: date, days: int, calendar: WorkingDayCalendar | None = None) -> date:
    """The last day of a period of ``days`` days from the event on ``start``: counting begins the next day
    (Art. 201); when a ``calendar`` is given and the last day is a rest day, the period ends on the next working
    day (Art. 203). "Within N days" means up to and including this day."""
    end = start + timedelta(days=days)
    if calendar is not None:
        while not calendar.is_workday(end):
            end += timedelta(days=1)
    return end


def day_after_period(start: date, days: int, calendar: WorkingDayCalendar | None = None) -> date:
    """The first day on which "more than ``days`` days" (超过N日) have passed since ``start``."""
    return period_end(start, days, calendar) + timedelta(days=1)
