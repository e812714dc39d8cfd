"""Working-day calendar: chinese_calendar inside its range, weekends + configured days outside, never crash."""

from __future__ import annotations

from datetime import date

import chinese_calendar
import pytest

from outreach.domain import WorkingDayCalendar


def test_library_raises_outside_its_range_but_we_do_not():
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2003, 1, 6))
    cal = WorkingDayCalendar()
    assert cal.is_workday(date(2003, 1, 6))  # Monday
    assert not cal.is_workday(date(2003, 1, 5))  # Sunday
    assert not cal.library_covers(date(2003, 1, 6))
    assert cal.is_workday(date(2099, 1, 5))  # Monday, far future
    assert cal.add_workdays(date(2099, 12, 30), 30) > date(2099, 12, 30)


@pytest.mark.parametrize(
    ("day", "workday"),
    [
        (date(2025, 10, 1), False),  # National Day
        (date(2025, 9, 28), True),  # Sunday, adjusted workday (调休)
        (date(2025, 10, 11), True),  # Saturday, adjusted workday
        (date(2025, 10, 9), True),
    ],
)
def test_official_adjusted_days(day, workday):
    assert WorkingDayCalendar().is_workday(day) is workday


def test_configured_days_win():
    cal = WorkingDayCalendar(extra_holidays=[date(2025, 10, 9)], extra_workdays=[date(2025, 10, 1)])
    assert not cal.is_workday(date(2025, 10, 9))
    assert cal.is_workday(date(2025, 10, 1))
    with pytest.raises(ValueError, match="both"):
        WorkingDayCalendar(extra_holidays=[date(2030, 1, 1)], extra_workdays=[date(2030, 1, 1)])


def test_add_workdays_counts_from_the_next_day():
    cal = WorkingDayCalendar(use_library=False)
    assert cal.add_workdays(date(2030, 1, 4), 1) == date(2030, 1, 7)  # Friday -> Monday
    assert cal.add_workdays(date(2030, 1, 4), 0) == date(2030, 1, 4)
    assert cal.workdays_between(date(2030, 1, 4), date(2030, 1, 7)) == 1
    with pytest.raises(ValueError, match="negative"):
        cal.add_workdays(date(2030, 1, 4), -1)


def test_the_business_day_is_hainans_whatever_the_machine_zone():
    from datetime import UTC, datetime, timedelta, timezone

    from outreach.domain import business_day

    # 07:30 in Haikou on 28 November is still 27 November on a UTC clock
    assert business_day(datetime(2026, 11, 27, 23, 30, tzinfo=UTC)) == date(2026, 11, 28)
    assert business_day(datetime(2026, 11, 28, 7, 30, tzinfo=timezone(timedelta(hours=8)))) == date(2026, 11, 28)
    assert business_day(datetime(2026, 11, 28, 15, 59, tzinfo=UTC)) == date(2026, 11, 28)
    assert business_day(datetime(2026, 11, 28, 16, 0, tzinfo=UTC)) == date(2026, 11, 29)
