"""Whole paths through the lifecycle, and invariants over random event sequences."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from outreach.domain import (
    CardApply,
    CardBankActivate,
    CardCancel,
    CardDeliver,
    CardExchange,
    CardIssue,
    CardLiftSuspension,
    CardLiftTemporary,
    CardLossFormal,
    CardLossTemporary,
    CardRecall,
    CardReissue,
    CardReplace,
    CardReturnOld,
    CardStatus,
    CardSuspend,
    CardUnlock,
    PersonCards,
    decide,
)
from tests.support.domain import PERSON, agent, ctx, form


def run(events, start=date(2026, 1, 5), step=1):
    s = PersonCards(person_id=PERSON)
    day = start
    for event in events:
        decision = decide(s, event, ctx(day))
        assert decision.accepted, (event.kind, decision.refusal)
        s = decision.state
        day += timedelta(days=step)
    return s


def test_lost_card_path_apply_to_replacement():
    s = run(
        [
            CardApply(form=form(), card_id="first"),
            CardIssue(card_number="A00000011"),
            CardDeliver(method="home_delivery"),
            CardBankActivate(),
            CardLossTemporary(period="long"),
            CardLossFormal(),
            CardReplace(card_id="second"),
            CardIssue(),
            CardDeliver(),
        ]
    )
    assert [(c.card_id, c.status) for c in s.cards] == [
        ("first", CardStatus.REPLACED),
        ("second", CardStatus.ACTIVE),
    ]
    assert s.cards[1].bank_activated is False  # the new card's bank account is activated anew


def test_exchange_path_with_return_of_old_card():
    s = run(
        [
            CardApply(form=form(), card_id="first", generation="2"),
            CardIssue(),
            CardDeliver(),
            CardExchange(reason=5, card_id="second"),
            CardIssue(),
            CardDeliver(old_card_returned=True),
        ]
    )
    assert [c.status for c in s.cards] == [CardStatus.EXCHANGED, CardStatus.ACTIVE]


_POOL = [
    CardApply(form=form()),
    CardIssue(),
    CardDeliver(),
    CardBankActivate(),
    CardLossTemporary(period="15d"),
    CardLossTemporary(period="long"),
    CardLossFormal(),
    CardUnlock(),
    CardLiftTemporary(),
    CardReplace(),
    CardExchange(reason=2),
    CardExchange(reason=1, photo_ref="p"),
    CardReissue(changed=["name"], new_name="王晓明", evidence="household_register"),
    CardReturnOld(returned=True),
    CardReturnOld(returned=False),
    CardDeliver(old_card_returned=True),
    CardDeliver(old_card_returned=False),
    CardSuspend(ground=3, department="县人社局"),
    CardLiftSuspension(department="县人社局"),
    CardLossFormal(),
    CardRecall(cause="death"),
    CardCancel(agent=agent(), deceased_on=date(2026, 1, 1), proof="pledge"),
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(range(len(_POOL))), max_size=25), st.integers(1, 40))
def test_property_random_sequences_keep_the_invariants(picks, step):
    s = PersonCards(person_id=PERSON)
    day = date(2026, 1, 5)
    for i in picks:
        event = _POOL[i]
        if event.kind in ("card.apply", "card.replace", "card.exchange", "card.reissue"):
            event = event.model_copy(update={"card_id": f"card-{day.isoformat()}-{i}"})
        decision = decide(s, event, ctx(day))
        if not decision.accepted:
            assert decision.state == s
            assert decision.refusal is not None
            assert decision.refusal.message_zh
            assert decision.refusal.message_en
        s = decision.state
        live = s.live_cards()
        # Art. 3: one live card, two only while an exchanged/reissued card waits for the old one.
        assert len(live) <= 2
        if len(live) == 2:
            assert (live[1].reason or "").startswith(("exchange", "reissue"))
        assert len({c.card_id for c in s.cards}) == len(s.cards)
        for c in s.cards:
            if c.electronic_usable:
                assert c.status is CardStatus.ACTIVE
        if any(c.status is CardStatus.CANCELLED for c in s.cards):
            assert live == []
        day += timedelta(days=step)
