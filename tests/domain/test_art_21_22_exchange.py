"""Art. 21-22: exchange for reasons 1-7; reason 1 before expiry with card, document and a recent photo."""

from __future__ import annotations

from datetime import date

import pytest

from outreach.domain import CardExchange, CardStatus, decide
from tests.support.domain import card, ctx, state

SOON = date(2026, 8, 15)  # today is 2026-06-01: within three months of expiry


@pytest.mark.parametrize("reason", [1, 2, 3, 4, 5, 6, 7])
def test_art_21_all_reasons_accepted_for_active_card(reason):
    old = card(CardStatus.ACTIVE, card_id="old", generation="2", expires_on=SOON)
    decision = decide(state(old), CardExchange(reason=reason, photo_ref="photo-2"), ctx())
    assert decision.accepted, decision.refusal
    assert decision.state.cards[-1].reason == f"exchange:{reason}"
    assert (
        decision.state.cards[0].status is CardStatus.ACTIVE
    )  # usable until the new one is collected (Art. 25)


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (CardStatus.LOST, "card_lost_use_replace"),
        (CardStatus.TEMP_LOST, "card_locked"),
        (CardStatus.READY, "card_not_collected"),
        (CardStatus.CANCELLED, "no_live_card"),
    ],
)
def test_art_21_exchange_refused_for_abnormal_card(status, code):
    decision = decide(state(card(status)), CardExchange(reason=2), ctx())
    assert decision.refusal.code == code


@pytest.mark.parametrize(
    ("event", "code"),
    [
        (CardExchange(reason=1, photo_ref="photo-2"), None),
        (CardExchange(reason=1), "photo_required"),
        (CardExchange(reason=1, photo_ref="photo-2", card_presented=False), "card_required"),
        (CardExchange(reason=2, document_checked=False), "document_not_checked"),
    ],
)
def test_art_22_exchange_for_expiry_needs_photo_and_card(event, code):
    decision = decide(state(card(CardStatus.ACTIVE, expires_on=SOON)), event, ctx())
    if code is None:
        assert decision.accepted
        assert decision.warnings == []
    else:
        assert decision.refusal.code == code
        assert decision.refusal.article == "22"


def test_art_22_exchange_after_expiry_accepted_with_warning():
    expired = card(CardStatus.ACTIVE, expires_on=date(2026, 5, 1))
    decision = decide(state(expired), CardExchange(reason=1, photo_ref="p"), ctx())
    assert decision.accepted
    assert [w.code for w in decision.warnings] == ["applied_after_expiry"]


def test_art_21_upgrade_only_from_second_generation():
    assert decide(state(card(generation="2")), CardExchange(reason=5), ctx()).accepted
    refused = decide(state(card(generation="3")), CardExchange(reason=5), ctx())
    assert refused.refusal.code == "no_upgrade"


def test_art_21_no_second_exchange_while_one_is_pending():
    s = decide(state(card()), CardExchange(reason=2), ctx()).state
    assert decide(s, CardExchange(reason=3), ctx()).refusal.code == "renewal_pending"


@pytest.mark.parametrize(
    ("expires_on", "code"),
    [
        (date(2036, 1, 1), "exchange_too_early"),  # valid for years: not an exchange for expiry
        (date(2026, 9, 2), "exchange_too_early"),  # the window opens on 2026-06-02
        (
            date(2026, 9, 1),
            None,
        ),  # opens today: the same day three months before expiry (Civil Code Art. 202)
        (date(2026, 8, 31), None),  # 2026-05-31: the window of an expiry on 31 August opens on 31 May
        (date(2026, 6, 1), None),  # the expiry day itself is still "before expiry"
    ],
)
def test_art_22_exchange_for_expiry_only_within_three_months_before_expiry(expires_on, code):
    before = state(card(CardStatus.ACTIVE, expires_on=expires_on))
    decision = decide(before, CardExchange(reason=1, photo_ref="p"), ctx())
    if code is None:
        assert decision.accepted, decision.refusal
        assert decision.fee.code == "exchange_expiry"
    else:
        assert decision.refusal.code == code
        assert decision.refusal.article == "22"
        assert expires_on.isoformat() in decision.refusal.message_zh  # says when the window opens
        assert decision.state == before
    # other reasons are not bound to the expiry window
    assert decide(before, CardExchange(reason=3), ctx()).accepted


def test_art_22_exchange_for_expiry_of_a_card_without_recorded_expiry_warns():
    decision = decide(
        state(card(CardStatus.ACTIVE, expires_on=None)), CardExchange(reason=1, photo_ref="p"), ctx()
    )
    assert decision.accepted
    assert [w.code for w in decision.warnings] == ["expiry_unknown"]
