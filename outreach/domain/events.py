"""One model per card lifecycle event; ``kind`` is the operation kind (see :data:`operation.KINDS`).

Events that act on an existing card take an optional ``card_id``; None means "the person's current live card".
Events that create a card (apply, replace, exchange, reissue) carry the new card's id, chosen by the device so
that the center reproduces the same state. The day an event takes effect is ``RuleContext.today``.
Constructing an event with bad fields raises :class:`pydantic.ValidationError`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from outreach.domain.enums import Hardship
from outreach.domain.models import Agent, ApplicationForm, IdentityDocument, Notes, ShortText, new_id

#: Art. 21 exchange reasons.
EXCHANGE_REASONS: dict[int, tuple[str, str]] = {
    1: ("社会保障卡有效期满", "card expired"),
    2: ("卡面污损、残缺无法辨识", "card face defaced"),
    3: ("卡片损坏不能正常读写", "card damaged / unreadable"),
    4: ("姓名、社会保障号码、相片等卡面信息变更", "card-face data changed"),
    5: ("社会保障卡升级换代", "card upgrade"),
    6: ("个人用卡需求主动申请换领", "holder's wish"),
    7: ("其他情形", "other"),
}

#: Art. 42 misuse grounds for suspension.
SUSPENSION_GROUNDS: dict[int, tuple[str, str]] = {
    1: ("使用虚假材料骗领社会保障卡", "card obtained with false documents"),
    2: ("出租、出售、购买社会保障卡", "card rented out, sold or bought"),
    3: ("冒用、盗用他人社会保障卡或使用伪造、变造的社会保障卡", "someone else's or a forged card used"),
    4: ("出借社会保障卡造成政府资金损失", "card lent out causing loss of public funds"),
    5: ("使用社会保障卡套取、骗取政府资金", "card used to defraud public funds"),
    6: ("违规使用社会保障卡办理政府公共服务", "card misused for public services"),
    7: ("使用社会保障卡银行账户参与电信诈骗等犯罪行为", "bank account used in telecom fraud or other crime"),
    8: ("其他违规行为", "other misuse"),
}

KeyField = Literal["name", "doc_type", "ss_number"]


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    note: Notes = ""


class _OnCard(_Event):
    card_id: str | None = None


class CardApply(_Event):
    """申领 (Art. 8-11). ``bank_account_opened`` False = the bank refused to open the account (Art. 11)."""

    kind: Literal["card.apply"] = "card.apply"
    card_id: str = Field(default_factory=new_id)
    form: ApplicationForm
    generation: Literal["2", "3"] = "3"
    hardship: Hardship = Hardship.NONE
    bank_account_opened: bool = True
    instant: bool = False  # 即时制卡 (Art. 11, second paragraph)


class CardIssue(_OnCard):
    """The card was produced and is ready to collect (center)."""

    kind: Literal["card.issue"] = "card.issue"
    card_number: Annotated[str, Field(min_length=1, max_length=16)] | None = None
    issued_on: date | None = None


class CardDeliver(_OnCard):
    """领卡 (Art. 12): in person, by an agent (both documents), by mail or by home delivery."""

    kind: Literal["card.deliver"] = "card.deliver"
    method: Literal["in_person", "agent", "mail", "home_delivery"] = "in_person"
    agent: Agent | None = None
    document_checked: bool = True
    electronic: bool = False  # enable the electronic card on collection (Art. 13)
    #: Art. 25, collecting an exchanged or reissued card: the old card handed in now (True: cancelled) or not
    #: (False: handled as a replacement, with its fee). Required then; ignored for any other collection.
    old_card_returned: bool | None = None
    hardship: Hardship = Hardship.NONE  # for the fee when the old card is not handed in (Art. 24)


#: Art. 45: the holders for whom a guardian or agent may act without them: under 16, without full civil
#: capacity, elderly (60 and over) with poor mobility, disabled with poor mobility.
AgentGround = Literal["minor", "incapacity", "elderly_poor_mobility", "disabled_poor_mobility"]


class CardBankActivate(_OnCard):
    """银行账户激活 (Art. 15): holder in person with document and card, or, for the holders of Art. 45 only, a
    guardian or agent (``agent_ground`` says which; ``holder_birth_date`` lets the age be checked)."""

    kind: Literal["card.bank_activate"] = "card.bank_activate"
    holder_present: bool = True
    agent: Agent | None = None
    agent_ground: AgentGround | None = None
    holder_birth_date: date | None = None
    document_checked: bool = True


class CardLossTemporary(_OnCard):
    """临时挂失 (Art. 17) after real-name verification; period 15 days or long-term."""

    kind: Literal["card.loss_temporary"] = "card.loss_temporary"
    period: Literal["15d", "long"] = "15d"
    identity_verified: bool = True


class CardLossFormal(_OnCard):
    """正式挂失 (Art. 18) with the original identity document."""

    kind: Literal["card.loss_formal"] = "card.loss_formal"
    document_checked: bool = True


class CardUnlock(_OnCard):
    """解挂 (Art. 19): card found; document and card presented."""

    kind: Literal["card.unlock"] = "card.unlock"
    document_checked: bool = True
    card_presented: bool = True


class CardReplace(_Event):
    """补领 (Art. 20) after a formal loss report; the lost card is cancelled when this is accepted."""

    kind: Literal["card.replace"] = "card.replace"
    card_id: str = Field(default_factory=new_id)
    generation: Literal["2", "3"] = "3"
    hardship: Hardship = Hardship.NONE
    document_checked: bool = True


class CardExchange(_Event):
    """换领 (Art. 21-22) for reason 1-7. Reason 1 (expiry) needs a recent photo, like a first application."""

    kind: Literal["card.exchange"] = "card.exchange"
    card_id: str = Field(default_factory=new_id)
    reason: Annotated[int, Field(ge=1, le=7)]
    generation: Literal["2", "3"] = "3"
    hardship: Hardship = Hardship.NONE
    photo_ref: str | None = None
    document_checked: bool = True
    card_presented: bool = True


class CardReissue(_Event):
    """换发 (Art. 23) on a change of key data: name, document type or social security number. The new data is
    recorded and checked (``new_name``, ``new_document``, ``new_ss_number``) and becomes the person's data when
    the reissue is applied (:func:`outreach.domain.person_data.reissued_person`). ``citizen``: the holder is a
    Chinese citizen (their name in standard Chinese characters, Art. 5)."""

    kind: Literal["card.reissue"] = "card.reissue"
    card_id: str = Field(default_factory=new_id)
    changed: list[KeyField] = Field(min_length=1)
    evidence: Literal["household_register", "change_certificate"] | None
    new_document: IdentityDocument | None = None
    new_name: ShortText | None = None
    new_ss_number: ShortText | None = None
    citizen: bool = True
    generation: Literal["2", "3"] = "3"
    hardship: Hardship = Hardship.NONE
    document_checked: bool = True


class CardReturnOld(_Event):
    """Art. 25: on collecting an exchanged/reissued card the old one is handed in (``returned``) or not."""

    kind: Literal["card.return_old"] = "card.return_old"
    card_id: str | None = None  # the OLD card; None = the older of the two live cards
    returned: bool = True
    hardship: Hardship = Hardship.NONE


class CardCancel(_OnCard):
    """注销 on death (Art. 27-28) by an agent; ``proof`` may be a signed pledge (告知承诺制)."""

    kind: Literal["card.cancel"] = "card.cancel"
    agent: Agent | None
    deceased_on: date
    proof: Literal["death_certificate", "household_cancellation", "other_proof", "pledge"]
    card_presented: bool = True
    detected_by_center: bool = False  # Art. 28 data matching prompted it


class CardSuspend(_OnCard):
    """中止一卡通应用功能 (Art. 42), decided by the city/county human resources department (``department``, with
    its decision's reference). Only the one-card functions stop: the bank side keeps working, and the card can
    still be reported lost (Art. 16-18), unlocked, renewed or cancelled; a new card inherits the suspension."""

    kind: Literal["card.suspend"] = "card.suspend"
    ground: Annotated[int, Field(ge=1, le=8)]
    department: ShortText | None = None  # e.g. 海口市人力资源和社会保障局; required by the rule
    decision_ref: ShortText | None = None


class CardLiftSuspension(_OnCard):
    """Lifting of an Art. 42 suspension by the department that decided it, once the holder has corrected the
    misuse (Art. 42: 敦促持卡人改正用卡行为)."""

    kind: Literal["card.lift_suspension"] = "card.lift_suspension"
    department: ShortText | None = None
    decision_ref: ShortText | None = None


class CardRecall(_OnCard):
    """回收 (Art. 12): uncollected for 180 days, or undeliverable because of death or emigration (center)."""

    kind: Literal["card.recall"] = "card.recall"
    cause: Literal["uncollected", "death", "emigration"] = "uncollected"
    due: date | None = None  # set by the center's due_events (makes its operation id unique)


class CardLiftTemporary(_OnCard):
    """The 15-day temporary loss report lifts itself (Art. 17) (center)."""

    kind: Literal["card.lift_temporary"] = "card.lift_temporary"
    due: date | None = None  # set by the center's due_events (makes its operation id unique)


LifecycleEvent = Annotated[
    CardApply
    | CardIssue
    | CardDeliver
    | CardBankActivate
    | CardLossTemporary
    | CardLossFormal
    | CardUnlock
    | CardReplace
    | CardExchange
    | CardReissue
    | CardReturnOld
    | CardCancel
    | CardSuspend
    | CardLiftSuspension
    | CardRecall
    | CardLiftTemporary,
    Field(discriminator="kind"),
]

_EVENT_ADAPTER: TypeAdapter[LifecycleEvent] = TypeAdapter(LifecycleEvent)


def parse_event(data: dict[str, Any]) -> LifecycleEvent:
    """Rebuild a lifecycle event from its JSON dump.

    Raises:
        pydantic.ValidationError: unknown ``kind`` or invalid fields.
    """
    return _EVENT_ADAPTER.validate_python(data)
