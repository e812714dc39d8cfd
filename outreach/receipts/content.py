"""What a receipt says, built from one operation of the vault: words from the catalogues, dates from the domain.

The card state after the event (``payload["cards"]``) gives the deadlines through the domain's
:func:`~outreach.domain.deadlines.card_deadlines`, so receipt, screen and center count the same days. The fee
decision is the one the operation recorded (Art. 24). The person's identity number is masked (first 3 and last
4 characters, as on the screens); the full number never appears on paper.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from outreach.domain.calendar import CHINA_TZ, WorkingDayCalendar, business_day
from outreach.domain.deadlines import card_deadlines
from outreach.domain.models import CardState, PersonCards
from outreach.domain.operation import parse_hlc
from outreach.i18n import CATALOGUES
from outreach.receipts.errors import NotReceiptable

Lang = Literal["zh_CN", "en"]
HOTLINE = "0898-12333"

#: The article each receipt-worthy kind rests on (the same as the forms and events name).
ARTICLES: dict[str, str] = {
    "card.apply": "8-11",
    "card.issue": "11",
    "card.deliver": "12",
    "card.bank_activate": "15",
    "card.loss_temporary": "17",
    "card.loss_formal": "18",
    "card.unlock": "19",
    "card.replace": "20",
    "card.exchange": "21-22",
    "card.reissue": "23",
    "card.return_old": "25",
    "card.cancel": "27-28",
    "card.suspend": "42",
    "card.recall": "12",
    "card.lift_temporary": "17",
    "person.update": "23",
    "visit.log": "38",
}
RECEIPT_KINDS = frozenset(ARTICLES)
#: Deadlines a receipt states; expiry only where the person has just received the card.
_NEXT_KINDS = ("issue", "quick_service", "recall", "lift_temporary", "bank_account_closure")
DUTIES = ("receipt.duty.own_use", "receipt.duty.keep_safe", "receipt.duty.no_withholding", "receipt.duty.report_loss")


def tr(lang: str, key: str, /, **params: Any) -> str:
    """The catalogue text for ``key`` in ``lang`` (not the process-wide UI language), placeholders filled."""
    catalogue = CATALOGUES.get(lang) or CATALOGUES["zh_CN"]
    text = catalogue.get(key) or CATALOGUES["zh_CN"].get(key, key)
    return text.format(**params) if params else text


def say_date(lang: str, day: date) -> str:
    return tr(lang, "receipt.date", y=day.year, m=day.month, d=day.day)


def mask_id(number: str | None) -> str:
    """First 3 and last 4 characters, the rest as ``*`` (as on bank receipts and the screens)."""
    if not number:
        return ""
    if len(number) <= 7:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


class Section(BaseModel):
    model_config = ConfigDict(frozen=True)

    heading: str
    lines: list[str]


class Receipt(BaseModel):
    """One receipt in one language: what the PDF prints and the speech engine reads."""

    model_config = ConfigDict(frozen=True)

    lang: Lang
    op_id: str
    kind: str
    title: str
    subtitle: str
    sections: list[Section]
    due: dict[str, date]
    """The deadlines stated, by domain deadline kind (tests compare them with the domain)."""
    short_code: str
    qr_payload: str

    def plain_text(self) -> str:
        """The whole receipt as text, in reading order (for speech; the PDF prints the same words)."""
        parts = [self.title, self.subtitle]
        for section in self.sections:
            parts.append(section.heading)
            parts.extend(section.lines)
        return "\n".join(parts)


def operation_day(hlc: str) -> date:
    """The day in China an operation was made, from its hybrid-logical-clock stamp."""
    return business_day(_moment(hlc))


def _moment(hlc: str) -> datetime:
    wall_ms, _counter = parse_hlc(str(hlc))
    return datetime.fromtimestamp(wall_ms / 1000, CHINA_TZ)


def when_text(hlc: str) -> str:
    return _moment(hlc).strftime("%Y-%m-%d %H:%M")


#: The status a card has right after each event, to find the card an event without ``card_id`` acted on.
_STATUS_AFTER: dict[str, tuple[str, ...]] = {
    "card.issue": ("ready",),
    "card.deliver": ("active",),
    "card.bank_activate": ("active",),
    "card.loss_temporary": ("temp_lost",),
    "card.loss_formal": ("lost",),
    "card.unlock": ("active",),
    "card.return_old": ("exchanged", "replaced"),
    "card.cancel": ("cancelled",),
    "card.suspend": ("suspended",),
    "card.recall": ("recalled",),
    "card.lift_temporary": ("active",),
}


def _card_of(kind: str, cards: PersonCards, event: dict[str, Any]) -> CardState | None:
    """The card the event acted on: the one it names, else the newest in the status the event leaves."""
    wanted = event.get("card_id")
    for card in cards.cards:
        if wanted and card.card_id == wanted:
            return card
    after = _STATUS_AFTER.get(kind, ())
    matching = [c for c in cards.cards if c.status.value in after]
    if matching:
        return matching[-1]
    live = [c for c in cards.cards if c.live]
    return live[-1] if live else (cards.cards[-1] if cards.cards else None)


def build_receipt(
    op: Any,
    person: Any,
    *,
    lang: str = "zh_CN",
    short_code: str,
    qr_payload: str,
    calendar: WorkingDayCalendar | None = None,
) -> Receipt:
    """The receipt of one operation (an :class:`~outreach.domain.operation.Operation`) for ``person``.

    Raises:
        NotReceiptable: the operation is not a card service, a person update or a visit.
    """
    kind = str(op.kind)
    if kind not in RECEIPT_KINDS:
        raise NotReceiptable(kind)
    lg: Lang = "en" if lang == "en" else "zh_CN"
    payload: dict[str, Any] = dict(op.payload or {})
    event: dict[str, Any] = dict(payload.get("event") or {})
    cards = PersonCards.model_validate(payload["cards"]) if payload.get("cards") else None
    card = _card_of(kind, cards, event) if cards is not None else None
    sections: list[Section] = []

    what = [tr(lg, "receipt.what", kind=tr(lg, f"kind.{kind}"), article=ARTICLES[kind])]
    if card is not None:
        what.append(tr(lg, "receipt.status", status=tr(lg, f"status.{card.status.value}")))
    what.append(tr(lg, "receipt.provisional"))
    sections.append(Section(heading=tr(lg, "receipt.section.what"), lines=what))

    who = [tr(lg, "receipt.name", name=getattr(person, "name", "")),
           tr(lg, "receipt.id_number", number=mask_id(getattr(getattr(person, "document", None), "number", "")))]
    agent = event.get("agent")
    if isinstance(agent, dict) and agent.get("name"):
        who.append(tr(lg, "receipt.agent", name=agent["name"], relationship=agent.get("relationship", "")))
    sections.append(Section(heading=tr(lg, "receipt.section.who"), lines=who))

    sections.append(Section(heading=tr(lg, "receipt.section.when"), lines=[
        tr(lg, "receipt.when", when=when_text(op.hlc)),
        tr(lg, "receipt.worker", worker=op.worker_id),
        tr(lg, "receipt.device", device=str(op.device_id)[:8]),
    ]))

    fee = payload.get("fee")
    if isinstance(fee, dict):
        reason = fee.get("reason_zh" if lg == "zh_CN" else "reason_en", "")
        fee_line = tr(lg, "receipt.fee.charged" if fee.get("charged") else "receipt.fee.free", reason=reason)
    else:
        fee_line = tr(lg, "receipt.fee.none")
    sections.append(Section(heading=tr(lg, "receipt.section.fee"), lines=[fee_line]))

    due: dict[str, date] = {}
    nxt: list[str] = []
    if card is not None:
        wanted = _NEXT_KINDS + (("expiry",) if kind == "card.deliver" else ())
        for deadline in card_deadlines(card, calendar or WorkingDayCalendar()):
            if deadline.kind in wanted:
                due[deadline.kind] = deadline.due
                nxt.append(tr(lg, f"receipt.next.{deadline.kind}", date=say_date(lg, deadline.due)))
    if kind == "visit.log":
        outcome = str((payload.get("visit") or {}).get("outcome", ""))
        nxt.append(tr(lg, "receipt.step.visit.log", outcome=tr(lg, f"outcome.{outcome}")))
    else:
        nxt.append(tr(lg, f"receipt.step.{kind}"))
    sections.append(Section(heading=tr(lg, "receipt.section.next"), lines=nxt))

    sections.append(Section(heading=tr(lg, "receipt.section.duties"), lines=[tr(lg, k) for k in DUTIES]))
    sections.append(Section(heading=tr(lg, "receipt.section.check"), lines=[
        tr(lg, "receipt.hotline"),
        tr(lg, "receipt.code", code=short_code),
        tr(lg, "receipt.code_hint"),
    ]))
    return Receipt(
        lang=lg, op_id=str(op.op_id), kind=kind, title=tr(lg, "receipt.title"),
        subtitle=tr(lg, "receipt.subtitle"), sections=sections, due=due, short_code=short_code,
        qr_payload=qr_payload,
    )
