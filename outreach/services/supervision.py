"""The supervisor's home: the area at a glance, from what this laptop's vault pulled, and exports from it.

Everything is computed from the vault (no center needed): the visits pulled for the area (colleagues' too),
this laptop's own operations with the center's answers, and the card states for the deadlines. What the laptop
cannot know is left out rather than guessed. The devices listed are the center's roster of the area (pulled:
every worker and supervisor device enrolled in it, with its last sync and whether it is revoked, see
:mod:`sync.center.device_roster`), this laptop, and the devices named in the center's answers to its operations
(conflicts list who changed what, from which device, when). A device the roster does not hold (not yet pulled,
or outside the area) keeps revoked "unknown", never a guessed "no"; this laptop knows its own revocation from
the center's refusal (``sync.revoked``).

Role and area come from enrolment (vault meta ``sync.role`` / ``sync.area``); a worker's laptop gets no
overview and cannot export (the export source refuses it again where the data is read).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from outreach.domain.deadlines import card_deadlines
from outreach.exports import ExportCancelled, ExportError, ExportFilter, ExportRequest, run_export
from outreach.exports.filters import op_day
from outreach.exports.vault_source import VaultSource
from outreach.services.clock import CALENDAR, Clock
from outreach.services.errors import ServiceError
from outreach.services.home import LAST_SYNC_META
from outreach.services.session import VaultSession
from storage import Vault
from sync.client.trust import META_AREA, META_REVOKED, META_ROLE

#: The deadline kinds a supervisor watches (Art. 11 issue, Art. 12 recall, Art. 27 bank closure, Art. 6 expiry).
WATCHED_DEADLINES = ("issue", "recall", "bank_account_closure", "expiry")
#: A device not heard of for longer than this is stale.
STALE_AFTER = dt.timedelta(days=3)
#: Deadlines looked back on: a deadline missed long ago still counts as missed.
_OVERDUE_LOOKBACK_DAYS = 3650


@dataclass(frozen=True)
class DayCount:
    day: dt.date
    visits: int


@dataclass(frozen=True)
class WorkerRow:
    """One worker of the area: visits logged, operations done, open rejections and conflicts, last activity."""

    worker_id: str
    visits: int
    operations: int
    rejections: int
    conflicts: int
    last_activity: dt.date | None


@dataclass(frozen=True)
class DeadlineRow:
    person_id: str
    person_name: str
    kind: str
    due: dt.date
    days_left: int

    @property
    def overdue(self) -> bool:
        return self.days_left < 0


@dataclass(frozen=True)
class IssueAgeRow:
    """Open rejected / conflicting operations of one worker, by age in days (0-1, 2-7, over 7)."""

    worker_id: str
    rejections: int
    conflicts: int
    fresh: int
    week: int
    older: int
    oldest_days: int


@dataclass(frozen=True)
class DeviceRow:
    """A device as this laptop knows it. ``last_seen``: the latest of this laptop's last sync, the center's
    roster (its last sync at the center) and the times the center said it received an operation from that
    device; ``revoked``: None when the laptop cannot know; ``role``: from the roster, None when not on it."""

    device_id: str
    worker_id: str
    last_seen: dt.datetime | None
    this_device: bool
    stale: bool
    revoked: bool | None
    role: str | None = None
    on_roster: bool = False


@dataclass(frozen=True)
class SupervisorOverview:
    today: dt.date
    area: str
    visits_per_day: list[DayCount]
    outcomes: list[tuple[str, int]]
    kinds: list[tuple[str, int]]
    workers: list[WorkerRow]
    overdue: list[DeadlineRow]
    coming: list[DeadlineRow]
    issues: list[IssueAgeRow]
    devices: list[DeviceRow]
    totals: dict[str, int] = field(default_factory=dict)
    """Rows each dataset holds in the vault (all days): the export's progress bar measures against it."""

    @property
    def visits_total(self) -> int:
        return sum(d.visits for d in self.visits_per_day)


@dataclass(frozen=True)
class ExportChoice:
    """What the export panel asked for. Dates, area, worker, outcome and kind are optional filters."""

    datasets: tuple[str, ...] = ("visits",)
    formats: tuple[str, ...] = ("csv",)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    area: str | None = None
    worker: str | None = None
    outcome: str | None = None
    kind: str | None = None
    session: str | None = None
    since_last: bool = False
    full: bool = False
    purpose: str = ""


@dataclass(frozen=True)
class ExportDone:
    """Where an export went. ``password``: a full export's, to show once and forget."""

    folder: Path
    export_id: str
    rows: dict[str, int]
    files: list[str]
    password: str | None = field(default=None, repr=False)


class SupervisionService:
    def __init__(self, session: VaultSession, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    # -- role ---------------------------------------------------------------------------------------
    def role(self) -> str | None:
        """The role the center gave this laptop at enrolment ("worker", "supervisor"), None if not enrolled."""
        return self._session.vault.get_meta(META_ROLE) if self._session.is_open else None

    def is_supervisor(self) -> bool:
        return self.role() == "supervisor"

    def _vault(self) -> Vault:
        """The open vault of a supervisor's laptop (the exports read a real :class:`storage.Vault`)."""
        vault = self._session.vault
        if not isinstance(vault, Vault) or vault.get_meta(META_ROLE) != "supervisor":
            raise ServiceError("supervisor.not_supervisor")
        return vault

    # -- the overview -------------------------------------------------------------------------------
    def overview(self, days: int = 14, horizon_days: int = 30) -> SupervisorOverview:
        """The area at a glance: the last ``days`` days of visits, deadlines overdue or due within
        ``horizon_days``, open issues, devices.

        Raises:
            ServiceError ``supervisor.not_supervisor``: not a supervisor's laptop.
        """
        vault = self._vault()
        today = self._clock.today()
        first = today - dt.timedelta(days=max(days, 1) - 1)

        per_day: Counter[dt.date] = Counter()
        outcomes: Counter[str] = Counter()
        visits_by: Counter[str] = Counter()
        ops_by: dict[str, set[str]] = {}
        last: dict[str, dt.date] = {}
        totals: Counter[str] = Counter()
        for visit in vault.iter_visits():  # in pages: a whole area's visits need no big memory
            totals["visits"] += 1
            if visit.planned or visit.outcome is None:
                continue
            last[visit.worker_id] = max(last.get(visit.worker_id, visit.day), visit.day)
            ops_by.setdefault(visit.worker_id, set()).update(visit.op_ids)
            if first <= visit.day <= today:
                per_day[visit.day] += 1
                outcomes[visit.outcome.value] += 1
                visits_by[visit.worker_id] += 1

        kinds: Counter[str] = Counter()
        op_worker: dict[str, str] = {}
        devices: dict[str, tuple[str, dt.datetime | None]] = {}
        for op in vault.operations():
            op_worker[op.op_id] = op.worker_id
            devices.setdefault(op.device_id, (op.worker_id, None))
            day = op_day(op.hlc)
            if day is not None:
                last[op.worker_id] = max(last.get(op.worker_id, day), day)
            if op.kind.startswith("audit.reveal"):
                totals["reveals"] += 1
            if op.kind.startswith("card."):
                totals["operations"] += 1
                ops_by.setdefault(op.worker_id, set()).add(op.op_id)
            if day is not None and day >= first:
                kinds[op.kind] += 1

        issues = self._issues(vault.op_outcomes(open_only=True), op_worker, today)
        for row in vault.op_outcomes():
            for theirs in row.get("theirs") or []:
                device = str(theirs.get("device_id") or "")
                if not device:
                    continue
                seen = _when(theirs.get("received_at"))
                worker, before = devices.get(device, (str(theirs.get("worker_id") or ""), None))
                latest = [x for x in (before, seen) if x is not None]
                devices[device] = (worker, max(latest) if latest else None)
        rejected = Counter(r.worker_id for r in issues for _ in range(r.rejections))
        conflicts = Counter(r.worker_id for r in issues for _ in range(r.conflicts))

        workers = sorted(set(visits_by) | set(ops_by) | set(last) | set(rejected) | set(conflicts))
        rows = [WorkerRow(w, visits_by[w], len(ops_by.get(w, ())), rejected[w], conflicts[w], last.get(w))
                for w in workers]
        overdue, coming = self._deadlines(vault, today, horizon_days)
        return SupervisorOverview(
            today=today,
            area=vault.get_meta(META_AREA) or "",
            visits_per_day=[DayCount(first + dt.timedelta(days=i), per_day[first + dt.timedelta(days=i)])
                            for i in range((today - first).days + 1)],
            outcomes=sorted(outcomes.items(), key=lambda kv: (-kv[1], kv[0])),
            kinds=sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])),
            workers=rows,
            overdue=overdue,
            coming=coming,
            issues=issues,
            devices=self._devices(vault, devices),
            totals=dict(totals),
        )

    def _issues(self, open_rows: list[dict[str, object]], op_worker: dict[str, str],
                today: dt.date) -> list[IssueAgeRow]:
        by: dict[str, list[tuple[bool, int]]] = {}
        for row in open_rows:
            worker = op_worker.get(str(row.get("op_id")), "")
            when = _when(row.get("recorded_at"))
            age = max((today - when.date()).days, 0) if when is not None else 0
            by.setdefault(worker, []).append(("conflict" in str(row.get("status")), age))
        out = []
        for worker in sorted(by):
            items = by[worker]
            ages = [a for _, a in items]
            out.append(IssueAgeRow(
                worker_id=worker, rejections=sum(1 for c, _ in items if not c), conflicts=sum(1 for c, _ in items if c),
                fresh=sum(1 for a in ages if a <= 1), week=sum(1 for a in ages if 1 < a <= 7),
                older=sum(1 for a in ages if a > 7), oldest_days=max(ages)))
        return out

    def _deadlines(self, vault: Vault, today: dt.date,
                   horizon_days: int) -> tuple[list[DeadlineRow], list[DeadlineRow]]:
        names: dict[str, str] = {}
        found: list[DeadlineRow] = []
        for card in vault.cards_needing_attention(today, horizon_days=horizon_days,
                                                  overdue_days=_OVERDUE_LOOKBACK_DAYS):
            for deadline in card_deadlines(card, CALENDAR):
                left = (deadline.due - today).days
                if deadline.kind not in WATCHED_DEADLINES or left > horizon_days:
                    continue
                if card.person_id not in names:
                    person = vault.get_person(card.person_id)
                    names[card.person_id] = person.name if person is not None else ""
                found.append(DeadlineRow(card.person_id, names[card.person_id], deadline.kind, deadline.due, left))
        found.sort(key=lambda d: (d.due, d.person_id, d.kind))
        return [d for d in found if d.overdue], [d for d in found if not d.overdue]

    def _devices(self, vault: Vault, known: dict[str, tuple[str, dt.datetime | None]]) -> list[DeviceRow]:
        now = self._clock.now()
        mine = vault.device_id
        roster = {str(d.get("device_id")): d for d in vault.center_devices() if d.get("device_id")}
        for device, listed in roster.items():
            worker, seen = known.get(device, (str(listed.get("worker_id") or ""), None))
            latest = [x for x in (seen, _when(listed.get("last_sync_at"))) if x is not None]
            known[device] = (str(listed.get("worker_id") or worker), max(latest) if latest else None)
        known[mine] = (vault.worker_id, _when(vault.get_meta(LAST_SYNC_META)))
        rows = []
        revoked_here = vault.get_meta(META_REVOKED) is not None  # the center refused this laptop as revoked
        for device, (worker, seen) in known.items():
            entry = roster.get(device)
            stale = seen is None or (seen.tzinfo is not None and now - seen > STALE_AFTER)
            if device == mine:
                revoked: bool | None = True if revoked_here else (False if entry is not None else None)
            else:
                revoked = bool(entry.get("revoked_at")) if entry is not None else None
            role = str(entry.get("role")) if entry is not None and entry.get("role") else None
            rows.append(DeviceRow(device, worker, seen, device == mine, stale, revoked, role, entry is not None))
        rows.sort(key=lambda r: (not r.this_device, r.last_seen is not None,
                                 r.last_seen or dt.datetime.min.replace(tzinfo=dt.UTC), r.device_id))
        return rows

    # -- exports ------------------------------------------------------------------------------------
    def export(self, choice: ExportChoice, out_dir: Path, *, progress: Callable[[str, int], None] | None = None,
               cancel: threading.Event | None = None) -> ExportDone | None:
        """Write an export of this laptop's vault into ``out_dir``; None when cancelled (nothing left behind).
        The checkpoint for "since my last export" moves on only after a complete export.

        Raises:
            ServiceError ``supervisor.export_failed`` with the export's own words (role, area, filters,
            purpose, folder), nothing written.
        """
        vault = self._vault()
        try:
            flt = ExportFilter(date_from=choice.date_from, date_to=choice.date_to, area=choice.area or None,
                               worker=choice.worker or None, outcome=choice.outcome or None,
                               kinds=(choice.kind,) if choice.kind else (), session=choice.session or None)
            source = VaultSource(vault, today=self._clock.today())
            since = source.load_checkpoint() if choice.since_last else None
            request = source.authorise(ExportRequest(
                datasets=choice.datasets, formats=choice.formats, filter=flt, masked=not choice.full,
                purpose=choice.purpose, since=since, today=self._clock.today()))
            result = run_export(source, request, out_dir, progress=progress,
                                cancel=cancel.is_set if cancel is not None else None)
            source.save_checkpoint(result.checkpoint)
        except ExportCancelled:
            return None
        except ExportError as exc:
            raise ServiceError("supervisor.export_failed", detail=(exc.message_zh, exc.message_en)) from None
        except OSError as exc:
            raise ServiceError("supervisor.export_failed",
                               detail=("无法写入导出文件", f"cannot write the export ({exc.strerror})")) from None
        return ExportDone(result.folder, result.export_id, dict(result.rows), [f["name"] for f in result.files],
                          result.password)


def _when(value: object) -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
