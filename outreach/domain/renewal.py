"""Lifecycle rules for a new card replacing an old one, and for cancellation on death.

- replace (补领, Art. 20): only after a formal loss report; the lost card is cancelled (status ``replaced``) the
  moment the replacement application is accepted; afterwards it can no longer be unlocked (Art. 19).
- exchange (换领, Art. 21-22) for reasons 1-7, and reissue (换发, Art. 23) on a key data change: the old card stays
  usable until the new one is collected; then it is handed in (``exchanged``) or, if not handed in, handled as a
  replacement (``replaced``, Art. 25). During that time the person has two live cards: the one exception to Art. 3.
- cancel (注销, Art. 27-28): on death, by an agent, with proof or a signed pledge (告知承诺制).

Rule refusals never raise; see :func:`outreach.domain.lifecycle.decide`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from outreach.domain._rules import (
    accept,
    document_missing,
    inherited_suspension,
    no_card,
    pick,
    put,
    refuse,
    refuse_with,
    wrong_status,
)
from outreach.domain.counting import add_months
from outreach.domain.deadlines import card_deadlines
from outreach.domain.decision import Decision, FeeDecision, RuleContext
from outreach.domain.enums import CardStatus, Hardship
from outreach.domain.events import (
    EXCHANGE_REASONS,
    CardCancel,
    CardExchange,
    CardReissue,
    CardReplace,
    CardReturnOld,
)
from outreach.domain.fees import fee_decision
from outreach.domain.forms import agent_problem
from outreach.domain.models import CardState, PersonCards
from outreach.domain.refusal import Refusal, refusal
from outreach.domain.reissue import reissue_data_problems

#: An exchange for expiry (Art. 21 (1)) is applied for "before the card expires" (Art. 22 (1)): from three
#: months before the expiry day (the same day three months earlier, Civil Code Art. 202). Three months leave
#: time for the 30 working days of production (Art. 11) and collection before the old card stops working, and
#: follow the window of the resident identity card (有效期满前三个月内换领). After expiry it is still accepted,
#: with a warning: the card has to be exchanged (Art. 21 (1)) and refusing would leave the holder without one.
EXPIRY_EXCHANGE_MONTHS = 3


def expiry_exchange_opens(expires_on: date) -> date:
    """First day an exchange for expiry may be applied for. Raises nothing."""
    return add_months(expires_on, -EXPIRY_EXCHANGE_MONTHS)


def _new_card(
    state: PersonCards, card_id: str, generation: str, reason: str, ctx: RuleContext, old: CardState
) -> CardState:
    """The card applied for in place of ``old``; an Art. 42 suspension of ``old`` passes on to it."""
    new = CardState(
        card_id=card_id,
        person_id=state.person_id,
        status=CardStatus.APPLIED,
        generation="2" if generation == "2" else "3",
        accepted_on=ctx.today,
        reason=reason,
    )
    return new.model_copy(update=inherited_suspension(old, ctx.today))


def _replace(state: PersonCards, ev: CardReplace, ctx: RuleContext) -> Decision:
    card = pick(state, None, (CardStatus.LOST,))
    if card is None:
        return no_card(state, None)
    if card.status is not CardStatus.LOST:
        return refuse(
            state,
            "formal_loss_required",
            "20",
            "补领须先办理正式挂失",
            "a replacement can be applied for only after a formal loss report",
        )
    if len(state.live_cards()) > 1:
        return refuse(state, "renewal_pending", "3", "已有新卡在办理中", "a new card is already being made")
    if not ev.document_checked:
        return document_missing(state, "20")
    old = card.model_copy(
        update={
            "status": CardStatus.REPLACED,
            "replacement_applied": True,
            "cancelled_on": ctx.today,
            "electronic": False,
        }
    )
    new = _new_card(state, ev.card_id, ev.generation, "replace", ctx, card)
    fee = fee_decision(
        "replace", hardship=ev.hardship, old_generation=card.generation, new_generation=ev.generation
    )
    return accept(put(put(state, old), new), fee=fee, deadlines=card_deadlines(new, ctx.calendar))


def _current_for_renewal(state: PersonCards, article: str, zh: str, en: str) -> CardState | Decision:
    live = state.live_cards()
    if not live:
        return no_card(state, None)
    if len(live) > 1:
        return refuse(state, "renewal_pending", "3", "已有新卡在办理中", "a new card is already being made")
    card = live[0]
    if card.status is CardStatus.LOST:
        return refuse(
            state,
            "card_lost_use_replace",
            "20",
            f"卡已正式挂失，不能{zh}，请办理补领",
            f"the card is formally lost: cannot {en}; apply for a replacement",
        )
    if card.status not in (CardStatus.ACTIVE, CardStatus.SUSPENDED):  # Art. 42 stops only one-card use
        return wrong_status(state, card, article, zh, en)
    return card


def _exchange(state: PersonCards, ev: CardExchange, ctx: RuleContext) -> Decision:
    found = _current_for_renewal(state, "21", "换领", "exchange it")
    if isinstance(found, Decision):
        return found
    card = found
    warnings: list[Refusal] = []
    if not ev.document_checked:
        return document_missing(state, "22")
    if ev.reason == 1:
        if not ev.photo_ref:
            return refuse(
                state,
                "photo_required",
                "22",
                "有效期满换领须提供本人近期相片",
                "an exchange for expiry needs a recent photo",
                field="photo_ref",
            )
        if not ev.card_presented:
            return refuse(
                state,
                "card_required",
                "22",
                "有效期满换领须持社会保障卡",
                "an exchange for expiry needs the card",
                field="card_presented",
            )
        if card.expires_on is None:
            warnings.append(
                refusal(
                    "expiry_unknown",
                    "22",
                    "此卡的有效期未登记，请核对卡面有效期是否即将届满",
                    "the card's expiry is not on record: check on the card face that it is about to expire",
                )
            )
        elif ctx.today < (opens := expiry_exchange_opens(card.expires_on)):
            return refuse(
                state,
                "exchange_too_early",
                "22",
                f"卡有效期至 {card.expires_on.isoformat()}，有效期满换领自 {opens.isoformat()} 起办理"
                f"（有效期满前 {EXPIRY_EXCHANGE_MONTHS} 个月内）",
                f"the card is valid until {card.expires_on.isoformat()}: an exchange for expiry can be applied for "
                f"from {opens.isoformat()} ({EXPIRY_EXCHANGE_MONTHS} months before expiry)",
            )
        elif ctx.today > card.expires_on:
            warnings.append(
                refusal(
                    "applied_after_expiry",
                    "22",
                    f"卡已于 {card.expires_on.isoformat()} 到期，应在有效期满前申请换领",
                    f"the card expired on {card.expires_on.isoformat()}; the exchange should precede expiry",
                )
            )
    if ev.reason == 5 and (card.generation == "3" or ev.generation == card.generation):
        return refuse(
            state,
            "no_upgrade",
            "21",
            "此卡已是第三代社会保障卡，不属于升级换代",
            "the card is already of the latest generation: not an upgrade",
        )
    new = _new_card(state, ev.card_id, ev.generation, f"exchange:{ev.reason}", ctx, card)
    fee = fee_decision(
        "exchange",
        hardship=ev.hardship,
        exchange_reason=ev.reason,
        old_generation=card.generation,
        new_generation=ev.generation,
    )
    return accept(put(state, new), fee=fee, deadlines=card_deadlines(new, ctx.calendar), warnings=warnings)


def _reissue(state: PersonCards, ev: CardReissue, ctx: RuleContext) -> Decision:
    found = _current_for_renewal(state, "23", "换发", "reissue it")
    if isinstance(found, Decision):
        return found
    card = found
    if ev.evidence is None:
        return refuse(
            state,
            "change_evidence_required",
            "23",
            "关键信息变更换发须提供居民户口簿或公安机关等出具的身份信息变更材料",
            "a key data change needs the household register or an official change certificate",
            field="evidence",
        )
    if not ev.document_checked:
        return document_missing(state, "23")
    problems, warnings = reissue_data_problems(ev, ctx.today)
    if problems:
        return refuse_with(state, problems[0])
    new = _new_card(state, ev.card_id, ev.generation, "reissue", ctx, card)
    fee = fee_decision(
        "reissue", hardship=ev.hardship, old_generation=card.generation, new_generation=ev.generation
    )
    return accept(put(state, new), fee=fee, deadlines=card_deadlines(new, ctx.calendar), warnings=warnings)


def _return_old(state: PersonCards, ev: CardReturnOld, ctx: RuleContext) -> Decision:
    live = state.live_cards()
    newest = live[-1] if live else None
    if newest is None or len(live) < 2 or not (newest.reason or "").startswith(("exchange", "reissue")):
        return refuse(
            state,
            "no_old_card",
            "25",
            "没有待交回的原卡（只在换领、换发时交回原卡）",
            "no old card to hand in (only on exchange or reissue)",
        )
    old = state.card(ev.card_id) if ev.card_id is not None else live[0]
    if old is None or old.card_id == newest.card_id or not old.live:
        return no_card(state, ev.card_id)
    if newest.status not in (CardStatus.READY, CardStatus.ACTIVE):
        return refuse(
            state,
            "new_card_not_ready",
            "25",
            "原卡在领取新卡时交回，新卡尚未制成",
            "the old card is handed in when the new card is collected; the new card is not ready yet",
        )
    new_state, fee = settle_old_cards(state, [old], ev.returned, ev.hardship, ctx)
    return accept(new_state, fee=fee)


def settle_old_cards(
    state: PersonCards, old: list[CardState], returned: bool, hardship: Hardship, ctx: RuleContext
) -> tuple[PersonCards, FeeDecision | None]:
    """Art. 25: the old cards of an exchange or reissue, handed in (``exchanged``: cancelled) or not (handled as
    a replacement: ``replaced``, with the fee of Art. 24 unless the holder is in hardship)."""
    for card in old:
        update: dict[str, object] = {"cancelled_on": ctx.today, "electronic": False}
        if returned:
            update["status"] = CardStatus.EXCHANGED
        else:
            update.update(status=CardStatus.REPLACED, replacement_applied=True)
        state = put(state, card.model_copy(update=update))
    return state, None if returned else fee_decision("not_returned", hardship=hardship)


def _cancel(state: PersonCards, ev: CardCancel, ctx: RuleContext) -> Decision:
    # A card recalled and kept by the agency (Art. 12, e.g. undeliverable because the holder died) is cancelled
    # too: its one-card functions end and the bank account must be closed (Art. 27).
    held = [c for c in state.cards if c.live or c.status is CardStatus.RECALLED]
    target = [c for c in held if ev.card_id in (None, c.card_id)]
    if not target:
        return no_card(state, ev.card_id)
    if ev.agent is None:
        return refuse(
            state,
            "agent_required",
            "27",
            "持卡人死亡的，应由其代理人办理注销",
            "on death the card is cancelled by the holder's agent",
            field="agent",
        )
    if (why := agent_problem(ev.agent, ctx.today)) is not None:
        return refuse_with(state, why)
    if ev.deceased_on > ctx.today:
        return refuse(
            state,
            "death_date_in_future",
            "27",
            f"死亡日期 {ev.deceased_on.isoformat()} 晚于今天",
            f"date of death {ev.deceased_on.isoformat()} is in the future",
            field="deceased_on",
        )
    warnings: list[Refusal] = []
    if not ev.card_presented and any(c.status is not CardStatus.RECALLED for c in target):
        warnings.append(
            refusal(
                "card_not_presented",
                "27",
                "注销时未交验社会保障卡",
                "the card was not presented at cancellation",
                field="card_presented",
            )
        )
    new_state = state
    for card in target:
        done = card.model_copy(
            update={"status": CardStatus.CANCELLED, "cancelled_on": ctx.today, "electronic": False}
        )
        new_state = put(new_state, done)
    deadlines = [
        d for c in new_state.cards if c.cancelled_on == ctx.today for d in card_deadlines(c, ctx.calendar)
    ]
    return accept(new_state, deadlines=deadlines, warnings=warnings)


def exchange_reason_text(reason: int) -> tuple[str, str]:
    """Chinese and English text of an Art. 21 reason.

    Raises:
        KeyError: reason outside 1-7.
    """
    return EXCHANGE_REASONS[reason]


HANDLERS: dict[type[Any], Callable[[PersonCards, Any, RuleContext], Decision]] = {
    CardReplace: _replace,
    CardExchange: _exchange,
    CardReissue: _reissue,
    CardReturnOld: _return_old,
    CardCancel: _cancel,
}
