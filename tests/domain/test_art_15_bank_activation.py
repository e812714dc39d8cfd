"""Art. 15: bank activation only on a collected card, not locked or cancelled, holder present."""

from __future__ import annotations

import pytest

from outreach.domain import CardBankActivate, CardStatus, decide
from tests.support.domain import agent, card, ctx, state


@pytest.mark.parametrize(
    ("status", "event", "code"),
    [
        (CardStatus.ACTIVE, CardBankActivate(), None),
        (CardStatus.ACTIVE, CardBankActivate(holder_present=False, agent=agent()), None),
        (CardStatus.ACTIVE, CardBankActivate(holder_present=False), "holder_must_be_present"),
        (CardStatus.ACTIVE, CardBankActivate(document_checked=False), "document_not_checked"),
        (CardStatus.READY, CardBankActivate(), "card_not_collected"),
        (CardStatus.APPLIED, CardBankActivate(), "card_not_ready"),
        (CardStatus.TEMP_LOST, CardBankActivate(), "card_locked"),
        (CardStatus.LOST, CardBankActivate(), "card_locked"),
        (CardStatus.SUSPENDED, CardBankActivate(), "card_suspended"),
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
    from datetime import date

    expired = card(CardStatus.ACTIVE, expires_on=date(2026, 5, 31))
    decision = decide(state(expired), CardBankActivate(), ctx())
    assert decision.refusal.code == "card_expired"


def test_art_15_agent_with_invalid_document_refused():
    from tests.support.domain import doc

    bad = agent(document=doc("460100197005050130"))
    decision = decide(state(card()), CardBankActivate(holder_present=False, agent=bad), ctx())
    assert decision.refusal.code == "check_digit"
