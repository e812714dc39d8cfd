"""Lifecycle rules that lock and unlock a card: loss reports (Art. 16-18), unlock (Art. 19), the automatic lift
of a 15-day temporary loss report (Art. 17) and suspension for misuse (Art. 42) and its lifting.

A suspension stops the one-card functions only (Art. 42); the bank side keeps working, so a suspended card can
still be reported lost (Art. 16) and unlocked. Status ``suspended`` is "suspended, otherwise active"; a lost
suspended card keeps ``suspended_on`` and returns to ``suspended`` when the loss report ends.

Rule refusals never raise; see :func:`outreach.domain.lifecycle.decide`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from outreach.domain._rules import (
    accept,
    document_missing,
    keep_suspension,
    no_card,
    pick,
    put,
    refuse,
    unlocked_status,
    wrong_status,
)
from outreach.domain.deadlines import card_deadlines, lift_due
from outreach.domain.decision import Decision, RuleContext
from outreach.domain.enums import STATUS_ZH, CardStatus
from outreach.domain.events import (
    CardLiftSuspension,
    CardLiftTemporary,
    CardLossFormal,
    CardLossTemporary,
    CardSuspend,
    CardUnlock,
)
from outreach.domain.models import CardState, PersonCards

_USABLE = (CardStatus.ACTIVE, CardStatus.SUSPENDED)
_LOCKED = (CardStatus.TEMP_LOST, CardStatus.LOST)


def _loss_temporary(state: PersonCards, ev: CardLossTemporary, ctx: RuleContext) -> Decision:
    card = pick(state, ev.card_id, _USABLE)
    if card is None:
        return no_card(state, ev.card_id)
    if card.status not in _USABLE:
        return wrong_status(state, card, "17", "办理临时挂失", "report it temporarily lost")
    if not ev.identity_verified:
        return refuse(
            state,
            "identity_not_verified",
            "17",
            "须先核验持卡人实名身份",
            "the holder's identity must be verified",
            field="identity_verified",
        )
    new = card.model_copy(
        update={
            "status": CardStatus.TEMP_LOST,
            "temp_loss_period": ev.period,
            "temp_loss_since": ctx.today,
            **keep_suspension(card, ctx.today),
        }
    )
    return accept(put(state, new), deadlines=card_deadlines(new, ctx.calendar))


def _loss_formal(state: PersonCards, ev: CardLossFormal, ctx: RuleContext) -> Decision:
    reportable = (*_USABLE, CardStatus.TEMP_LOST)
    card = pick(state, ev.card_id, reportable)
    if card is None:
        return no_card(state, ev.card_id)
    if card.status not in reportable:
        return wrong_status(state, card, "18", "办理正式挂失", "report it formally lost")
    if not ev.document_checked:
        return document_missing(state, "18")
    new = card.model_copy(
        update={
            "status": CardStatus.LOST,
            "lost_on": ctx.today,
            "temp_loss_period": None,
            **keep_suspension(card, ctx.today),
        }
    )
    return accept(put(state, new))


def _replaced_after_loss(state: PersonCards, card: CardState) -> bool:
    """True when ``card`` is a replaced card, or is the replacement still being made for one (the holder found
    the old card after applying for a replacement: Art. 19 last sentence)."""
    if card.status is CardStatus.REPLACED and card.replacement_applied:
        return True
    if card.reason == "replace" and card.status in (CardStatus.APPLIED, CardStatus.READY):
        return any(c.status is CardStatus.REPLACED for c in state.cards)
    return False


def _unlock(state: PersonCards, ev: CardUnlock, ctx: RuleContext) -> Decision:
    card = pick(state, ev.card_id, _LOCKED)
    if card is not None and _replaced_after_loss(state, card):
        return refuse(
            state,
            "unlock_after_replacement",
            "19",
            "已办理正式挂失且完成补领申请，不再办理解挂",
            "a replacement has been applied for after the formal loss report: the card can no longer be unlocked",
        )
    if card is None:
        return no_card(state, ev.card_id)
    if card.status not in _LOCKED:
        return refuse(
            state,
            "card_not_locked",
            "19",
            f"卡状态为“{STATUS_ZH[card.status]}”，无需解挂",
            f"the card is {card.status.value}: nothing to unlock",
        )
    if not ev.document_checked or not ev.card_presented:
        return refuse(
            state,
            "document_and_card_required",
            "19",
            "解挂须持有效身份证件原件和社会保障卡",
            "unlocking needs the original identity document and the card",
            field="document_checked",
        )
    new = card.model_copy(
        update={
            "status": unlocked_status(card),
            "temp_loss_period": None,
            "temp_loss_since": None,
            "lost_on": None,
        }
    )
    return accept(put(state, new))


def _lift_temporary(state: PersonCards, ev: CardLiftTemporary, ctx: RuleContext) -> Decision:
    card = pick(state, ev.card_id, (CardStatus.TEMP_LOST,))
    if card is None:
        return no_card(state, ev.card_id)
    if card.status is not CardStatus.TEMP_LOST:
        return refuse(
            state,
            "not_temp_lost",
            "17",
            f"卡状态为“{STATUS_ZH[card.status]}”，不是临时挂失（已正式挂失的不自动解除）",
            f"the card is {card.status.value}, not temporarily lost (a formal loss report does not lift itself)",
        )
    if card.temp_loss_period != "15d":
        return refuse(
            state,
            "long_term_loss",
            "17",
            "长期临时挂失须持卡人办理解挂",
            "a long-term temporary loss report lifts only by an explicit unlock",
        )
    due = lift_due(card.temp_loss_since or ctx.today)
    if ctx.today < due:
        return refuse(
            state,
            "lift_too_early",
            "17",
            f"临时挂失满 15 日后（{due.isoformat()}）才自动解除",
            f"a 15-day temporary loss report lifts itself on {due.isoformat()}",
        )
    new = card.model_copy(
        update={"status": unlocked_status(card), "temp_loss_period": None, "temp_loss_since": None}
    )
    return accept(put(state, new))


def _department_missing(state: PersonCards, department: str | None) -> Decision | None:
    if department and department.strip():
        return None
    return refuse(
        state,
        "suspension_department_required",
        "42",
        "中止或恢复一卡通应用功能由市县人力资源社会保障部门决定，请登记决定部门",
        "suspension and its lifting are decided by the city/county human resources department: record which",
    )


def _suspend(state: PersonCards, ev: CardSuspend, ctx: RuleContext) -> Decision:
    card = pick(
        state, ev.card_id, (CardStatus.ACTIVE, CardStatus.TEMP_LOST, CardStatus.LOST, CardStatus.READY)
    )
    if card is None:
        return no_card(state, ev.card_id)
    if card.live and card.suspended:
        return refuse(
            state,
            "already_suspended",
            "42",
            "此卡的一卡通应用功能已中止",
            "the card's one-card functions are already suspended",
        )
    if not card.live or card.status is CardStatus.APPLIED:
        return wrong_status(state, card, "42", "中止一卡通应用功能", "suspend it")
    if (why := _department_missing(state, ev.department)) is not None:
        return why
    update: dict[str, object] = {
        "suspended_on": ctx.today,
        "suspension_ground": ev.ground,
        "suspended_by": ev.department.strip() if ev.department else None,
    }
    if card.status is CardStatus.ACTIVE:
        update["status"] = CardStatus.SUSPENDED
    return accept(put(state, card.model_copy(update=update)))


def _lift_suspension(state: PersonCards, ev: CardLiftSuspension, ctx: RuleContext) -> Decision:
    suspended = [c for c in state.live_cards() if c.suspended and ev.card_id in (None, c.card_id)]
    if not suspended:
        if ev.card_id is not None and state.card(ev.card_id) is None:
            return no_card(state, ev.card_id)
        return refuse(
            state, "not_suspended", "42", "此卡未被中止一卡通应用功能", "the card's one-card functions are not suspended"
        )
    if (why := _department_missing(state, ev.department)) is not None:
        return why
    new_state = state
    for card in suspended:  # a card being made to replace a suspended one carries the suspension too
        status = CardStatus.ACTIVE if card.status is CardStatus.SUSPENDED else card.status
        lifted = card.model_copy(
            update={"status": status, "suspended_on": None, "suspension_ground": None, "suspended_by": None}
        )
        new_state = put(new_state, lifted)
    return accept(new_state)


HANDLERS: dict[type[Any], Callable[[PersonCards, Any, RuleContext], Decision]] = {
    CardLossTemporary: _loss_temporary,
    CardLossFormal: _loss_formal,
    CardUnlock: _unlock,
    CardLiftTemporary: _lift_temporary,
    CardSuspend: _suspend,
    CardLiftSuspension: _lift_suspension,
}
