"""Art. 15: bank activation only on a collected card, not locked or cancelled, holder present."""

from __future__ import annotations

from datetime import date

import pytest

from outreach.domain import CardBankActivate, CardStatus, decide
from tests.support.domain import agent, card, ctx, state


@pytest.mark.parametrize(
    ("status", "event", "code"),
    [
        (CardStatus.ACTIVE, CardBankActivate(), None),
        (
            CardStatus.ACTIVE,
            CardBankActivate(holder_present=False, agent=agent(), agent_ground="disabled_poor_mobility"),
            None,
        ),
        (CardStatus.ACTIVE, CardBankActivate(holder_present=False, agent=agent()), "agent_ground_required"),
        (CardStatus.ACTIVE, CardBankActivate(holder_present=False), "holder_must_be_present"),
        (CardStatus.ACTIVE, CardBankActivate(document_checked=False), "document_not_checked"),
        (CardStatus.READY, CardBankActivate(), "card_not_collected"),
        (CardStatus.APPLIED, CardBankActivate(), "card_not_ready"),
        (CardStatus.TEMP_LOST, CardBankActivate(), "card_locked"),
        (CardStatus.LOST, CardBankActivate(), "card_locked"),
        (CardStatus.SUSPENDED, CardBankActivate(), None),  # Art. 42 stops only the one-card functions
        (CardStatus.CANCELLED, CardBankActivate(), "no_live_card"),
    ],
)
def test_art_15_bank_activation(status, event, code):
    decision = decide(state(card(status)), event, ctx())
    if code is None:
        assert decision.accepted
        assert decision.state.cards[0].bank_activated
    else:
        assert not decision.accepted
        assert decision.refusal.code == code


def test_art_15_activation_twice_refused():
    s = state(card(CardStatus.ACTIVE, bank_activated=True))
    decision = decide(s, CardBankActivate(), ctx())
    assert decision.refusal.code == "already_activated"


def test_art_15_expired_card_not_activated():
    expired = card(CardStatus.ACTIVE, expires_on=date(2026, 5, 31))
    decision = decide(state(expired), CardBankActivate(), ctx())
    assert decision.refusal.code == "card_expired"


def test_art_15_agent_with_invalid_document_refused():
    from tests.support.domain import doc

    bad = agent(document=doc("460100197005050130"))
    decision = decide(state(card()), CardBankActivate(holder_present=False, agent=bad), ctx())
    assert decision.refusal.code == "check_digit"


@pytest.mark.parametrize(
    ("ground", "born", "code"),
    [
        ("minor", date(2010, 6, 2), None),  # 15 on 2026-06-01: "未满十六周岁"
        ("minor", date(2010, 6, 1), "agent_ground_not_met"),  # 16 today: no longer under 16
        ("minor", None, "holder_birth_date_required"),
        ("elderly_poor_mobility", date(1966, 6, 1), None),  # 60 today: "六十周岁以上" includes 60
        ("elderly_poor_mobility", date(1966, 6, 2), "agent_ground_not_met"),
        ("incapacity", date(1990, 1, 1), None),
        ("disabled_poor_mobility", None, None),
        (None, date(1940, 1, 1), "agent_ground_required"),
    ],
)
def test_art_45_agent_activates_only_for_the_holders_it_names(ground, born, code):
    event = CardBankActivate(holder_present=False, agent=agent(), agent_ground=ground, holder_birth_date=born)
    before = state(card(CardStatus.ACTIVE))
    decision = decide(before, event, ctx())
    if code is None:
        assert decision.accepted, decision.refusal
        assert decision.state.cards[0].bank_activated_by_agent == ground  # recorded which
    else:
        assert decision.refusal.code == code
        assert decision.refusal.article == "45"
        assert decision.state == before


def test_art_15_holder_present_activation_records_no_agent_ground():
    decision = decide(state(card()), CardBankActivate(agent=agent()), ctx())
    assert decision.accepted
    assert decision.state.cards[0].bank_activated_by_agent is None
