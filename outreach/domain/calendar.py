"""Working days for the 30-working-day issue deadline (Art. 11).

China moves workdays around public holidays (调休): some weekends are workdays, some weekdays are holidays.
``chinese_calendar`` knows the official arrangement for the years it ships data for (it raises
``NotImplementedError`` outside them, e.g. 2003 or next year before the State Council publishes it). This
calendar never raises for a date: inside the library's range it asks the library; outside it falls back to
"Monday-Friday are workdays"; configured extra holidays and extra (adjusted) workdays always win.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta, timezone

import chinese_calendar

#: China Standard Time. The regulation's days (deadlines, acceptance, loss reports) are Hainan's days,
#: whatever zone a laptop or a server is set to.
CHINA_TZ = timezone(timedelta(hours=8), "CST")


def business_day(moment: datetime) -> date:
    """The day in China of an aware moment (a naive one is taken as the machine's local time).

    Between 00:00 and 08:00 in Hainan a UTC clock still shows the day before; dates the rules count from
    must not depend on that.
    """
    return moment.astimezone(CHINA_TZ).date()


class WorkingDayCalendar:
    """Decides whether a day is a working day.

    Args:
        extra_holidays: days off in addition to the official ones (e.g. a newly announced holiday).
        extra_workdays: adjusted workdays (调休上班) the library does not know yet.
        use_library: ask ``chinese_calendar`` for the years it covers (False: weekends + configured days only).
    """

    def __init__(
        self,
        extra_holidays: Iterable[date] = (),
        extra_workdays: Iterable[date] = (),
        *,
        use_library: bool = True,
    ) -> None:
        self.extra_holidays = frozenset(extra_holidays)
        self.extra_workdays = frozenset(extra_workdays)
        overlap = self.extra_holidays & self.extra_workdays
        if overlap:
            raise ValueError(f"days configured both as holiday and workday: {sorted(overlap)}")
        self.use_library = use_library

    def library_covers(self, day: date) -> bool:
        """True when ``chinese_calendar`` has official data for this day's year."""
        if not self.use_library:
            return False
        try:
            chinese_calendar.is_workday(day)
        except NotImplementedError:
            return False
        return True

    def is_workday(self, day: date) -> bool:
        """True when ``day`` is a working day. Never raises for a valid date."""
        if day in self.extra_holidays:
            return False
        if day in self.extra_workdays:
            return True
        if self.use_library:
            try:
                return bool(chinese_calendar.is_workday(day))
            except NotImplementedError:
                pass
        return day.weekday() < 5

    def add_workdays(self, start: date, count: int) -> date:
        """The ``count``-th working day after ``start`` (``start`` itself is not counted).

        "Within 30 working days of acceptance" is then ``add_workdays(accepted_on, 30)``.

        Raises:
            ValueError: ``count`` is negative.
        """
        if count < 0:
            raise ValueError("count must not be negative")
        day = start
        left = count
        while left > 0:
            day += timedelta(days=1)
            if self.is_workday(day):
                left -= 1
        return day

    def workdays_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; 0 when end <= start."""
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            if self.is_workday(day):
                count += 1
        return count


class RememberingCalendar(WorkingDayCalendar):
    """A :class:`WorkingDayCalendar` that remembers each day's answer.

    ``chinese_calendar`` raises, slowly, for years it has no data for; whole-vault deadlines ask about the same
    days thousands of times. Same answers as the plain calendar; meant to live as long as the process.
    """

    def __init__(
        self, extra_holidays: Iterable[date] = (), extra_workdays: Iterable[date] = (), *, use_library: bool = True
    ) -> None:
        super().__init__(extra_holidays, extra_workdays, use_library=use_library)
        self._known: dict[date, bool] = {}

    def is_workday(self, day: date) -> bool:
        known = self._known.get(day)
        if known is None:
            known = self._known[day] = super().is_workday(day)
        return known
