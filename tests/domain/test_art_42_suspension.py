"""Art. 42: misuse suspends the one-card functions, decided by the city/county human resources department; the
bank side keeps working, so the card can still be reported lost (Art. 16-18), activated at the bank and renewed;
the department lifts the suspension."""

from __future__ import annotations

import pytest

from outreach.domain import (
    CardBankActivate,
    CardDeliver,
    CardExchange,
    CardIssue,
    CardLiftSuspension,
    CardLossFormal,
    CardLossTemporary,
    CardReplace,
    CardStatus,
    CardSuspend,
    CardUnlock,
    decide,
)
from outreach.domain.conflicts import precedence
from outreach.domain.lifecycle import electronic_refusal
from tests.support.domain import card, ctx, state

HR = "海口市人力资源和社会保障局"


def suspend(**kw):
    return CardSuspend(ground=kw.pop("ground", 2), department=kw.pop("department", HR), **kw)


@pytest.mark.parametrize(
    ("status", "after", "accepted"),
    [
        (CardStatus.ACTIVE, CardStatus.SUSPENDED, True),
        (CardStatus.READY, CardStatus.READY, True),  # suspended once collected
        (CardStatus.LOST, CardStatus.LOST, True),  # the suspension is kept under the loss report
        (CardStatus.TEMP_LOST, CardStatus.TEMP_LOST, True),
        (CardStatus.SUSPENDED, None, False),
        (CardStatus.CANCELLED, None, False),
    ],
)
def test_art_42_suspension(status, after, accepted):
    decision = decide(state(card(status, electronic=True)), suspend(), ctx())
    assert decision.accepted is accepted
    if accepted:
        c = decision.state.cards[0]
        assert c.status is after
        assert c.suspended
        assert (c.suspended_on, c.suspension_ground, c.suspended_by) == (ctx().today, 2, HR)
        assert not c.electronic_usable


def test_art_42_suspension_is_decided_by_the_hr_department():
    for department in (None, "  "):
        decision = decide(state(card()), CardSuspend(ground=1, department=department), ctx())
        assert decision.refusal.code == "suspension_department_required"
        assert decision.refusal.article == "42"


def test_art_42_ground_must_be_1_to_8():
    with pytest.raises(ValueError, match="ground"):
        CardSuspend(ground=9)


def test_art_42_bank_side_keeps_working_while_suspended():
    s = decide(state(card()), suspend(ground=1), ctx()).state
    activated = decide(s, CardBankActivate(), ctx())
    assert activated.accepted, activated.refusal
    assert activated.state.cards[0].status is CardStatus.SUSPENDED
    assert electronic_refusal(activated.state.cards[0]).code == "physical_card_abnormal"  # Art. 13


@pytest.mark.parametrize("loss", [CardLossTemporary(period="long"), CardLossFormal()])
def test_art_16_suspended_card_can_be_reported_lost_and_stays_suspended(loss):
    s = decide(state(card()), suspend(), ctx()).state
    lost = decide(s, loss, ctx())
    assert lost.accepted, lost.refusal
    assert lost.state.cards[0].status in (CardStatus.TEMP_LOST, CardStatus.LOST)
    assert lost.state.cards[0].suspended
    found = decide(lost.state, CardUnlock(), ctx())
    assert found.accepted
    assert found.state.cards[0].status is CardStatus.SUSPENDED  # back to suspended, not to active


def test_art_42_lifting_restores_the_one_card_functions():
    s = decide(state(card()), suspend(), ctx()).state
    assert decide(s, CardLiftSuspension(), ctx()).refusal.code == "suspension_department_required"
    lifted = decide(s, CardLiftSuspension(department=HR, decision_ref="海人社〔2026〕1号"), ctx())
    assert lifted.accepted
    c = lifted.state.cards[0]
    assert c.status is CardStatus.ACTIVE
    assert not c.suspended
    assert decide(lifted.state, CardLiftSuspension(department=HR), ctx()).refusal.code == "not_suspended"


def test_art_42_lifting_while_lost_keeps_the_loss_report():
    s = decide(state(card()), suspend(), ctx()).state
    s = decide(s, CardLossFormal(), ctx()).state
    lifted = decide(s, CardLiftSuspension(department=HR), ctx()).state
    assert lifted.cards[0].status is CardStatus.LOST
    assert decide(lifted, CardUnlock(), ctx()).state.cards[0].status is CardStatus.ACTIVE


def test_art_42_a_legacy_suspended_status_can_be_lifted_and_reported_lost():
    legacy = state(card(CardStatus.SUSPENDED))  # recorded before suspension had a day and a department
    assert decide(legacy, CardLiftSuspension(department=HR), ctx()).state.cards[0].status is CardStatus.ACTIVE
    lost = decide(legacy, CardLossFormal(), ctx()).state
    assert lost.cards[0].suspended_on == ctx().today


@pytest.mark.parametrize("renewal", [CardReplace(card_id="new"), CardExchange(reason=3, card_id="new")])
def test_art_42_renewal_of_a_suspended_card_carries_the_suspension(renewal):
    s = decide(state(card(card_id="old")), suspend(), ctx()).state
    if isinstance(renewal, CardReplace):
        s = decide(s, CardLossFormal(), ctx()).state
    renewed = decide(s, renewal, ctx())
    assert renewed.accepted, renewed.refusal
    new = renewed.state.card("new")
    assert new.suspended
    assert new.suspended_by == HR
    s = decide(renewed.state, CardIssue(card_id="new"), ctx()).state
    collected = decide(s, CardDeliver(card_id="new", old_card_returned=True), ctx())
    assert collected.accepted, collected.refusal
    assert collected.state.card("new").status is CardStatus.SUSPENDED


def test_art_16_42_a_loss_report_wins_over_a_concurrent_suspension():
    assert precedence(CardStatus.SUSPENDED, CardStatus.TEMP_LOST) is CardStatus.TEMP_LOST
    assert precedence(CardStatus.LOST, CardStatus.SUSPENDED) is CardStatus.LOST
    assert precedence(CardStatus.ACTIVE, CardStatus.SUSPENDED) is None  # a person decides
