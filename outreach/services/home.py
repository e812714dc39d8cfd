"""The day at a glance: visits, work waiting to sync, deadlines, and rejected or conflicting operations first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from outreach.domain.deadlines import card_deadlines
from outreach.services._access import as_date, as_datetime, get, hlc_when
from outreach.services.clock import CALENDAR, Clock
from outreach.services.security import mask_id, mask_mobile
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


def visits_today(session: VaultSession, day: Any) -> list[Any]:
    """This worker's visits today: planned ones (pulled from the center, no outcome yet) and logged ones.
    Visits colleagues logged for the same people (pulled from the center) are not this worker's day."""
    vault = session.vault
    me = getattr(vault, "worker_id", None)
    return [v for v in vault.visits(day=day) if me is None or get(v, "worker_id") == me]


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
    candidates = getattr(vault, "cards_needing_attention", None)
    if not callable(candidates):
        return []
    today = clock.today()
    found: list[tuple[Any, str]] = []
    for card in candidates(today, horizon_days=horizon_days, overdue_days=overdue_days, limit=limit):
        for deadline in card_deadlines(card, CALENDAR):
            left = (deadline.due - today).days
            if left < -overdue_days or (left > horizon_days and deadline.kind != "recall"):
                continue
            found.append((deadline, card.person_id))
    found.sort(key=lambda item: (item[0].due, item[1], item[0].kind))
    return [deadline_view(session, clock, d, pid) for d, pid in found[:limit]]


def planned_today(session: VaultSession, visits: list[Any]) -> list[PlannedVisitView]:
    """Today's planned visits with who (name), where (address, else area code) and their card's state."""
    vault = session.vault
    out: list[PlannedVisitView] = []
    for visit in visits:
        if not get(visit, "planned", False):
            continue
        pid = str(get(visit, "person_id", ""))
        person = vault.get_person(pid) if pid else None
        cards = vault.person_cards(pid) if pid else None
        states = list(get(cards, "cards", []) or [])
        live = [c for c in states if get(c, "live", False)]
        card = (live or states)[-1] if states else None
        out.append(
            PlannedVisitView(
                visit_id=str(get(visit, "visit_id", "")),
                person_id=pid,
                person_name=get(person, "name", "") if person is not None else "",
                place=(get(person, "address") or get(person, "area_code") or "") if person is not None else "",
                card_status=str(get(card, "status")) if card is not None else None,
            )
        )
    return out


def issue_status(status: Any) -> Literal["rejected", "conflict"]:
    """A push outcome still waiting for a decision, as the screens name it."""
    return "conflict" if "conflict" in str(status) else "rejected"


def open_issues(session: VaultSession) -> list[OpIssue]:
    """Rejected and conflicting operations still waiting for a decision, both sides included."""
    vault = session.vault
    outcomes = getattr(vault, "op_outcomes", None)
    if not callable(outcomes):
        return []
    rows = list(outcomes(open_only=True))
    if not rows:
        return []
    ops = vault.operations_by_id(str(get(r, "op_id")) for r in rows)
    issues: list[OpIssue] = []
    for row in rows:
        status = get(row, "status", "rejected")
        op = ops.get(str(get(row, "op_id"))) or row
        subject = get(op, "subject") or get(row, "subject", "")
        person = vault.get_person(subject) if subject else None
        issues.append(
            OpIssue(
                op_id=get(row, "op_id") or get(op, "op_id", ""),
                kind=get(op, "kind") or get(row, "kind", ""),
                subject=subject,
                person_name=get(person, "name", "") if person is not None else "",
                status=issue_status(status),
                code=get(row, "code", "") or "",
                message=Bilingual(get(row, "message_zh", "") or "", get(row, "message_en", "") or ""),
                mine=dict(get(op, "payload") or get(row, "payload") or {}),
                theirs=get(row, "center_state"),
                **_sides(op, row),
            )
        )
    return issues


def _sides(op: Any, row: Any) -> dict[str, Any]:
    """Base, mine and theirs of one issue, in words the screen can show (cards, changed fields, who, when)."""
    payload = get(op, "payload") or {}
    base = get(row, "base")
    center = get(row, "center_state")
    out: dict[str, Any] = {
        "mine_change": SideChange(kind=str(get(op, "kind", "")), worker_id=str(get(op, "worker_id", "")),
                                  when=hlc_when(str(get(op, "hlc", ""))), device_id=str(get(op, "device_id", ""))),
        "theirs_changes": [
            SideChange(kind=str(get(t, "kind", "")), worker_id=str(get(t, "worker_id", "")),
                       when=_iso_when(get(t, "received_at")), device_id=str(get(t, "device_id", "")))
            for t in (get(row, "theirs") or [])
        ],
        "base_version": get(row, "base_version"),
        "center_version": get(row, "center_version"),
    }
    if isinstance(payload, dict) and "person" in payload:
        before = (get(base, "person") or {}) if isinstance(base, dict) else {}
        after = payload.get("person") or {}
        changed = sorted(k for k in set(before) | set(after)
                         if k not in ("person_id",) and before.get(k) != after.get(k))
        theirs = get(center, "person") if isinstance(center, dict) else None
        if isinstance(theirs, dict):  # the center's value this change overwrote (what "take theirs" restores)
            changed = sorted(set(changed) | {k for k in set(theirs) | set(after)
                                             if k != "person_id" and theirs.get(k) != after.get(k)})
            out["theirs_person"] = {k: _shown(k, theirs.get(k)) for k in changed}
        out["base_person"] = {k: _shown(k, before.get(k)) for k in changed} if isinstance(base, dict) else None
        out["mine_person"] = {k: _shown(k, after.get(k)) for k in changed}
    else:
        out["base_cards"] = _cards(get(base, "cards")) if isinstance(base, dict) else None
        out["mine_cards"] = _cards(get(get(payload, "cards"), "cards"))
    out["theirs_cards"] = _cards(get(center, "cards")) if isinstance(center, dict) else None
    return out


def _cards(cards: Any) -> list[SideCard] | None:
    if not isinstance(cards, list):
        return None
    return [SideCard(card_number=get(c, "card_number"), status=str(get(c, "status", "") or ""),
                     generation=get(c, "generation"), bank_activated=bool(get(c, "bank_activated", False)),
                     expires_on=str(get(c, "expires_on")) if get(c, "expires_on") else None)
            for c in cards if isinstance(c, dict)]


def _shown(key: str, value: Any) -> str:
    """A person's field for the conflict view; identity and mobile numbers masked as on the person page."""
    if key == "mobile":
        return mask_mobile(value) if value else ""
    if key == "ss_number":
        return mask_id(value) if value else ""
    if key == "document" and isinstance(value, dict):
        return " ".join(x for x in (str(value.get("doc_type") or ""), mask_id(value.get("number"))) if x)
    if key == "agent" and isinstance(value, dict):
        return " ".join(str(value.get(k)) for k in ("name", "relationship") if value.get(k))
    return _plain(value)


def _plain(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, dict):
        return " ".join(str(v) for v in value.values() if v not in (None, ""))
    return str(value)


def _iso_when(value: Any) -> str:
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
        planned = sum(1 for v in visits if get(v, "planned", False))
        done = sum(1 for v in visits if not get(v, "planned", False))
        count = getattr(vault, "pending_count", None)
        pending = int(count()) if callable(count) else len(vault.pending_operations(limit=100_000))
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


def deadline_view(session: VaultSession, clock: Clock, deadline: Any, person_id: str) -> DeadlineView:
    due = as_date(get(deadline, "due")) or clock.today()
    person = session.vault.get_person(person_id)
    return DeadlineView(
        person_id=person_id,
        person_name=get(person, "name", "") if person is not None else "",
        kind=str(get(deadline, "kind", "")),
        due=due,
        article=str(get(deadline, "article", "")),
        days_left=(due - clock.today()).days,
    )
