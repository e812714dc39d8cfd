"""The domain's records: people, documents, agents, the application form, cards and visits.

These models check *structure* only (lengths, patterns, no control characters), so that a record loaded from
storage or pulled from the center always loads. The legal checks of typed-in data (check digits, names, photo,
guardian) live in :mod:`outreach.domain.identity` and :mod:`outreach.domain.forms` and return refusals instead of
raising. Constructing a model with structurally bad data raises :class:`pydantic.ValidationError`.
"""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from outreach.domain.enums import LIVE_STATUSES, CardStatus, DocType, Gender, Hardship, VisitOutcome

#: C0 and C1 control characters and the Unicode line and paragraph separators; one regex search per value
#: (a per-character Python test cost a fifth of a 5,000-person roster import).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
#: The same but newline and tab.
_CONTROL_BUT_LINES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def _is_control(c: str) -> bool:
    return _CONTROL.match(c) is not None


def _no_control(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("control characters are not allowed")
    return value


def _no_control_but_lines(value: str) -> str:
    if _CONTROL_BUT_LINES.search(value):
        raise ValueError("control characters (other than newline and tab) are not allowed")
    return value


#: One-line text without control characters.
ShortText = Annotated[str, Field(max_length=100), AfterValidator(_no_control)]
#: Multi-line notes: newline and tab allowed, other control characters not.
Notes = Annotated[str, Field(max_length=4000), AfterValidator(_no_control_but_lines)]


def new_id() -> str:
    """A fresh random UUID as text."""
    return str(uuid.uuid4())


class IdentityDocument(BaseModel):
    """One identity document of Art. 10 (一): type, number and validity period."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    doc_type: DocType
    number: Annotated[str, Field(min_length=1, max_length=32), AfterValidator(_no_control)]
    valid_from: date | None = None
    valid_until: date | None = None


class Agent(BaseModel):
    """A guardian or agent acting for the holder (Art. 10, 12, 27, 45).

    ``proof``: a relationship proof, a power of attorney (委托书) or a guardianship (监护).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: ShortText
    document: IdentityDocument
    relationship: ShortText
    proof: Literal["relationship_proof", "power_of_attorney", "guardianship"]
    mobile: ShortText | None = None


class Person(BaseModel):
    """A (prospective) card holder as recorded on the device."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    person_id: str = Field(default_factory=new_id)
    name: ShortText
    gender: Gender
    #: GB 3304 code; Chinese citizens only (a foreigner has none, Art. 10 (二)).
    ethnicity: Annotated[str, Field(pattern=r"^[0-9]{2}$")] | None = None
    birth_date: date
    nationality: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "CHN"
    document: IdentityDocument
    ss_number: ShortText | None = None
    mobile: ShortText | None = None
    occupation: ShortText | None = None
    address: Annotated[str, Field(max_length=200), AfterValidator(_no_control)] | None = None
    area_code: Annotated[str, Field(pattern=r"^[0-9]{6}$")] = "460000"
    photo_ref: ShortText | None = None
    hardship: Hardship = Hardship.NONE
    agent: Agent | None = None
    deceased_on: date | None = None


class ApplicationForm(BaseModel):
    """《海南省社会保障卡申领登记表》: the fields of Art. 10 (二).

    Check it with :func:`outreach.domain.forms.check_form` before use; this model only checks structure.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: ShortText
    gender: Gender
    #: GB 3304 code; Chinese citizens only (a foreigner has none, Art. 10 (二)).
    ethnicity: Annotated[str, Field(pattern=r"^[0-9]{2}$")] | None = None
    birth_date: date
    nationality: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "CHN"  # 国家/地区
    document: IdentityDocument
    mobile: ShortText | None = None
    occupation: ShortText | None = None
    address: Annotated[str, Field(max_length=200), AfterValidator(_no_control)] | None = None
    photo_ref: ShortText | None = None
    agent: Agent | None = None
    #: True when the applicant (of any age) lacks full civil capacity: a guardian is then required (Art. 10, 45).
    lacks_full_capacity: bool = False


class CardState(BaseModel):
    """One physical card of a person (and its electronic twin, Art. 4)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    card_id: str = Field(default_factory=new_id)
    person_id: str
    status: CardStatus
    bank_activated: bool = False
    #: Art. 45 ground when a guardian or agent activated the bank account without the holder, else None.
    bank_activated_by_agent: str | None = None
    card_number: Annotated[str, Field(pattern=r"^[0-9A-Z]{9}$")] | None = None
    generation: Literal["2", "3"] | None = "3"
    accepted_on: date | None = None
    issued_on: date | None = None
    expires_on: date | None = None
    collected_on: date | None = None
    temp_loss_period: Literal["15d", "long"] | None = None
    temp_loss_since: date | None = None
    lost_on: date | None = None
    replacement_applied: bool = False
    cancelled_on: date | None = None
    #: Why this card was applied for: "first", "replace", "exchange:N" (N = Art. 21 reason) or "reissue".
    reason: str | None = None
    #: Electronic card enabled. It is usable only while the physical card is active (Art. 4, 13).
    electronic: bool = False
    #: Art. 42 suspension of the one-card functions (kept while the card is also reported lost, and passed on
    #: to a replacement or exchanged card): the day, the ground (1-8) and the deciding department.
    suspended_on: date | None = None
    suspension_ground: int | None = None
    suspended_by: ShortText | None = None
    #: Art. 12: why an uncollected card was recalled ("uncollected", "death", "emigration").
    recall_cause: Literal["uncollected", "death", "emigration"] | None = None

    @property
    def live(self) -> bool:
        """True while the card still belongs to the holder (see :data:`LIVE_STATUSES`)."""
        return self.status in LIVE_STATUSES

    @property
    def suspended(self) -> bool:
        """True while the one-card functions are suspended (Art. 42), whatever the loss status."""
        return self.status is CardStatus.SUSPENDED or self.suspended_on is not None

    @property
    def electronic_usable(self) -> bool:
        """The electronic card works only while the physical card is active (Art. 13)."""
        return self.electronic and self.status is CardStatus.ACTIVE


class PersonCards(BaseModel):
    """All cards of one person, oldest first, and the person's version (number of operations applied)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    person_id: str
    cards: list[CardState] = Field(default_factory=list)
    version: int = Field(default=0, ge=0)

    def live_cards(self) -> list[CardState]:
        """Cards with a live status, oldest first."""
        return [c for c in self.cards if c.live]

    def current(self) -> CardState | None:
        """The newest live card, or None."""
        live = self.live_cards()
        return live[-1] if live else None

    def card(self, card_id: str) -> CardState | None:
        """The card with this id, or None."""
        return next((c for c in self.cards if c.card_id == card_id), None)


class Visit(BaseModel):
    """One home visit (上门服务) and its outcome."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    visit_id: str = Field(default_factory=new_id)
    person_id: str
    worker_id: str
    day: date
    outcome: VisitOutcome | None = None
    """None only for a planned visit that has not happened yet (a supervisor's plan pulled from the center)."""
    present: list[ShortText] = Field(default_factory=list)
    notes: Notes = ""
    op_ids: list[str] = Field(default_factory=list)
    planned: bool = False

    @model_validator(mode="after")
    def _logged_visit_has_outcome(self) -> Visit:
        if self.outcome is None and not self.planned:
            raise ValueError("a logged visit needs an outcome / 已进行的走访须填写结果")
        return self
