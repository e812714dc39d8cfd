"""Plain, immutable values the services hand to the UI. No toolkit types, no live database objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from outreach.i18n import CATALOGUES

ReaderStateName = Literal["unavailable", "no_reader", "no_card", "card", "error"]


@dataclass(frozen=True)
class Bilingual:
    """A text that comes from the rules (domain, center) in both languages."""

    zh: str
    en: str

    def pick(self, lang: str) -> str:
        return self.zh if lang.startswith("zh") else self.en


def both(key: str, **params: object) -> Bilingual:
    """A catalogue message in both languages (services report in both; the UI picks one)."""
    zh = CATALOGUES["zh_CN"].get(key, key)
    en = CATALOGUES["en"].get(key, key)
    return Bilingual(zh.format(**params) if params else zh, en.format(**params) if params else en)


@dataclass(frozen=True)
class DeadlineView:
    person_id: str
    person_name: str
    kind: str
    due: date
    article: str
    days_left: int


@dataclass(frozen=True)
class PlannedVisitView:
    """A visit planned for today: who, where, and the state of their card (``None``: no card)."""

    visit_id: str
    person_id: str
    person_name: str
    place: str
    card_status: str | None


@dataclass(frozen=True)
class SideCard:
    """One card as one side of a conflict has it."""

    card_number: str | None
    status: str
    generation: str | None
    bank_activated: bool
    expires_on: str | None


@dataclass(frozen=True)
class SideChange:
    """Who did what, and when: the worker's own operation, or one the center applied since the base."""

    kind: str
    worker_id: str
    when: str
    """Local time, ``YYYY-MM-DD HH:MM``; empty when unknown."""
    device_id: str = ""


@dataclass(frozen=True)
class OpIssue:
    """A rejected or conflicting operation waiting for a decision, shown as base, mine and theirs.

    ``base_*``: what the worker saw when saving (None when this laptop no longer knows it); ``mine_*``: the
    worker's operation and the state it leads to; ``theirs_*``: the center's state now and the operations the
    center applied since the base (who and when). For a person's data, ``*_person`` holds the changed fields.
    """

    op_id: str
    kind: str
    subject: str
    person_name: str
    status: Literal["rejected", "conflict"]
    code: str
    message: Bilingual
    mine: dict[str, object]
    theirs: dict[str, object] | None
    mine_change: SideChange | None = None
    theirs_changes: list[SideChange] = field(default_factory=list)
    base_cards: list[SideCard] | None = None
    mine_cards: list[SideCard] | None = None
    theirs_cards: list[SideCard] | None = None
    base_person: dict[str, str] | None = None
    mine_person: dict[str, str] | None = None
    theirs_person: dict[str, str] | None = None
    base_version: int | None = None
    center_version: int | None = None
    #: The registered person whom this issue's subject duplicates (its registration was refused
    #: ``duplicate_person``, Art. 3, 5): every issue of the duplicate is settled by merging into them.
    duplicate_of: str | None = None


@dataclass(frozen=True)
class ServiceOffer:
    """One entry of a person's service menu: offered, or not, with the rule that keeps it off (in words)."""

    kind: str
    why_not: Bilingual | None = None
    article: str = ""

    @property
    def offered(self) -> bool:
        return self.why_not is None


@dataclass(frozen=True)
class Resolution:
    """What a worker's choice on an issue did: ``resent_op_id`` is the operation sent again (keep mine) or the
    one restoring the center's value (take theirs); ``restored`` the person's fields as they now read (masked),
    ``cards`` the person's cards as they now read on this laptop."""

    choice: str
    resolve_op_id: str
    resent_op_id: str | None = None
    restored: dict[str, str] | None = None
    cards: list[SideCard] | None = None
    #: ``merge`` (a duplicate registration, Art. 3, 5): the registered person, how many of the duplicate's
    #: operations were re-made on them, and those the rules refused now (kind, the rule's words)
    merged_into: str | None = None
    remade: int = 0
    refused: tuple[tuple[str, Bilingual], ...] = ()


@dataclass(frozen=True)
class HomeSummary:
    today: date
    visits_planned: int
    visits_done: int
    pending_ops: int
    last_sync: datetime | None
    last_sync_age: timedelta | None
    center: str | None
    deadlines: list[DeadlineView] = field(default_factory=list)
    issues: list[OpIssue] = field(default_factory=list)
    planned: list[PlannedVisitView] = field(default_factory=list)


@dataclass(frozen=True)
class PersonHit:
    person_id: str
    name: str
    id_masked: str
    birth_date: date | None
    card_number: str | None
    card_status: str | None


@dataclass(frozen=True)
class FieldView:
    """One labelled field on the person page. ``sensitive`` ones are masked until revealed."""

    key: str
    value: str
    sensitive: bool = False
    revealed: bool = False


@dataclass(frozen=True)
class CardView:
    card_id: str
    status: str
    card_number: str | None
    bank_activated: bool
    expires_on: date | None
    provisional: bool
    """True: decided on this laptop only, waiting for the center. Never show it as final."""
    source: str | None
    """The center that decided the status (when not provisional)."""
    synced_at: datetime | None
    temp_loss_period: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class HistoryItem:
    when: str
    kind: str
    detail: str
    pending: bool
    detail_keys: tuple[str, ...] = ()
    """Catalogue keys that say what ``detail`` holds in words (an exchange reason, a loss period ...)."""
    fee_charged: bool | None = None
    """The fee decision the operation recorded (Art. 24), when it carries one."""
    issue: str | None = None
    """``rejected`` or ``conflict`` while the center's answer waits for a decision."""
    worker: str | None = None
    """A colleague's worker id for what they did (a visit they logged, pulled from the center)."""


@dataclass(frozen=True)
class PersonPage:
    person_id: str
    name: str
    fields: list[FieldView]
    cards: list[CardView]
    history: list[HistoryItem]
    needs_agent: bool
    deceased: bool
    version: int


@dataclass(frozen=True)
class FieldError:
    """A refused input: which field, why (both languages), under which article."""

    field: str
    message: Bilingual
    article: str


@dataclass(frozen=True)
class SaveResult:
    """Outcome of a form: saved (``op_id``), invalid (``errors``) or refused by the rules (``refusal``)."""

    op_id: str | None = None
    errors: list[FieldError] = field(default_factory=list)
    refusal: Bilingual | None = None
    refusal_article: str | None = None
    refusal_code: str | None = None
    fee: Bilingual | None = None
    fee_charged: bool | None = None
    warnings: tuple[Bilingual, ...] = ()
    """Doubts the rules raise without blocking (a check character, an identity document about to expire):
    shown with the fee before saving and in the confirmation, for the worker to check with the person."""
    existing_person_id: str | None = None
    """A new registration of someone the vault already holds (Art. 3, 5): nothing was saved; the screen opens
    that person instead."""

    @property
    def saved(self) -> bool:
        return self.op_id is not None


@dataclass(frozen=True)
class ReaderView:
    state: ReaderStateName
    reader_name: str | None = None
    person_id: str | None = None
    person_name: str | None = None
    card_number: str | None = None
    simulated: bool = False
    """The in-process card simulator, not a real reader (demo, no PC/SC service)."""
    expires_on: date | None = None
    """The card's expiry date as read from the chip (a bulk day's table checks it)."""
    card_status: str | None = None
    """The status this laptop has for the card in the reader (``lost``, ``temp_lost`` ...), None if unknown."""


@dataclass(frozen=True)
class SyncProgress:
    stage: str
    done: int
    total: int


@dataclass(frozen=True)
class SyncSummary:
    pushed: int = 0
    pulled: int = 0
    rejected: int = 0
    conflicts: int = 0
    cancelled: bool = False
    error_key: str | None = None
    error_detail: Bilingual | None = None
    """The sync layer's own words for what went wrong (never personal data)."""
    issues: list[OpIssue] = field(default_factory=list)
    finished_at: datetime | None = None


@dataclass(frozen=True)
class Whose:
    """Whose record a form is about (m14), numbers masked whatever was revealed on the person page."""

    name: str
    id_masked: str
    card_masked: str = ""
    card_status: str = ""


@dataclass(frozen=True)
class Review:
    """What the worker reads back to the person before an irreversible event is recorded (M9).

    ``result`` is the dry run: when it has errors or a refusal there is nothing to review (the form shows
    them). Numbers are masked; ``what`` says what happens to the card, ``pledge`` is the 告知承诺书 the agent
    must hear and sign when the form uses one (Art. 27), else None.
    """

    kind: str
    result: SaveResult
    whose: Whose
    what: Bilingual | None = None
    pledge: Bilingual | None = None

    @property
    def ready(self) -> bool:
        return not self.result.errors and self.result.refusal is None
