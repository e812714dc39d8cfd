"""Helpers shared by the lifecycle rules (internal)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from outreach.domain.decision import Deadline, Decision, FeeDecision
from outreach.domain.enums import STATUS_ZH, CardStatus
from outreach.domain.models import CardState, PersonCards
from outreach.domain.refusal import Refusal, refusal


def refuse(
    state: PersonCards, code: str, article: str, zh: str, en: str, *, field: str | None = None
) -> Decision:
    """A refusal: the state is returned unchanged. ``field``: the event's input it is about (see ``Refusal``)."""
    return Decision(accepted=False, state=state, refusal=refusal(code, article, zh, en, field=field))


def refuse_with(state: PersonCards, why: Refusal) -> Decision:
    return Decision(accepted=False, state=state, refusal=why)


def accept(
    state: PersonCards,
    *,
    fee: FeeDecision | None = None,
    deadlines: list[Deadline] | None = None,
    warnings: list[Refusal] | None = None,
) -> Decision:
    return Decision(accepted=True, state=state, fee=fee, deadlines=deadlines or [], warnings=warnings or [])


def unlocked_status(card: CardState) -> CardStatus:
    """The status a card returns to when a loss report ends: suspended while an Art. 42 suspension lasts."""
    return CardStatus.SUSPENDED if card.suspended else CardStatus.ACTIVE


def keep_suspension(card: CardState, today: date) -> dict[str, object]:
    """Fields that keep an Art. 42 suspension when the card's status changes (a legacy ``suspended`` status
    without a recorded day gets ``today``)."""
    if not card.suspended:
        return {}
    return {"suspended_on": card.suspended_on or today}


def inherited_suspension(card: CardState, today: date) -> dict[str, object]:
    """Fields passing an old card's Art. 42 suspension on to its replacement or exchanged card."""
    if not card.suspended:
        return {}
    return {
        "suspended_on": card.suspended_on or today,
        "suspension_ground": card.suspension_ground,
        "suspended_by": card.suspended_by,
    }


def put(state: PersonCards, card: CardState) -> PersonCards:
    """The state with ``card`` replacing the card of the same id, or appended when new."""
    if any(c.card_id == card.card_id for c in state.cards):
        cards = [card if c.card_id == card.card_id else c for c in state.cards]
    else:
        cards = [*state.cards, card]
    return state.model_copy(update={"cards": cards})


def pick(state: PersonCards, card_id: str | None, wanted: Collection[CardStatus]) -> CardState | None:
    """The card an event acts on: ``card_id`` when given; else the newest card with a wanted status; else the
    newest live card (so that the refusal can name its status); else None."""
    if card_id is not None:
        return state.card(card_id)
    for card in reversed(state.cards):
        if card.status in wanted:
            return card
    return state.current()


def no_card(state: PersonCards, card_id: str | None) -> Decision:
    if card_id is not None:
        return refuse(state, "card_not_found", "", f"找不到卡 {card_id}", f"no card {card_id}")
    return refuse(state, "no_live_card", "3", "此人没有有效的社会保障卡", "this person has no live card")


def wrong_status(
    state: PersonCards, card: CardState, article: str, action_zh: str, action_en: str
) -> Decision:
    """Refusal naming the card's status and the action that is not possible in it."""
    code = {
        CardStatus.APPLIED: "card_not_ready",
        CardStatus.READY: "card_not_collected",
        CardStatus.TEMP_LOST: "card_locked",
        CardStatus.LOST: "card_locked",
        CardStatus.SUSPENDED: "card_suspended",
    }.get(card.status, "card_not_live")
    return refuse(
        state,
        code,
        article,
        f"卡状态为“{STATUS_ZH[card.status]}”，不能{action_zh}",
        f"the card is {card.status.value}: cannot {action_en}",
    )


def document_missing(state: PersonCards, article: str) -> Decision:
    return refuse(
        state,
        "document_not_checked",
        article,
        "须核验有效身份证件原件",
        "the original identity document must be checked",
        field="document_checked",
    )
