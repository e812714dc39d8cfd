"""Art. 27-28: cancellation on death by an agent with proof or a signed pledge; bank account closure within
180 days."""

from __future__ import annotations

from datetime import date

import pytest

from outreach.domain import CardCancel, CardStatus, decide
from tests.support.domain import agent, card, ctx, state

DIED = date(2026, 5, 20)


@pytest.mark.parametrize(
    ("status", "event", "code"),
    [
        (CardStatus.ACTIVE, CardCancel(agent=agent(), deceased_on=DIED, proof="death_certificate"), None),
        (CardStatus.ACTIVE, CardCancel(agent=agent(), deceased_on=DIED, proof="pledge"), None),
        (
            CardStatus.LOST,
            CardCancel(agent=agent(), deceased_on=DIED, proof="pledge", detected_by_center=True),
            None,
        ),
        (
            CardStatus.SUSPENDED,
            CardCancel(agent=agent(), deceased_on=DIED, proof="household_cancellation"),
            None,
        ),
        (CardStatus.ACTIVE, CardCancel(agent=None, deceased_on=DIED, proof="pledge"), "agent_required"),
        (
            CardStatus.ACTIVE,
            CardCancel(agent=agent(), deceased_on=date(2026, 6, 2), proof="pledge"),
            "death_date_in_future",
        ),
        (CardStatus.CANCELLED, CardCancel(agent=agent(), deceased_on=DIED, proof="pledge"), "no_live_card"),
        (
            CardStatus.ACTIVE,
            CardCancel(agent=agent(name="Li 3"), deceased_on=DIED, proof="pledge"),
            "name_not_chinese",
        ),
    ],
)
def test_art_27_cancellation(status, event, code):
    decision = decide(state(card(status)), event, ctx())
    if code is None:
        assert decision.accepted
        c = decision.state.cards[0]
        assert c.status is CardStatus.CANCELLED
        assert not c.electronic
        closure = [d for d in decision.deadlines if d.kind == "bank_account_closure"]
        # "180日内": day 180 after 2026-06-01 is Saturday 11-28; Civil Code Art. 203 moves it to Monday 11-30
        assert [(d.due, d.article) for d in closure] == [(date(2026, 11, 30), "27")]
    else:
        assert decision.refusal.code == code


def test_art_27_missing_card_is_a_warning_not_a_refusal():
    event = CardCancel(agent=agent(), deceased_on=DIED, proof="pledge", card_presented=False)
    decision = decide(state(card()), event, ctx())
    assert decision.accepted
    assert [w.code for w in decision.warnings] == ["card_not_presented"]


def test_art_27_cancels_pending_new_card_too():
    from outreach.domain import CardExchange

    s = decide(state(card(card_id="old")), CardExchange(reason=2), ctx()).state
    decision = decide(s, CardCancel(agent=agent(), deceased_on=DIED, proof="pledge"), ctx())
    assert decision.state.live_cards() == []


def test_art_12_27_card_recalled_on_death_can_be_cancelled_with_bank_closure_deadline():
    from outreach.domain import CardRecall

    recalled = decide(state(card(CardStatus.READY)), CardRecall(cause="death"), ctx()).state
    assert recalled.cards[0].recall_cause == "death"
    decision = decide(
        recalled, CardCancel(agent=agent(), deceased_on=DIED, proof="pledge", card_presented=False), ctx()
    )
    assert decision.accepted, decision.refusal
    assert decision.state.cards[0].status is CardStatus.CANCELLED
    assert decision.warnings == []  # the agency holds the recalled card: nothing to present
    assert [d.kind for d in decision.deadlines] == ["bank_account_closure"]


def test_art_27_no_new_application_or_hand_out_for_a_holder_who_died():
    from outreach.domain import CardApply, CardIssue, CardRecall
    from tests.support.domain import form

    recalled = decide(state(card(CardStatus.READY)), CardRecall(cause="death"), ctx()).state
    assert decide(recalled, CardApply(form=form()), ctx()).refusal.code == "holder_deceased"
    assert decide(recalled, CardIssue(), ctx()).refusal.code == "holder_deceased"
    cancelled = decide(recalled, CardCancel(agent=agent(), deceased_on=DIED, proof="pledge"), ctx()).state
    assert decide(cancelled, CardApply(form=form()), ctx()).refusal.code == "holder_deceased"
    # an uncollected (not death) recall does not stop a new application
    uncollected = state(card(CardStatus.RECALLED, recall_cause="uncollected"))
    assert decide(uncollected, CardApply(form=form()), ctx()).accepted
