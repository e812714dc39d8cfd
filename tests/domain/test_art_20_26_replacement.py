"""Art. 20 (replacement only after a formal loss; old card cancelled on acceptance) and Art. 26 (5-day quick
service)."""

from __future__ import annotations

from datetime import date

import pytest

from outreach.domain import CardApply, CardReplace, CardStatus, decide
from tests.support.domain import card, ctx, form, state


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (CardStatus.LOST, None),
        (CardStatus.TEMP_LOST, "formal_loss_required"),
        (CardStatus.ACTIVE, "formal_loss_required"),
        (CardStatus.CANCELLED, "no_live_card"),
    ],
)
def test_art_20_replacement_only_after_formal_loss(status, code):
    before = state(card(status, card_id="old"))
    decision = decide(before, CardReplace(card_id="new"), ctx())
    if code is None:
        assert decision.accepted
        old, new = decision.state.cards
        assert old.status is CardStatus.REPLACED
        assert old.cancelled_on == ctx().today
        assert old.replacement_applied
        assert new.status is CardStatus.APPLIED
        assert new.reason == "replace"
        assert new.card_id == "new"
        assert len(decision.state.live_cards()) == 1
        assert decision.fee.charged
        assert decision.fee.code == "replacement"
    else:
        assert decision.refusal.code == code
        assert decision.state == before


def test_art_20_second_replacement_refused():
    s = decide(state(card(CardStatus.LOST)), CardReplace(), ctx()).state
    assert not decide(s, CardReplace(), ctx()).accepted


def test_art_26_quick_service_within_5_days():
    decision = decide(state(card(CardStatus.LOST)), CardReplace(), ctx())
    quick = [d for d in decision.deadlines if d.kind == "quick_service"]
    # "不超过5日" includes day 5 (Civil Code Art. 1259); counted from the next day (Art. 201): 2026-06-06, a
    # Saturday, so the period ends on Monday 06-08 (Art. 203)
    assert [(d.due, d.article) for d in quick] == [(date(2026, 6, 8), "26")]
    on_a_weekday = decide(state(card(CardStatus.LOST)), CardReplace(), ctx(date(2026, 5, 29)))
    assert [d.due for d in on_a_weekday.deadlines if d.kind == "quick_service"] == [date(2026, 6, 3)]
    first = decide(state(), CardApply(form=form()), ctx())
    assert first.accepted
    assert not [d for d in first.deadlines if d.kind == "quick_service"]
