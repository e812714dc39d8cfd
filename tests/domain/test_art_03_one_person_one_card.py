"""Art. 3: one person, one card. An application is refused while a live card exists."""

from __future__ import annotations

import pytest

from outreach.domain import CardApply, CardStatus, decide
from tests.support.domain import card, ctx, form, state


@pytest.mark.parametrize(
    ("existing", "accepted"),
    [
        ((), True),
        ((CardStatus.REPLACED,), True),
        ((CardStatus.RECALLED,), True),
        ((CardStatus.APPLIED,), False),
        ((CardStatus.READY,), False),
        ((CardStatus.ACTIVE,), False),
        ((CardStatus.TEMP_LOST,), False),
        ((CardStatus.LOST,), False),
        ((CardStatus.SUSPENDED,), False),
        ((CardStatus.EXCHANGED, CardStatus.ACTIVE), False),
    ],
)
def test_art_03_apply_refused_while_a_live_card_exists(existing, accepted):
    before = state(*(card(s, card_id=f"c{i}") for i, s in enumerate(existing)))
    decision = decide(before, CardApply(form=form()), ctx())
    assert decision.accepted is accepted
    if accepted:
        assert len(decision.state.live_cards()) == 1
        assert decision.state.cards[-1].status is CardStatus.APPLIED
    else:
        assert decision.refusal is not None
        assert decision.refusal.code == "one_person_one_card"
        assert decision.refusal.article == "3"
        assert decision.state == before


def test_art_03_refusal_never_raises_and_keeps_state():
    before = state(card(CardStatus.ACTIVE))
    decision = decide(before, CardApply(form=form()), ctx())
    assert decision.state is before
    assert "一人一卡" in decision.refusal.message_zh
    assert "one person, one card" in decision.refusal.message_en


def test_art_03_no_new_application_after_cancellation_on_death():
    decision = decide(state(card(CardStatus.CANCELLED)), CardApply(form=form()), ctx())
    assert not decision.accepted
    assert decision.refusal.code == "holder_deceased"
    assert decision.refusal.article == "27"
