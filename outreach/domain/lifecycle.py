"""The card lifecycle as a pure state machine: ``decide(state, event, ctx) -> Decision``.

Each rule cites its article of the Hainan measures (琼府办〔2021〕60号). A refused event returns
``Decision(accepted=False, refusal=...)`` with the unchanged state: rule refusals never raise. ``decide`` raises
only :class:`TypeError` for an object that is not a lifecycle event (a programming error).

Acquiring cards (apply, issue, deliver, bank activation) and locking them (loss reports, unlock, automatic lift,
suspension, recall) are here; the renewal paths (replace, exchange, reissue, return of the old card) and
cancellation are in :mod:`outreach.domain.renewal`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from outreach.domain import locking, renewal
from outreach.domain._rules import (
    accept,
    document_missing,
    no_card,
    pick,
    put,
    refuse,
    refuse_with,
    wrong_status,
)
from outreach.domain.conflicts import deterministic_op_id, precedence
from outreach.domain.deadlines import (
    VALIDITY_YEARS,
    add_years,
    card_deadlines,
    due_events,
    issue_due,
    pending_deadlines,
    recall_due,
)
from outreach.domain.decision import Deadline, Decision, FeeDecision, RuleContext
from outreach.domain.enums import STATUS_ZH, CardStatus
from outreach.domain.events import (
    CardApply,
    CardBankActivate,
    CardCancel,
    CardDeliver,
    CardExchange,
    CardIssue,
    CardLossFormal,
    CardLossTemporary,
    CardRecall,
    CardReissue,
    CardReplace,
    CardReturnOld,
    CardUnlock,
    LifecycleEvent,
)
from outreach.domain.fees import fee_decision
from outreach.domain.forms import agent_ground_problem, agent_problem, check_form
from outreach.domain.models import CardState, PersonCards
from outreach.domain.numbers import check_card_number
from outreach.domain.refusal import Refusal

__all__ = [
    "Deadline",
    "Decision",
    "FeeDecision",
    "RuleContext",
    "decide",
    "deterministic_op_id",
    "electronic_refusal",
    "offer_refusal",
    "due_events",
    "pending_deadlines",
    "precedence",
]

#: Statuses in which the bank side works: a suspension stops only the one-card functions (Art. 42).
_BANK_USABLE = (CardStatus.ACTIVE, CardStatus.SUSPENDED)


def _apply(state: PersonCards, ev: CardApply, ctx: RuleContext) -> Decision:
    refused = _apply_state(state)
    if refused is not None:
        return refused
    return _apply_form(state, ev, ctx)


def _apply_state(state: PersonCards) -> Decision | None:
    """The refusals of an application that come from the person's cards alone (Art. 3, 27)."""
    live = state.live_cards()
    if live:
        card = live[-1]
        return refuse(
            state,
            "one_person_one_card",
            "3",
            f"一人一卡：此人已有社会保障卡（状态“{STATUS_ZH[card.status]}”），请办理补领、换领或换发",
            f"one person, one card: a card exists (status {card.status.value}); use replace, exchange or reissue",
        )
    if any(c.status is CardStatus.CANCELLED or c.recall_cause == "death" for c in state.cards):
        return refuse(
            state,
            "holder_deceased",
            "27",
            "持卡人已死亡（社会保障卡已注销或因死亡回收），不能再为其申领",
            "the holder has died (card cancelled or recalled on death): no new application",
        )
    return None


def _apply_form(state: PersonCards, ev: CardApply, ctx: RuleContext) -> Decision:
    check = check_form(ev.form, today=ctx.today)
    if check.problems:
        first = check.problems[0]
        return Decision(
            accepted=False,
            state=state,
            refusal=Refusal(
                code=first.code,
                article=first.article or "10",
                message_zh="；".join(p.message_zh for p in check.problems),
                message_en="; ".join(p.message_en for p in check.problems),
                field=f"form.{first.field}" if first.field else "form",
            ),
            warnings=check.warnings,
        )
    if not ev.bank_account_opened:
        return refuse(
            state,
            "bank_account_not_opened",
            "11",
            "银行账户开户未成功，请协助申领人解决后重新申领",
            "the bank account could not be opened: resolve it with the applicant, then apply again",
        )
    card = CardState(
        card_id=ev.card_id,
        person_id=state.person_id,
        status=CardStatus.APPLIED,
        generation=ev.generation,
        accepted_on=ctx.today,
        reason="first" if not state.cards else "reapply",
    )
    fee = fee_decision("apply", hardship=ev.hardship, first_card=not state.cards)
    deadlines = card_deadlines(card, ctx.calendar)
    if ev.instant:  # 即时制卡: issued on the spot (Art. 11, second paragraph)
        deadlines = [d.model_copy(update={"due": ctx.today}) if d.kind == "issue" else d for d in deadlines]
    return accept(put(state, card), fee=fee, deadlines=deadlines, warnings=check.warnings)


def _issue(state: PersonCards, ev: CardIssue, ctx: RuleContext) -> Decision:
    """Applied -> ready (card produced). Also recalled -> ready: the agency keeps recalled cards (Art. 12) and
    the center hands one out again when the holder turns up, unless another card is live by then."""
    card = pick(state, ev.card_id, (CardStatus.APPLIED, CardStatus.RECALLED))
    if card is None:
        return no_card(state, ev.card_id)
    if card.status not in (CardStatus.APPLIED, CardStatus.RECALLED):
        return wrong_status(state, card, "11", "制卡发放", "issue it")
    if card.status is CardStatus.RECALLED and card.recall_cause == "death":
        return refuse(
            state,
            "holder_deceased",
            "12",
            "此卡因持卡人死亡回收，不能再发放，请由代理人办理注销",
            "the card was recalled because the holder died: it cannot be handed out; the agent cancels it",
        )
    if card.status is CardStatus.RECALLED and state.live_cards():
        return refuse(
            state,
            "one_person_one_card",
            "3",
            "已有其他有效卡，已回收的卡不能再发放",
            "another live card exists: the recalled card cannot be handed out again",
        )
    issued_on = ev.issued_on or ctx.today
    if issued_on > ctx.today or (card.accepted_on is not None and issued_on < card.accepted_on):
        return refuse(
            state,
            "issue_date_invalid",
            "11",
            f"制卡日期 {issued_on.isoformat()} 不能早于受理日期或晚于今天",
            f"issue date {issued_on.isoformat()} is before acceptance or in the future",
        )
    warnings: list[Refusal] = []
    number = card.card_number
    if ev.card_number is not None:
        result = check_card_number(ev.card_number)
        if result.problems:
            return refuse(state, *_parts(result.problems[0]))
        warnings.extend(result.warnings)
        number = result.normalized
    update: dict[str, object] = {"status": CardStatus.READY, "card_number": number, "issued_on": issued_on}
    if card.status is CardStatus.APPLIED:
        update["expires_on"] = add_years(issued_on, VALIDITY_YEARS)
        if card.accepted_on is not None and issued_on > issue_due(card.accepted_on, ctx.calendar):
            warnings.append(
                Refusal(
                    code="issued_late",
                    article="11",
                    message_zh="超过受理后 30 个工作日才制卡发放",
                    message_en="issued later than 30 working days after acceptance",
                )
            )
    new = card.model_copy(update=update)
    return accept(put(state, new), deadlines=card_deadlines(new, ctx.calendar), warnings=warnings)


def _parts(r: Refusal) -> tuple[str, str, str, str]:
    return r.code, r.article, r.message_zh, r.message_en


def _deliver(state: PersonCards, ev: CardDeliver, ctx: RuleContext) -> Decision:
    card = pick(state, ev.card_id, (CardStatus.READY,))
    if card is None:
        return no_card(state, ev.card_id)
    if card.status is CardStatus.RECALLED:
        return refuse(
            state,
            "card_recalled",
            "12",
            "此卡已回收由一卡通机构保管，须先由中心重新发放",
            "the card was recalled and is kept by the agency: the center must hand it out again first",
        )
    if card.status is not CardStatus.READY:
        return wrong_status(state, card, "12", "领卡", "collect it")
    if ev.method == "agent" and ev.agent is None:
        return refuse(
            state,
            "agent_required",
            "12",
            "代理领卡须登记代理人及双方有效身份证件",
            "collection by an agent needs the agent and both identity documents",
            field="agent",
        )
    if ev.agent is not None and (why := agent_problem(ev.agent, ctx.today)) is not None:
        return refuse_with(state, why)
    if not ev.document_checked:
        return document_missing(state, "12")
    old = [c for c in state.live_cards() if c.card_id != card.card_id]
    renewing = (card.reason or "").startswith(("exchange", "reissue"))
    if old and renewing and ev.old_card_returned is None:
        return refuse(
            state,
            "old_card_settlement_required",
            "25",
            "领取换领、换发的新卡时应交回原卡：请登记原卡是否交回（未交回的按补领流程处理）",
            "collecting an exchanged or reissued card settles the old one: record whether it was handed in "
            "(if not, it is handled as a replacement)",
        )
    collected = CardStatus.SUSPENDED if card.suspended else CardStatus.ACTIVE  # Art. 42 carries over
    new = card.model_copy(update={"status": collected, "collected_on": ctx.today, "electronic": ev.electronic})
    new_state = put(state, new)
    fee = None
    if old and renewing:
        new_state, fee = renewal.settle_old_cards(new_state, old, bool(ev.old_card_returned), ev.hardship, ctx)
    return accept(new_state, fee=fee, deadlines=card_deadlines(new, ctx.calendar))


def _bank_activate(state: PersonCards, ev: CardBankActivate, ctx: RuleContext) -> Decision:
    card = pick(state, ev.card_id, _BANK_USABLE)
    if card is None:
        return no_card(state, ev.card_id)
    if card.status not in _BANK_USABLE:
        return wrong_status(state, card, "15", "激活银行账户", "activate the bank account")
    if card.bank_activated:
        return refuse(
            state, "already_activated", "15", "银行账户已激活", "the bank account is already active"
        )
    if card.expires_on is not None and card.expires_on < ctx.today:
        return refuse(
            state,
            "card_expired",
            "6",
            f"此卡已于 {card.expires_on.isoformat()} 过期，请办理换领",
            f"the card expired on {card.expires_on.isoformat()}: exchange it",
        )
    if ev.agent is not None and (why := agent_problem(ev.agent, ctx.today)) is not None:
        return refuse_with(state, why)
    if not ev.holder_present and ev.agent is None:
        return refuse(
            state,
            "holder_must_be_present",
            "15",
            "须本人持有效身份证件和社会保障卡办理银行账户激活（或由第四十五条规定的监护人、代理人代办）",
            "the holder must be present with document and card (or a guardian/agent under Art. 45)",
            field="holder_present",
        )
    if not ev.holder_present and (why := agent_ground_problem(ev.agent_ground, ev.holder_birth_date, ctx.today)):
        return refuse_with(state, why)
    if not ev.document_checked:
        return document_missing(state, "15")
    by_agent = ev.agent_ground if not ev.holder_present else None
    return accept(put(state, card.model_copy(update={"bank_activated": True, "bank_activated_by_agent": by_agent})))


def _recall(state: PersonCards, ev: CardRecall, ctx: RuleContext) -> Decision:
    card = pick(state, ev.card_id, (CardStatus.READY,))
    if card is None:
        return no_card(state, ev.card_id)
    if card.status is not CardStatus.READY:
        return wrong_status(state, card, "12", "回收", "recall it")
    if ev.cause == "uncollected":
        due = recall_due(card.issued_on or ctx.today, ctx.calendar)
        if ctx.today < due:
            return refuse(
                state,
                "recall_too_early",
                "12",
                f"超过 180 日未领取才回收（{due.isoformat()} 起）",
                f"an uncollected card is recalled only after 180 days (from {due.isoformat()})",
            )
    recalled = card.model_copy(update={"status": CardStatus.RECALLED, "electronic": False, "recall_cause": ev.cause})
    return accept(put(state, recalled))


_HANDLERS: dict[type[Any], Callable[[PersonCards, Any, RuleContext], Decision]] = {
    CardApply: _apply,
    CardIssue: _issue,
    CardDeliver: _deliver,
    CardBankActivate: _bank_activate,
    CardRecall: _recall,
    **locking.HANDLERS,
    **renewal.HANDLERS,
}


def decide(state: PersonCards, event: LifecycleEvent, ctx: RuleContext) -> Decision:
    """Apply one lifecycle event to a person's cards.

    Returns:
        ``Decision(accepted=True, state=<new state>, fee=..., deadlines=...)`` or
        ``Decision(accepted=False, state=<unchanged>, refusal=Refusal(...))``.

    Raises:
        TypeError: ``event`` is not one of the lifecycle event models.
    """
    handler = _HANDLERS.get(type(event))
    if handler is None:
        raise TypeError(f"not a lifecycle event: {type(event).__name__}")
    return handler(state, event, ctx)


def electronic_refusal(card: CardState | None, today: date | None = None) -> Refusal | None:
    """Why the electronic card cannot be applied for or used now (Art. 4, 13), or None when it can: it needs a
    collected physical card in the active status and, when ``today`` is given, not expired. Raises nothing."""
    if card is None or card.collected_on is None:
        return Refusal(
            code="no_physical_card",
            article="13",
            message_zh="须先领取实体社会保障卡，才能申领电子社会保障卡",
            message_en="the physical card must be collected before the electronic card",
        )
    expired = today is not None and card.expires_on is not None and card.expires_on < today
    if card.status is not CardStatus.ACTIVE or expired:
        return Refusal(
            code="physical_card_abnormal",
            article="13",
            message_zh=f"实体卡状态为“{'已过期' if expired else STATUS_ZH[card.status]}”，电子社会保障卡无法申领和使用",
            message_en=f"the physical card is {'expired' if expired else card.status.value}: "
            "the electronic card cannot be applied for or used",
        )
    return None


#: Refusals caused by the person's cards alone, whatever the form says: the service is not offered at all.
STATE_REFUSALS = frozenset({
    "one_person_one_card", "holder_deceased", "card_not_found", "no_live_card", "card_not_ready",
    "card_not_collected", "card_locked", "card_suspended", "card_not_live", "card_recalled", "card_not_locked",
    "unlock_after_replacement", "formal_loss_required", "renewal_pending", "card_lost_use_replace", "no_old_card",
    "new_card_not_ready", "already_activated",
})


def _probe(kind: str, today: date) -> LifecycleEvent | None:
    """An event of ``kind`` as if every check on the form were done, so that only the state can refuse it."""
    probes: dict[str, Callable[[], LifecycleEvent]] = {
        "card.deliver": CardDeliver,
        "card.bank_activate": CardBankActivate,
        "card.loss_temporary": CardLossTemporary,
        "card.loss_formal": CardLossFormal,
        "card.unlock": CardUnlock,
        "card.replace": CardReplace,
        "card.exchange": lambda: CardExchange(reason=6),
        "card.reissue": lambda: CardReissue(changed=["name"], evidence="household_register"),
        "card.return_old": CardReturnOld,
        "card.cancel": lambda: CardCancel(agent=None, deceased_on=today, proof="pledge"),
    }
    make = probes.get(kind)
    return make() if make is not None else None


def offer_refusal(state: PersonCards, kind: str, ctx: RuleContext) -> Refusal | None:
    """Why the service ``kind`` cannot be done for this person now, from their cards alone, or None when it can
    be offered (the form may still refuse it for what it says). The same handlers decide as on saving, with an
    event whose form checks are all done; only a refusal in :data:`STATE_REFUSALS` keeps it off the menu."""
    if kind == "card.apply":
        refused = _apply_state(state)
        return refused.refusal if refused is not None else None
    event = _probe(kind, ctx.today)
    if event is None:  # not a card event (person.update): always offered
        return None
    decision = decide(state, event, ctx)
    why = decision.refusal
    return why if why is not None and why.code in STATE_REFUSALS else None
