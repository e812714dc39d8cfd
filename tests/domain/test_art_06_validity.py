"""Art. 6: a card is valid for ten years from issue."""

from __future__ import annotations

from datetime import date

import pytest

from outreach.domain import CardIssue, CardStatus, decide
from tests.support.domain import card, ctx, state


@pytest.mark.parametrize(
    ("issued", "expires"),
    [(date(2026, 5, 20), date(2036, 5, 20)), (date(2024, 2, 29), date(2034, 2, 28))],
)
def test_art_06_expiry_ten_years_after_issue(issued, expires):
    before = state(card(CardStatus.APPLIED, accepted_on=date(2024, 2, 1)))
    decision = decide(before, CardIssue(issued_on=issued), ctx())
    assert decision.accepted
    assert decision.state.cards[0].expires_on == expires
    assert any(d.kind == "expiry" and d.due == expires and d.article == "6" for d in decision.deadlines)


def test_art_06_issue_date_in_future_refused():
    before = state(card(CardStatus.APPLIED))
    decision = decide(before, CardIssue(issued_on=date(2026, 6, 2)), ctx())
    assert not decision.accepted
    assert decision.refusal.code == "issue_date_invalid"
