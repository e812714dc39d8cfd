"""The day at a glance: visits, work waiting to sync, deadlines, and rejected or conflicting operations first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from outreach.services._access import as_date, as_datetime, get
from outreach.services.clock import Clock
from outreach.services.session import VaultSession
from outreach.services.views import Bilingual, DeadlineView, HomeSummary, OpIssue

#: Meta key where the services note the end of the last successful sync.
LAST_SYNC_META = "ui.last_sync"


def visits_today(session: VaultSession, day: Any) -> list[Any]:
    """Today's visits: planned ones (pulled from the center, no outcome yet) and logged ones."""
    return list(session.vault.visits(day=day))


def open_issues(session: VaultSession) -> list[OpIssue]:
    """Rejected and conflicting operations still waiting for a decision, both sides included."""
    vault = session.vault
    outcomes = getattr(vault, "op_outcomes", None)
    if not callable(outcomes):
        return []
    rows = list(outcomes(open_only=True))
    if not rows:
        return []
    wanted = {str(get(r, "op_id")) for r in rows}
    cache = session.op_cache
    missing = wanted - set(cache)
    if missing:  # one pass over the log; operations are immutable, so they are kept for next time
        for op in vault.operations():
            if op.op_id in missing:
                cache[op.op_id] = op
                missing.discard(op.op_id)
                if not missing:
                    break
    ops = {op_id: cache[op_id] for op_id in wanted if op_id in cache}
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
                status="conflict" if "conflict" in str(status) else "rejected",
                code=get(row, "code", "") or "",
                message=Bilingual(get(row, "message_zh", "") or "", get(row, "message_en", "") or ""),
                mine=dict(get(op, "payload") or get(row, "payload") or {}),
                theirs=get(row, "center_state"),
            )
        )
    return issues


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
