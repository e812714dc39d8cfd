"""Art. 11: acceptance checks (bank account), issue within 30 working days of acceptance."""

from __future__ import annotations

from datetime import date

from outreach.domain import CardApply, CardIssue, CardStatus, RuleContext, WorkingDayCalendar, decide
from tests.support.domain import card, ctx, form, state


def test_art_11_issue_deadline_counts_working_days():
    # Accepted Thursday 2026-09-24; National Day / Mid-Autumn holiday 2026-10-01..07 with adjusted workdays.
    cal = WorkingDayCalendar()
    decision = decide(state(), CardApply(form=form()), RuleContext(today=date(2026, 9, 24), calendar=cal))
    issue = next(d for d in decision.deadlines if d.kind == "issue")
    assert issue.article == "11"
    assert cal.workdays_between(date(2026, 9, 24), issue.due) == 30
    assert cal.is_workday(issue.due)
    # Without the holiday the 30th weekday after 2026-09-24 would be 2026-11-05.
    assert issue.due > WorkingDayCalendar(use_library=False).add_workdays(date(2026, 9, 24), 30)


def test_art_11_deadline_with_configured_extra_holiday_moves_later():
    base = WorkingDayCalendar(use_library=False)
    extra = WorkingDayCalendar(extra_holidays=[date(2030, 1, 7)], use_library=False)
    assert extra.add_workdays(date(2030, 1, 4), 30) > base.add_workdays(date(2030, 1, 4), 30)


def test_art_11_bank_account_failure_refused():
    decision = decide(state(), CardApply(form=form(), bank_account_opened=False), ctx())
    assert not decision.accepted
    assert decision.refusal.code == "bank_account_not_opened"
    assert decision.refusal.article == "11"


def test_art_11_issue_only_for_applied_card():
    ok = decide(state(card(CardStatus.APPLIED)), CardIssue(card_number="A00000011"), ctx())
    assert ok.accepted
    assert ok.state.cards[0].status is CardStatus.READY
    refused = decide(state(card(CardStatus.ACTIVE)), CardIssue(), ctx())
    assert not refused.accepted


def test_art_11_late_issue_is_a_warning():
    late = decide(state(card(CardStatus.APPLIED, accepted_on=date(2026, 1, 5))), CardIssue(), ctx())
    assert late.accepted
    assert [w.code for w in late.warnings] == ["issued_late"]


def test_art_11_card_number_check_failure_is_warning_format_failure_refused():
    fresh = card(CardStatus.APPLIED, accepted_on=date(2026, 5, 20))
    warn = decide(state(fresh), CardIssue(card_number="AI666666X"), ctx())
    assert warn.accepted
    assert [w.code for w in warn.warnings] == ["card_number_check"]
    bad = decide(state(card(CardStatus.APPLIED)), CardIssue(card_number="A1"), ctx())
    assert not bad.accepted
    assert bad.refusal.code == "card_number_format"


def test_art_11_instant_issue_due_the_same_day():
    decision = decide(state(), CardApply(form=form(), instant=True), ctx())
    assert [d.due for d in decision.deadlines if d.kind == "issue"] == [ctx().today]
