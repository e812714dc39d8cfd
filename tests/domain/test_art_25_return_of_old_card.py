"""Art. 25: on exchange or reissue the old card is handed in when the new one is collected; if it is not
handed in, the case is handled as a replacement."""

from __future__ import annotations

import pytest

from outreach.domain import CardDeliver, CardExchange, CardIssue, CardReturnOld, CardStatus, decide
from tests.support.domain import card, ctx, state


def _new_card_ready():
    s = decide(state(card(card_id="old")), CardExchange(reason=2, card_id="new"), ctx()).state
    return decide(s, CardIssue(), ctx()).state


@pytest.mark.parametrize(
    ("returned", "old_status", "charged"),
    [(True, CardStatus.EXCHANGED, None), (False, CardStatus.REPLACED, True)],
)
def test_art_25_old_card_returned_or_not(returned, old_status, charged):
    collected = decide(_new_card_ready(), CardDeliver(), ctx())
    assert [w.code for w in collected.warnings] == ["return_old_card"]
    decision = decide(collected.state, CardReturnOld(returned=returned), ctx())
    assert decision.accepted
    old = decision.state.card("old")
    assert old.status is old_status
    assert old.cancelled_on == ctx().today
    assert [c.card_id for c in decision.state.live_cards()] == ["new"]
    if charged is None:
        assert decision.fee is None
    else:
        assert decision.fee.charged
        assert decision.fee.article == "25"


def test_art_25_nothing_to_return_without_exchange():
    decision = decide(state(card()), CardReturnOld(), ctx())
    assert decision.refusal.code == "no_old_card"


def test_art_25_return_refused_before_new_card_is_made():
    s = decide(state(card(card_id="old")), CardExchange(reason=2, card_id="new"), ctx()).state
    assert decide(s, CardReturnOld(), ctx()).refusal.code == "new_card_not_ready"
