"""Art. 25: on exchange or reissue the old card is handed in when the new one is collected; if it is not
handed in, the case is handled as a replacement."""

from __future__ import annotations

import pytest

from outreach.domain import CardDeliver, CardExchange, CardIssue, CardReturnOld, CardStatus, Hardship, decide
from tests.support.domain import card, ctx, state


def _new_card_ready():
    s = decide(state(card(card_id="old")), CardExchange(reason=2, card_id="new"), ctx()).state
    return decide(s, CardIssue(), ctx()).state


@pytest.mark.parametrize(
    ("returned", "old_status", "charged"),
    [(True, CardStatus.EXCHANGED, None), (False, CardStatus.REPLACED, True)],
)
def test_art_25_collecting_the_new_card_settles_the_old_one(returned, old_status, charged):
    decision = decide(_new_card_ready(), CardDeliver(old_card_returned=returned), ctx())
    assert decision.accepted, decision.refusal
    old = decision.state.card("old")
    assert old.status is old_status
    assert old.cancelled_on == ctx().today
    assert not old.electronic
    assert [c.card_id for c in decision.state.live_cards()] == ["new"]  # one person, one card again
    assert decision.state.card("new").status is CardStatus.ACTIVE
    if charged is None:
        assert decision.fee is None
    else:  # not handed in: handled as a replacement, with its fee
        assert decision.fee.charged
        assert decision.fee.code == "old_card_not_returned"
        assert decision.fee.article == "25"


def test_art_25_collection_refused_until_the_old_card_is_accounted_for():
    ready = _new_card_ready()
    decision = decide(ready, CardDeliver(), ctx())
    assert decision.refusal.code == "old_card_settlement_required"
    assert decision.refusal.article == "25"
    assert decision.state == ready


def test_art_24_25_old_card_not_returned_by_a_holder_in_hardship_is_free():
    decision = decide(
        _new_card_ready(), CardDeliver(old_card_returned=False, hardship=Hardship.MINIMUM_ALLOWANCE), ctx()
    )
    assert decision.state.card("old").status is CardStatus.REPLACED
    assert not decision.fee.charged


def test_art_25_return_old_still_settles_a_card_collected_before_this_rule():
    # a state recorded before collection settled the old card: the new card active, the old one still live
    legacy = state(card(card_id="old"), card(card_id="new", reason="exchange:2"))
    decision = decide(legacy, CardReturnOld(returned=True), ctx())
    assert decision.accepted
    assert decision.state.card("old").status is CardStatus.EXCHANGED


def test_art_25_nothing_to_return_without_exchange():
    decision = decide(state(card()), CardReturnOld(), ctx())
    assert decision.refusal.code == "no_old_card"


def test_art_25_return_refused_before_new_card_is_made():
    s = decide(state(card(card_id="old")), CardExchange(reason=2, card_id="new"), ctx()).state
    assert decide(s, CardReturnOld(), ctx()).refusal.code == "new_card_not_ready"
