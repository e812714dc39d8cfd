"""Civil Code Art. 1259, 201-203 applied to every age and period of the measures (see domain.md, counting).

Ages: Art. 5 "未满七周岁" (photo), Art. 10 (一) "16周岁以下" (household register), Art. 10 (二) / Art. 45
"未满十六周岁" (guardian, agent), Civil Code Art. 17-18 (agent: 16 with a warning, 18 an adult), elderly "六十周岁以上".
Periods: Art. 11 (30 working days), Art. 12 (超过180日), Art. 17 (满15日后), Art. 26 (不超过5日), Art. 27 (180日内),
Art. 6 (10 years) are tested in their articles' files; the counting functions themselves here.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from outreach.domain import DocType, check_form
from outreach.domain.counting import (
    add_months,
    add_years,
    age_on,
    aged_at_least,
    aged_at_most,
    aged_under,
    day_after_period,
    period_end,
)
from outreach.domain.deadlines import issue_due, lift_due
from tests.support.domain import CAL, TODAY, agent, citizen, doc, form


def birthday(age: int, days_after: int = 0) -> date:
    """A birth date making the person ``age`` on TODAY (2026-06-01), ``days_after`` days past the birthday."""
    return date(TODAY.year - age, TODAY.month, TODAY.day) - timedelta(days=days_after)


def problems(f):
    return [p.code for p in check_form(f, today=TODAY).problems]


def young(age: int, days_after: int = 0, **kw):
    born = birthday(age, days_after)
    number = citizen(birth=born.strftime("%Y%m%d"))
    data = {"birth_date": born, "document": doc(number), "agent": agent()}
    data.update(kw)
    return form(**data)


def test_art_1259_age_is_completed_years_on_the_birthday():
    assert age_on(date(2010, 6, 1), date(2026, 5, 31)) == 15
    assert age_on(date(2010, 6, 1), date(2026, 6, 1)) == 16  # 16 on the 16th birthday
    assert age_on(date(2010, 6, 1), date(2027, 5, 31)) == 16  # still 16 the day before the 17th
    # born on 29 February: the birthday of a common year is 28 February (month-end, Art. 202)
    assert age_on(date(2008, 2, 29), date(2026, 2, 27)) == 17
    assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 18
    assert age_on(date(2030, 1, 1), TODAY) < 0


def test_art_1259_yishang_yixia_include_the_number_weiman_excludes_it():
    sixteen = date(2010, 6, 1)
    assert aged_at_most(sixteen, date(2027, 5, 31), 16)  # "16周岁以下" still holds at 16 years 364 days
    assert not aged_at_most(sixteen, date(2027, 6, 1), 16)
    assert not aged_under(sixteen, date(2026, 6, 1), 16)  # "未满十六周岁" ends on the 16th birthday
    assert aged_under(sixteen, date(2026, 5, 31), 16)
    assert aged_at_least(date(1966, 6, 1), date(2026, 6, 1), 60)  # "六十周岁以上" includes 60
    assert not aged_at_least(date(1966, 6, 2), date(2026, 6, 1), 60)


@pytest.mark.parametrize(
    ("age", "days_after", "refused"),
    [
        (15, 0, False),
        (16, 0, False),  # "16周岁以下" includes 16: a 16-year-old's household register is accepted
        (16, 31, False),
        (17, 0, True),
    ],
)
def test_art_10_household_register_up_to_and_including_16(age, days_after, refused):
    f = young(age, days_after)
    f = f.model_copy(update={"document": doc(f.document.number, DocType.HOUSEHOLD_REGISTER)})
    assert ("household_register_over_16" in problems(f)) is refused


@pytest.mark.parametrize(("age", "needs_guardian"), [(15, True), (16, False), (17, False)])
def test_art_10_45_guardian_only_under_16(age, needs_guardian):
    f = young(age, agent=None)
    assert ("guardian_required" in problems(f)) is needs_guardian


@pytest.mark.parametrize(("age", "days_after", "needs_photo"), [(6, 0, False), (6, 300, False), (7, 0, True)])
def test_art_05_photo_from_the_7th_birthday(age, days_after, needs_photo):
    f = young(age, days_after, photo_ref=None)
    assert ("photo_required" in problems(f)) is needs_photo


@pytest.mark.parametrize(("age", "code"), [(15, "agent_minor"), (16, None), (17, None), (18, None)])
def test_art_45_agent_16_or_older_and_under_18_warned(age, code):
    born = birthday(age)
    older = agent(document=doc(citizen(birth=born.strftime("%Y%m%d"), seq="013")))
    check = check_form(form(agent=older), today=TODAY)
    assert ("agent_minor" in [p.code for p in check.problems]) is (code is not None)
    assert ("agent_under_18" in [w.code for w in check.warnings]) is (16 <= age < 18)


def test_art_10_a_future_birth_date_is_one_problem_not_also_a_missing_guardian():
    f = form(birth_date=date(2030, 1, 1), photo_ref=None)
    codes = problems(f)
    assert "birth_date_future" in codes
    assert "guardian_required" not in codes
    assert "photo_required" not in codes


def test_art_201_203_day_periods():
    # Art. 201: the event day is not counted; a 5-day period from Monday 2026-06-01 ends on Saturday 06-06,
    # moved to Monday 06-08 by Art. 203 when the period is a time limit for someone to act.
    assert period_end(date(2026, 6, 1), 5) == date(2026, 6, 6)
    assert period_end(date(2026, 6, 1), 5, CAL) == date(2026, 6, 8)
    assert day_after_period(date(2026, 6, 1), 5, CAL) == date(2026, 6, 9)
    # Art. 17's 15 days are not moved: 2026-06-05 + 15 = Saturday 06-20, lifted on Sunday 06-21
    assert lift_due(date(2026, 6, 5)) == date(2026, 6, 21)
    # Art. 11: the 30th working day after acceptance, the acceptance day not counted
    assert issue_due(date(2026, 6, 1), CAL) == CAL.add_workdays(date(2026, 6, 1), 30)
    assert CAL.workdays_between(date(2026, 6, 1), issue_due(date(2026, 6, 1), CAL)) == 30


def test_art_202_years_and_months_end_on_the_corresponding_day_or_the_month_end():
    assert add_years(date(2024, 2, 29), 10) == date(2034, 2, 28)
    assert add_months(date(2026, 5, 31), -3) == date(2026, 2, 28)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 12, 15), 2) == date(2027, 2, 15)
