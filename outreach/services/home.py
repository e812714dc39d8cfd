"""The day at a glance: visits, work waiting to sync, deadlines, and rejected or conflicting operations first."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Literal, TypedDict

from outreach.domain.deadlines import card_deadlines
from outreach.domain.decision import Deadline
from outreach.domain.masking import mask_mobile
from outreach.domain.models import Visit
from outreach.domain.operation import Operation
from outreach.services._access import as_datetime, hlc_when, integer, obj, objs, string
from outreach.services.clock import CALENDAR, Clock
from outreach.services.ports import JSONObject, VaultPort
from outreach.services.security import mask_id
from outreach.services.session import VaultSession
from outreach.services.views import (
    Bilingual,
    DeadlineView,
    HomeSummary,
    OpIssue,
    PlannedVisitView,
    SideCard,
    SideChange,
)

#: Meta key where the services note the end of the last successful sync.
LAST_SYNC_META = "ui.last_sync"
#: Deadlines shown on home: due within this many days (cards ready to deliver: whatever their recall date) ...
HORIZON_DAYS = 30
#: ... or overdue by at most this many days; the nearest first, at most DEADLINE_LIMIT of them.
OVERDUE_DAYS = 90
DEADLINE_LIMIT = 20


def visits_today(session: VaultSession, day: date) -> list[Visit]:
    """This worker's visits today: planned ones (pulled from the center, no outcome yet) and logged ones.
    Visits colleagues logged for the same people (pulled from the center) are not this worker's day."""
    vault = session.vault
    return [v for v in vault.visits(day=day) if v.worker_id == vault.worker_id]


def deadlines_coming_due(
    session: VaultSession,
    clock: Clock,
    *,
    horizon_days: int = HORIZON_DAYS,
    overdue_days: int = OVERDUE_DAYS,
    limit: int = DEADLINE_LIMIT,
) -> list[DeadlineView]:
    """Deadlines across the whole vault, the nearest first: the storage picks the candidate cards by index,
    the domain's ``card_deadlines`` gives the exact dates, names are read for the ones shown only.

    Kept: due in ``[today - overdue_days, today + horizon_days]``; the recall date of a card ready to deliver
    is kept whatever the horizon (the card waits for its holder now).
    """
    vault = session.vault
    today = clock.today()
    found: list[tuple[Deadline, str]] = []
    for card in vault.cards_needing_attention(today, horizon_days=horizon_days, overdue_days=overdue_days,
                                              limit=limit):
        for deadline in card_deadlines(card, CALENDAR):
            left = (deadline.due - today).days
            if left < -overdue_days or (left > horizon_days and deadline.kind != "recall"):
                continue
            found.append((deadline, card.person_id))
    found.sort(key=lambda item: (item[0].due, item[1], item[0].kind))
    return [deadline_view(session, clock, d, pid) for d, pid in found[:limit]]


def planned_today(session: VaultSession, visits: list[Visit]) -> list[PlannedVisitView]:
    """Today's planned visits with who (name), where (address, else area code) and their card's state."""
    vault = session.vault
    out: list[PlannedVisitView] = []
    for visit in visits:
        if not visit.planned:
            continue
        person = vault.get_person(visit.person_id)
        cards = vault.person_cards(visit.person_id)
        states = cards.cards if cards is not None else []
        live = [c for c in states if c.live]
        card = (live or states)[-1] if states else None
        out.append(
            PlannedVisitView(
                visit_id=visit.visit_id,
                person_id=visit.person_id,
                person_name=person.name if person is not None else "",
                place=(person.address or person.area_code or "") if person is not None else "",
                card_status=card.status.value if card is not None else None,
            )
        )
    return out


def issue_status(status: object) -> Literal["rejected", "conflict"]:
    """A push outcome still waiting for a decision, as the screens name it."""
    return "conflict" if "conflict" in str(status) else "rejected"


@dataclass(frozen=True)
class Outcome:
    """One row of the vault's push outcomes (``VaultPort.op_outcomes``), read once into types."""

    op_id: str
    status: str
    code: str
    message_zh: str
    message_en: str
    center_state: JSONObject | None
    base: JSONObject | None
    theirs: list[JSONObject]
    base_version: int | None
    center_version: int | None

    @classmethod
    def of(cls, row: JSONObject) -> Outcome:
        return cls(op_id=string(row.get("op_id")), status=string(row.get("status")) or "rejected",
                   code=string(row.get("code")), message_zh=string(row.get("message_zh")),
                   message_en=string(row.get("message_en")), center_state=obj(row.get("center_state")),
                   base=obj(row.get("base")), theirs=objs(row.get("theirs")),
                   base_version=integer(row.get("base_version")), center_version=integer(row.get("center_version")))


def open_issues(session: VaultSession) -> list[OpIssue]:
    """Rejected and conflicting operations still waiting for a decision, both sides included."""
    vault = session.vault
    rows = [Outcome.of(r) for r in vault.op_outcomes(open_only=True)]
    if not rows:
        return []
    ops = vault.operations_by_id(r.op_id for r in rows)
    duplicates = {op.subject: string((row.center_state or {}).get("existing_person_id")) for row in rows
                  if row.code == "duplicate_person" and (op := ops.get(row.op_id)) is not None
                  and op.kind == "person.register"}
    issues: list[OpIssue] = []
    for row in rows:
        op = ops.get(row.op_id)
        subject = op.subject if op is not None else ""
        person = vault.get_person(subject) if subject else None
        issues.append(
            OpIssue(
                op_id=row.op_id,
                kind=op.kind if op is not None else "",
                subject=subject,
                person_name=person.name if person is not None else "",
                status=issue_status(row.status),
                code=row.code,
                message=Bilingual(row.message_zh, row.message_en),
                mine=dict(op.payload) if op is not None else {},
                theirs=row.center_state,
                duplicate_of=duplicates.get(subject) or None,
                **_sides(op, row, _registered(vault, op, row)),
            )
        )
    return issues


class _Sides(TypedDict, total=False):
    mine_change: SideChange | None
    theirs_changes: list[SideChange]
    base_version: int | None
    center_version: int | None
    base_person: dict[str, str] | None
    mine_person: dict[str, str] | None
    theirs_person: dict[str, str] | None
    base_cards: list[SideCard] | None
    mine_cards: list[SideCard] | None
    theirs_cards: list[SideCard] | None


def _sides(op: Operation | None, row: Outcome, more: _Sides | None = None) -> _Sides:
    """Base, mine and theirs of one issue, in words the screen can show (cards, changed fields, who, when)."""
    payload: JSONObject = dict(op.payload) if op is not None else {}
    base, center = row.base, row.center_state
    out: _Sides = {
        "mine_change": SideChange(kind=op.kind, worker_id=op.worker_id, when=hlc_when(op.hlc),
                                  device_id=op.device_id) if op is not None else None,
        "theirs_changes": [
            SideChange(kind=string(t.get("kind")), worker_id=string(t.get("worker_id")),
                       when=_iso_when(t.get("received_at")), device_id=string(t.get("device_id")))
            for t in row.theirs
        ],
        "base_version": row.base_version,
        "center_version": row.center_version,
    }
    if "person" in payload:
        before = (obj(base.get("person")) or {}) if base is not None else {}
        after = obj(payload.get("person")) or {}
        changed = sorted(k for k in set(before) | set(after)
                         if k not in ("person_id",) and before.get(k) != after.get(k))
        theirs = obj(center.get("person")) if center is not None else None
        if theirs is not None:  # the center's value this change overwrote (what "take theirs" restores)
            changed = sorted(set(changed) | {k for k in set(theirs) | set(after)
                                             if k != "person_id" and theirs.get(k) != after.get(k)})
            out["theirs_person"] = {k: shown_field(k, theirs.get(k)) for k in changed}
        out["base_person"] = {k: shown_field(k, before.get(k)) for k in changed} if base is not None else None
        out["mine_person"] = {k: shown_field(k, after.get(k)) for k in changed}
    else:
        out["base_cards"] = side_cards(base.get("cards")) if base is not None else None
        mine = obj(payload.get("cards"))
        out["mine_cards"] = side_cards(mine.get("cards")) if mine is not None else None
    out["theirs_cards"] = side_cards(center.get("cards")) if center is not None else None
    out.update(more or {})
    return out


def _registered(vault: VaultPort, op: Operation | None, row: Outcome) -> _Sides:
    """For a registration the center refused as a duplicate (Art. 3, 5): the registered person as this laptop
    holds them, field for field against mine, with their cards: what a merge joins the duplicate to."""
    existing = string((row.center_state or {}).get("existing_person_id")) if row.code == "duplicate_person" else ""
    person = vault.get_person(existing) if existing else None
    if op is None or person is None:
        return {}
    data = person.model_dump(mode="json")
    mine = obj(op.payload.get("person")) or {}
    fields = sorted(k for k in set(data) | set(mine) if k != "person_id")
    held = vault.person_cards(existing)
    return {"theirs_person": {k: shown_field(k, data.get(k)) for k in fields},
            "theirs_cards": side_cards([c.model_dump(mode="json") for c in held.cards]) if held is not None else []}


def side_cards(cards: object) -> list[SideCard] | None:
    """Card dumps (a ``PersonCards``' ``cards`` list) as the conflict view shows them; None when not a list."""
    if not isinstance(cards, list):
        return None
    return [SideCard(card_number=string(c.get("card_number")) or None, status=string(c.get("status")),
                     generation=string(c.get("generation")) or None, bank_activated=bool(c.get("bank_activated")),
                     expires_on=string(c.get("expires_on")) or None)
            for c in cards if isinstance(c, dict)]


def shown_field(key: str, value: object) -> str:
    """A person's field for the conflict view; identity and mobile numbers masked as on the person page."""
    if key == "mobile":
        return mask_mobile(string(value)) if value else ""
    if key == "ss_number":
        return mask_id(string(value)) if value else ""
    if key == "document" and isinstance(value, dict):
        return " ".join(x for x in (string(value.get("doc_type")), mask_id(string(value.get("number")))) if x)
    if key == "agent" and isinstance(value, dict):
        return " ".join(str(value.get(k)) for k in ("name", "relationship") if value.get(k))
    return _plain(value)


def _plain(value: object) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, dict):
        return " ".join(str(v) for v in value.values() if v not in (None, ""))
    return str(value)






def _iso_when(value: object) -> str:
    when = as_datetime(value)
    return when.astimezone().strftime("%Y-%m-%d %H:%M") if when is not None else ""


class HomeService:
    def __init__(
        self,
        session: VaultSession,
        clock: Clock,
        deadlines: Callable[[], list[DeadlineView]] | None = None,
        center_label: Callable[[], str | None] | None = None,
    ) -> None:
        self._session = session
        self._clock = clock
        self._deadlines = deadlines or (lambda: [])
        self._center_label = center_label or (lambda: None)

    def summary(self) -> HomeSummary:
        vault = self._session.vault
        today = self._clock.today()
        visits = visits_today(self._session, today)
        planned = sum(1 for v in visits if v.planned)
        done = len(visits) - planned
        pending = vault.pending_count()
        last = as_datetime(vault.get_meta(LAST_SYNC_META))
        age = (self._clock.now() - last) if last is not None and last.tzinfo is not None else None
        deadlines = sorted(self._deadlines(), key=lambda d: d.due)
        return HomeSummary(
            today=today,
            visits_planned=planned,
            visits_done=done,
            pending_ops=pending,
            last_sync=last,
            last_sync_age=age,
            center=self._center_label(),
            deadlines=deadlines,
            issues=open_issues(self._session),
            planned=planned_today(self._session, visits),
        )


def deadline_view(session: VaultSession, clock: Clock, deadline: Deadline, person_id: str) -> DeadlineView:
    person = session.vault.get_person(person_id)
    return DeadlineView(
        person_id=person_id,
        person_name=person.name if person is not None else "",
        kind=deadline.kind,
        due=deadline.due,
        article=deadline.article,
        days_left=(deadline.due - clock.today()).days,
    )
