"""Employer bulk activation days ("bulk days"; Art. 15 para. 2, Art. 9, 12): plan, import the roster, prepare,
the loop at the table, progress and close. ("Session" in :mod:`outreach.services.session` is the worker's
login; here a day is a ``session:<id>`` subject of the log, see :mod:`outreach.domain.sessions`.)

Everything is in the operation log: the plan (``session.plan``), each roster revision (``session.roster``),
the card work (the same ``card.bank_activate`` / ``card.deliver`` a home visit makes, through
:meth:`CardService.record`, so ``decide()`` checks it; payload ``session_id``), a bank's refusal (a
``visit.log`` with payload ``session_id`` and ``session_exception``) and the close (``session.close``). The
service's picture of the days is rebuilt by reading the log, so a laptop that died mid-session resumes where
it was; after that it follows its own appends (and reads any newer operation before each step).

Operators sharing a day: the center publishes to every worker the plan lists the session's plan, its roster
(``session_lines``), the roster people and their cards, and the work list of every laptop (``session_work``).
The service merges what was pulled with its own log: a day planned on another laptop appears here, the newer
roster revision is the day's roster, a colleague's activation is this day's result (the same card again says
when and by whom, and records nothing), and the close manifest lists every operation this laptop knows of
the session, its own and the pulled ones.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Concatenate, Literal, ParamSpec, TypeVar

from pydantic import ValidationError

from outreach.bulkdays.errors import RosterError
from outreach.bulkdays.report import CloseReport, ReportLine
from outreach.bulkdays.roster import (
    CITIZEN_DOCS,
    PlannedRow,
    RosterPreview,
    RowPerson,
    RowRefused,
    check_row,
    preview_import,
)
from outreach.bulkdays.tables import read_table
from outreach.domain.enums import STATUS_ZH, CardStatus
from outreach.domain.masking import mask_name
from outreach.domain.models import IdentityDocument, Person, PersonCards, Visit, new_id
from outreach.domain.operation import parse_hlc
from outreach.domain.sessions import (
    SUBJECT_PREFIX,
    CloseLine,
    CloseManifest,
    Employer,
    Need,
    Outcome,
    Roster,
    RosterEntry,
    SessionPlan,
    credit_code_problem,
    subject_of,
)
from outreach.services._access import obj, objs, string
from outreach.services.cards import CardService
from outreach.services.clock import Clock
from outreach.services.errors import ServiceError
from outreach.services.ports import JSONObject
from outreach.services.security import mask_id
from outreach.services.session import VaultSession
from outreach.services.views import both

Action = Literal["bank_done", "bank_declined", "hand_over", "apply"]
#: Outcome precedence when one person has several results in a session (bank done beats a hand-over).
_RANK: dict[str, int] = {"activated": 4, "handed_over": 3, "applied": 2, "exception": 1}
_KIND_OUTCOME: dict[str, Outcome] = {"card.bank_activate": "activated", "card.deliver": "handed_over",
                                     "card.apply": "applied"}
_PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png")
_PLAN_FIELDS_ZH = {"employer": "单位名称", "venue": "地点", "day": "日期", "workers": "经办人员",
                   "bank_branch": "合作银行网点", "note": "备注"}


class BulkDayError(ServiceError):
    """A bulk-day step refused (bad plan, unknown or closed session, unreadable roster...); ``detail`` says why
    in both languages. Nothing was written."""

    key = "bulkdays.error"

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(detail=(zh, en))

    @property
    def zh(self) -> str:
        return self.detail[0] if self.detail else ""

    @property
    def en(self) -> str:
        return self.detail[1] if self.detail else ""


@dataclass(frozen=True)
class TableCard:
    """What a card read gives the loop (from ``hardware.model.CardData``): the social security number (None
    when the personal file could not be read), the card number and the expiry date."""

    ssn: str | None
    card_number: str | None = None
    expires_on: dt.date | None = None


@dataclass
class Result:
    outcome: Outcome
    hlc: str
    reason: str = ""
    worker_id: str = ""
    """Who recorded it ("" for this laptop's own work in older logs)."""


@dataclass
class _Pulled:
    """What the center published about one session to this laptop as an operator."""

    plan: SessionPlan | None
    roster: Roster | None
    ops: list[tuple[str, str]]
    results: dict[str, Result]
    first_work_ms: int | None


@dataclass
class DayState:
    """One bulk day as the log tells it."""

    plan: SessionPlan
    roster: Roster | None = None
    close: CloseManifest | None = None
    ops: list[tuple[str, str]] = field(default_factory=list)
    results: dict[str, Result] = field(default_factory=dict)
    first_work_ms: int | None = None
    index: tuple[int, dict[str, str], dict[str, str]] | None = None
    """(roster revision, identity/social security number -> person, card number -> person), built on first use."""
    own_plan: SessionPlan | None = None
    own_plan_op: str = ""
    own_roster: Roster | None = None
    own_ops: list[tuple[str, str]] = field(default_factory=list)
    own_results: dict[str, Result] = field(default_factory=dict)
    own_first_ms: int | None = None
    """This laptop's log; ``plan``, ``roster``, ``ops``, ``results`` are it merged with what was pulled."""
    pulled: _Pulled | None = None

    def merge(self) -> None:
        """The day as this laptop knows it: its own log, and the center's record of every operator's work."""
        p = self.pulled
        # the center's plan is the latest pushed by anyone: it wins once it has this laptop's own latest plan
        center_has_mine = p is not None and any(op_id == self.own_plan_op for op_id, _ in p.ops)
        if p is not None and p.plan is not None and (self.own_plan is None or center_has_mine):
            self.plan = p.plan
        elif self.own_plan is not None:
            self.plan = self.own_plan
        self.roster = self.own_roster
        if p is not None and p.roster is not None and (self.roster is None or p.roster.revision > self.roster.revision):
            self.roster = p.roster
        self.ops = list(self.own_ops)
        self.results = dict(self.own_results)
        self.first_work_ms = self.own_first_ms
        if p is None:
            return
        mine = {op_id for op_id, _ in self.own_ops}
        self.ops += [o for o in p.ops if o[0] not in mine]
        for person_id, result in p.results.items():
            current = self.results.get(person_id)
            if current is None or _RANK[result.outcome] > _RANK[current.outcome]:
                self.results[person_id] = result
        if p.first_work_ms is not None:
            self.first_work_ms = min(p.first_work_ms, self.own_first_ms or p.first_work_ms)

    @property
    def open(self) -> bool:
        return self.close is None and not self.plan.cancelled

    @property
    def label(self) -> str:
        return f"{self.plan.employer.name} {self.plan.day.isoformat()}"

    def entry(self, person_id: str) -> RosterEntry | None:
        if self.roster is None:
            return None
        return next((e for e in self.roster.entries if e.person_id == person_id), None)


@dataclass(frozen=True)
class TableLine:
    """A roster line opened at the table."""

    person_id: str
    name: str
    masked_id: str
    department: str
    row: int
    walk_in: bool
    need: Need
    card_status: str
    blocked: tuple[str, str] | None = None
    """(zh, en) why nothing can be recorded today and what to do instead."""
    done: Result | None = None


@dataclass(frozen=True)
class Recorded:
    """The outcome of one record step: ``op_id`` when something was written, else ``message`` says why not."""

    op_id: str | None
    message: tuple[str, str]
    already: bool = False


@dataclass(frozen=True)
class PrepareLine:
    person_id: str
    name: str
    masked_id: str
    department: str
    need: Need
    detail: tuple[str, str]
    photo: Path | None = None


@dataclass(frozen=True)
class ExceptionLine:
    person_id: str
    name: str
    masked_id: str
    reason: str
    next_step: tuple[str, str]


@dataclass(frozen=True)
class Progress:
    roster: int
    done: int
    exceptions: int
    remaining: int
    per_hour: float
    counts: dict[str, int]
    exception_list: list[ExceptionLine]


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _one_at_a_time(
    method: Callable[Concatenate[BulkDayService, _P], _R],
) -> Callable[Concatenate[BulkDayService, _P], _R]:
    """Each writing step holds the service's lock: a second key press (or a second screen) cannot check and
    append between another step's check and its append."""

    def run(self: BulkDayService, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        with self._lock:
            return method(self, *args, **kwargs)

    run.__doc__, run.__name__ = method.__doc__, method.__name__
    return run


@dataclass(frozen=True)
class HostedSession:
    """A session as the center published it to this laptop (an employer host's own sessions): the numbers
    are masked by the center; counts are the center's merged progress of every operator's laptop."""

    session_id: str
    employer: str
    venue: str
    day: str
    roster: tuple[JSONObject, ...]
    progress: dict[str, int]
    close: JSONObject | None


class BulkDayService:
    """The use cases of a bulk day. Call from a worker thread in the UI (they read and write the vault)."""

    def __init__(self, session: VaultSession, clock: Clock, cards: CardService) -> None:
        self._session = session
        self._clock = clock
        self._cards = cards
        self._days: dict[str, DayState] = {}
        self._seq = 0
        self._vault_id: int | None = None
        #: One step at a time: a second key press (or a second screen) cannot check and append in between.
        self._lock = threading.RLock()
        self._photos: dict[str, Path] = {}
        """Photos found by :meth:`prepare`, per person: an application at the table takes them by default."""
        self._pulled_mark: tuple[int, str, float] | None = None

    def hosted(self) -> list[HostedSession]:
        """The sessions pulled from the center (read-only): what an employer host's laptop shows."""
        out = []
        for sid, kinds in self._session.vault.center_sessions().items():
            plan = kinds.get("session", {})
            employer = obj(plan.get("employer")) or {}
            progress = kinds.get("session_progress", {})
            out.append(HostedSession(
                session_id=sid, employer=string(employer.get("name")), venue=string(plan.get("venue")),
                day=string(plan.get("day")), roster=tuple(objs(kinds.get("session_roster", {}).get("lines"))),
                progress={k: v for k, v in progress.items() if isinstance(v, int) and not isinstance(v, bool)},
                close=kinds.get("session_close")))
        return sorted(out, key=lambda h: (h.day, h.session_id))

    # --- reading the log -----------------------------------------------------------------------
    def _catch_up(self) -> None:
        with self._lock:
            self._catch_up_locked()

    def _catch_up_locked(self) -> None:
        vault = self._session.vault
        if id(vault) != self._vault_id:  # another vault (relock, another user): start over
            self._days, self._seq, self._vault_id, self._pulled_mark = {}, 0, id(vault), None
        mark = vault.center_sessions_mark()
        pulled_changed = mark != self._pulled_mark
        if pulled_changed:  # first, so that this laptop's work on a day planned elsewhere finds its day
            self._pulled_mark = mark
            self._read_pulled(vault.center_sessions())
        ops = vault.operations(self._seq)
        for op in ops:
            self._seq = op.seq
            self._apply(op.op_id, op.hash, op.kind, op.subject, op.payload, op.hlc)
        if pulled_changed or ops:
            for day in self._days.values():
                day.merge()

    def _read_pulled(self, records: Mapping[str, Mapping[str, JSONObject]]) -> None:
        """The sessions the center published to this laptop as one of their operators (a ``session_work``
        record; an employer host's laptop gets none, :meth:`hosted` shows its sessions)."""
        for sid, kinds in records.items():
            work = kinds.get("session_work")
            if work is None:
                continue
            plan = _pulled_plan(kinds.get("session"))
            day = self._days.get(sid)
            if day is None:
                if plan is None:
                    continue
                self._days[sid] = day = DayState(plan=plan)
            day.pulled = _pulled(plan, kinds.get("session_lines"), work)

    def _apply(self, op_id: str, op_hash: str, kind: str, subject: str, payload: Mapping[str, object],
               hlc: str) -> None:
        if subject.startswith(SUBJECT_PREFIX):
            sid = subject.removeprefix(SUBJECT_PREFIX)
            if kind == "session.plan":
                plan = SessionPlan.model_validate(payload["session"])
                day = self._days.get(sid)
                if day is None:
                    self._days[sid] = day = DayState(plan=plan)
                day.plan = day.own_plan = plan
                day.own_plan_op = op_id
            day = self._days.get(sid)
            if day is None:
                return
            if kind == "session.roster":
                day.roster = day.own_roster = Roster.model_validate(payload["roster"])
            elif kind == "session.close":
                day.close = CloseManifest.model_validate(payload["close"])
            if kind != "session.close":  # the center lists no close, nor does a manifest
                day.own_ops.append((op_id, op_hash))
            return
        tagged = payload.get("session_id")
        if not isinstance(tagged, str) or tagged not in self._days:
            return
        day = self._days[tagged]
        day.own_ops.append((op_id, op_hash))
        outcome: Outcome | None = _KIND_OUTCOME.get(kind)
        reason = ""
        if kind == "visit.log" and isinstance(payload.get("session_exception"), str):
            outcome, reason = "exception", str(payload["session_exception"])
        if outcome is None:
            return
        wall = parse_hlc(hlc)[0]
        if day.own_first_ms is None:
            day.own_first_ms = wall
        current = day.own_results.get(subject)
        if current is None or _RANK[outcome] >= _RANK[current.outcome]:
            day.own_results[subject] = Result(outcome, hlc, reason, self._session.vault.worker_id)

    def _day(self, session_id: str, *, open_only: bool = False) -> DayState:
        self._catch_up()
        day = self._days.get(session_id)
        if day is None:
            raise BulkDayError("找不到该集中激活场次", "no such bulk activation session")
        if open_only and not day.open:
            raise BulkDayError("该场次已结束或已取消，不能再记录", "the session is closed or cancelled; nothing more can be recorded")
        return day

    def sessions(self) -> list[DayState]:
        """Every bulk day this laptop knows, the latest day first."""
        self._catch_up()
        return sorted(self._days.values(), key=lambda d: d.plan.day, reverse=True)

    def state(self, session_id: str) -> DayState:
        return self._day(session_id)

    # --- plan ----------------------------------------------------------------------------------
    @_one_at_a_time
    def plan(self, *, employer: str, credit_code: str, venue: str, day: dt.date, workers: Sequence[str],
             bank_branch: str, note: str = "", session_id: str | None = None) -> SessionPlan:
        """Plan a day (or change the plan of ``session_id``): one ``session.plan`` operation.

        Raises:
            BulkDayError: a bad credit code or a missing/invalid field; nothing written.
        """
        problem = credit_code_problem(credit_code)
        if problem:
            raise BulkDayError(*problem)
        if session_id is not None:
            self._day(session_id, open_only=True)
        try:
            plan = SessionPlan(session_id=session_id or new_id(),
                               employer=Employer(name=employer.strip(), credit_code=credit_code),
                               venue=venue.strip(), day=day, workers=tuple(w.strip() for w in workers if w.strip()),
                               bank_branch=bank_branch.strip(), note=note)
        except ValidationError as exc:
            fields = sorted({str(e["loc"][0]) for e in exc.errors() if e.get("loc")})
            where_zh = "、".join(_PLAN_FIELDS_ZH.get(f, f) for f in fields)
            raise BulkDayError(f"活动安排填写不完整或有误（{where_zh}）",
                               f"the plan is incomplete or invalid ({', '.join(fields)})") from None
        vault = self._session.vault
        vault.append("session.plan", subject_of(plan.session_id), {"session": plan.model_dump(mode="json")})
        return plan

    # --- roster import -------------------------------------------------------------------------
    def preview_roster(self, session_id: str, path: Path, mapping: Mapping[str, str] | None = None) -> RosterPreview:
        """Read and check the file; nothing written.

        Raises:
            RosterError: the file cannot be read, or a required column is not found (``RosterHeaderError``
                with the headers to ask about).
            BulkDayError: unknown or closed session.
        """
        self._day(session_id, open_only=True)
        table = read_table(path)
        preview = preview_import(table, _Known(self, session_id), self._clock.today(), mapping)
        preview.log_seq = self._seq
        return preview

    @_one_at_a_time
    def confirm_roster(self, session_id: str, preview: RosterPreview) -> Roster:
        """Register the new people (``person.register``) and write the next roster revision, in one transaction.

        Rows are keyed by person: a corrected file makes a new revision with each person once; people added at
        the table (walk-ins) stay on it. A person the preview saw as new but who is known by now is matched.
        """
        day = self._day(session_id, open_only=True)
        known = _Known(self, session_id)
        fresh = preview.log_seq == self._seq  # nothing appended since the preview: its lookups still hold
        items: list[tuple[str, str, dict[str, object]]] = []
        entries: dict[str, RosterEntry] = {}
        for planned in [*preview.matched, *preview.new]:
            person_id = planned.person_id
            if person_id is None:
                hit = None if fresh else known.person_by_document(planned.person.doc_number)
                if hit is None:
                    person = _person(planned.person)
                    person_id = person.person_id
                    items.append(("person.register", person_id, {"person": person.model_dump(mode="json")}))
                else:
                    person_id = hit[0]
            entries.setdefault(person_id, RosterEntry(person_id=person_id, row=planned.person.row,
                                                      department=planned.person.department))
        if day.roster is not None:
            for old in day.roster.entries:
                if old.walk_in and old.person_id not in entries:
                    entries[old.person_id] = old
        revision = (day.roster.revision + 1) if day.roster is not None else 1
        roster = Roster(revision=revision, source_sha256=preview.sha256, entries=tuple(entries.values()))
        items.append(("session.roster", subject_of(session_id), {"roster": roster.model_dump(mode="json")}))
        self._session.vault.append_many(items)
        return roster

    @_one_at_a_time
    def add_walk_in(self, session_id: str, cells: Mapping[str, str]) -> str:
        """A person not on the roster, added at the table: checked like a roster row, registered if new, and a
        roster revision with them marked ``walk_in``. Returns their person id.

        Raises:
            BulkDayError: the data is refused (reason given), or they are on another open session already.
        """
        day = self._day(session_id, open_only=True)
        try:
            row = check_row(cells, 0, self._clock.today(), walk_in=True)
        except RowRefused as why:
            raise BulkDayError(why.zh, why.en) from None
        known = _Known(self, session_id)
        hit = known.person_by_document(row.doc_number)
        items: list[tuple[str, str, dict[str, object]]] = []
        if hit is None:
            person = _person(row)
            person_id = person.person_id
            items.append(("person.register", person_id, {"person": person.model_dump(mode="json")}))
        else:
            person_id = hit[0]
            if day.entry(person_id) is not None:
                return person_id
            elsewhere = known.other_open_session(person_id)
            if elsewhere:
                raise BulkDayError(f"此人已在另一未结束场次的名单中（{elsewhere}）",
                                   f"this person is on another open session's roster ({elsewhere})")
        entries = list(day.roster.entries) if day.roster is not None else []
        entries.append(RosterEntry(person_id=person_id, row=0, department=row.department, walk_in=True))
        revision = (day.roster.revision + 1) if day.roster is not None else 1
        source = day.roster.source_sha256 if day.roster is not None else ""
        roster = Roster(revision=revision, source_sha256=source, entries=tuple(entries))
        items.append(("session.roster", subject_of(session_id), {"roster": roster.model_dump(mode="json")}))
        self._session.vault.append_many(items)
        return person_id

    # --- prepare -------------------------------------------------------------------------------
    def prepare(self, session_id: str, photos: Path | None = None) -> list[PrepareLine]:
        """Per roster person what they need today, from the cards this laptop knows (sync first to have the
        center's statuses); applications get the photo found in ``photos`` named by identity number."""
        day = self._day(session_id)
        found: dict[str, Path] = {}
        if photos is not None and photos.is_dir():
            for p in photos.iterdir():
                if p.suffix.lower() in _PHOTO_SUFFIXES:
                    found[p.stem.upper()] = p
        out: list[PrepareLine] = []
        vault = self._session.vault
        for entry in day.roster.entries if day.roster else ():
            person = vault.get_person(entry.person_id)
            if person is None:
                continue
            need, detail = self._need(entry.person_id, vault.person_cards(entry.person_id), day)
            photo = found.get(person.document.number.upper()) if need == "application" else None
            if photo is not None:
                self._photos[entry.person_id] = photo
            if need == "application" and photo is None and photos is not None:
                detail = (detail[0] + "；未找到照片", detail[1] + "; no photo found")
            out.append(PrepareLine(entry.person_id, person.name, mask_id(person.document.number),
                                   entry.department, need, detail, photo))
        return out

    def _need(self, person_id: str, cards: PersonCards | None, day: DayState) -> tuple[Need, tuple[str, str]]:
        done = day.results.get(person_id)
        if done is not None and done.outcome in ("activated", "applied"):
            return "done", ("今日已办理", "done today")
        current = cards.current() if cards is not None else None
        today = self._clock.today()
        if current is None:
            return "application", ("无卡：由单位代为申领（第九条）", "no card: application on behalf of the employer (Art. 9)")
        status = current.status
        if current.expires_on is not None and current.expires_on < today:
            return "blocked", ("卡已过有效期：请办理换领（第二十一条）", "card expired: apply for an exchange (Art. 21)")
        if status is CardStatus.READY:
            return "hand_over", ("卡已制好待领：先发卡（第十二条）再激活", "card ready: hand it over first (Art. 12), then activate")
        if status is CardStatus.ACTIVE:
            if current.bank_activated:
                return "done", ("银行账户已激活", "bank account already activated")
            return "activation", ("待激活银行账户（第十五条）", "bank account to activate (Art. 15)")
        if status is CardStatus.APPLIED:
            return "blocked", ("卡正在制作中，今日无法激活", "the card is still being made; nothing to activate today")
        advice = {
            CardStatus.TEMP_LOST: ("临时挂失中：先解挂（第十九条）", "temporarily reported lost: unlock first (Art. 19)"),
            CardStatus.LOST: ("已正式挂失：请办理补领（第二十条）", "formally reported lost: apply for a replacement (Art. 20)"),
            CardStatus.SUSPENDED: ("一卡通功能已中止：须人社部门解除（第四十二条）",
                                   "suspended: the human resources department must lift it (Art. 42)"),
        }
        zh_status = STATUS_ZH.get(status, str(status))
        return "blocked", advice.get(status, (f"卡状态为“{zh_status}”：请到经办机构办理", f"card is {status}: see the agency"))

    # --- the loop ------------------------------------------------------------------------------
    def open_line(self, session_id: str, *, card: TableCard | None = None, digits: str | None = None,
                  person_id: str | None = None) -> TableLine:
        """The roster line of the card just read, of the last digits of the identity number typed, or of a
        person picked from the list.

        Raises:
            BulkDayError: not on the roster (with what to do), several matches for the digits, unknown card.
        """
        day = self._day(session_id, open_only=True)
        numbers, card_numbers = self._index(day)
        if person_id is None and card is not None:
            person_id = self._by_card(numbers, card_numbers, card)
        elif person_id is None and digits is not None:
            tail = digits.strip().upper()
            if len(tail) < 4:
                raise BulkDayError("请至少输入证件号码后4位", "type at least the last 4 characters of the number")
            hits = {pid for number, pid in numbers.items() if number.endswith(tail)}
            if len(hits) > 1:
                raise BulkDayError(f"名单中有{len(hits)}人证件号码以此结尾，请多输入几位",
                                   f"{len(hits)} people on the roster end with these digits; type more")
            person_id = hits.pop() if hits else None
        if person_id is None:
            raise BulkDayError("名单中没有此人：如需办理请按“现场添加”", "not on the roster: add them as a walk-in")
        return self._line(day, person_id, card)

    def _index(self, day: DayState) -> tuple[dict[str, str], dict[str, str]]:
        """The roster's numbers, read once per roster revision (the loop then finds a card in memory)."""
        revision = day.roster.revision if day.roster else 0
        if day.index is None or day.index[0] != revision:
            vault = self._session.vault
            numbers: dict[str, str] = {}
            card_numbers: dict[str, str] = {}
            for e in day.roster.entries if day.roster else ():
                p = vault.get_person(e.person_id)
                if p is None:
                    continue
                for number in (p.document.number, p.ss_number):
                    if number:
                        numbers[number.upper()] = e.person_id
                cards = vault.person_cards(e.person_id)
                for c in cards.cards if cards is not None else ():
                    if c.card_number:
                        card_numbers[c.card_number] = e.person_id
            day.index = (revision, numbers, card_numbers)
        return day.index[1], day.index[2]

    def _by_card(self, numbers: Mapping[str, str], card_numbers: Mapping[str, str], card: TableCard) -> str | None:
        if card.ssn:
            hit = numbers.get(card.ssn.upper())
            if hit is None and self._session.vault.find_people(card.ssn, limit=1):
                raise BulkDayError("此卡持卡人不在本场次名单中：如需办理请按“现场添加”",
                                   "this card's holder is not on this session's roster: add them as a walk-in")
            return hit
        if card.card_number:
            return card_numbers.get(card.card_number)
        return None

    def _line(self, day: DayState, person_id: str, card: TableCard | None) -> TableLine:
        vault = self._session.vault
        entry = day.entry(person_id)
        person = vault.get_person(person_id)
        if entry is None or person is None:
            raise BulkDayError("名单中没有此人：如需办理请按“现场添加”", "not on the roster: add them as a walk-in")
        cards = vault.person_cards(person_id)
        need, detail = self._need(person_id, cards, day)
        current = cards.current() if cards is not None else None
        blocked: tuple[str, str] | None = detail if need == "blocked" else None
        if card is not None and blocked is None:
            if card.expires_on is not None and card.expires_on < self._clock.today():
                blocked = ("所读卡片已过有效期：请办理换领（第二十一条）", "the card read has expired: exchange it (Art. 21)")
            elif (card.card_number and current is not None and current.card_number
                  and card.card_number != current.card_number):
                blocked = ("所读卡片不是此人当前有效的卡（旧卡？）", "the card read is not this person's current card (an old one?)")
        return TableLine(person_id=person_id, name=person.name, masked_id=mask_id(person.document.number),
                         department=entry.department, row=entry.row, walk_in=entry.walk_in, need=need,
                         card_status=str(current.status) if current is not None else "",
                         blocked=blocked, done=day.results.get(person_id))

    @_one_at_a_time
    def record(self, session_id: str, person_id: str, action: Action, reason: str = "",
               photo: Path | None = None) -> Recorded:
        """Record the bank's outcome (``bank_done``: ``card.bank_activate``; ``bank_declined``: an exception
        with ``reason``), a hand-over (``card.deliver``) or an application on the employer's behalf (``apply``:
        ``card.apply`` from the person's recorded data and ``photo``, Art. 9-10), with ``session_id`` in the
        payload. The application's form checks (photo from age 7, ethnic group...) refuse what is missing.

        The same person done twice records nothing and says when it was done. A refusal of the rules (card not
        active, ...) is returned as the message, nothing written.
        """
        day = self._day(session_id, open_only=True)
        if day.entry(person_id) is None:
            raise BulkDayError("名单中没有此人：如需办理请按“现场添加”", "not on the roster: add them as a walk-in")
        done = day.results.get(person_id)
        target = {"bank_done": "activated", "hand_over": "handed_over", "bank_declined": "exception",
                  "apply": "applied"}[action]
        if done is not None and _RANK[done.outcome] >= _RANK[target] and done.outcome != "exception":
            when = _clock_text(done.hlc)
            if done.worker_id and done.worker_id != self._session.vault.worker_id:  # a colleague's laptop
                return Recorded(None, (f"已于{when}由{done.worker_id}办理，本次未重复记录",
                                       f"already done at {when} by {done.worker_id}; nothing recorded"), already=True)
            return Recorded(None, (f"已于{when}办理，本次未重复记录", f"already done at {when}; nothing recorded"), already=True)
        tags = {"session_id": session_id}
        if action == "bank_declined":
            text = " ".join(reason.split())[:100]
            if not text:
                raise BulkDayError("请填写银行未能激活的原因", "give the reason the bank declined")
            vault = self._session.vault
            visit = Visit(person_id=person_id, worker_id=vault.worker_id, day=self._clock.today(),
                          outcome="come_back", notes=f"集中激活未完成：{text}")  # type: ignore[arg-type]
            op = vault.append("visit.log", person_id, {"visit": visit.model_dump(mode="json"), "session_exception": text,
                                                       **tags})
            return Recorded(op.op_id, ("已记录为例外", "recorded as an exception"))
        if action == "apply":
            photo = photo or self._photos.get(person_id)
            values = self._cards.prefill(person_id) | {"photo_path": str(photo) if photo is not None else ""}
            result = self._cards.record(person_id, "card.apply", values, tags=tags)
        elif action == "bank_done":
            result = self._cards.record(person_id, "card.bank_activate",
                                        {"holder_present": True, "document_checked": True}, tags=tags)
        else:
            result = self._cards.record(person_id, "card.deliver",
                                        {"method": "in_person", "document_checked": True}, tags=tags)
        if result.op_id is None:
            if result.refusal is not None:
                return Recorded(None, (result.refusal.zh, result.refusal.en))
            if result.errors:  # a form field the person's record lacks (an application's photo, ethnic group)
                err = result.errors[0]
                label = both(f"form.field.{err.field}")
                return Recorded(None, (f"{label.zh}：{err.message.zh}", f"{label.en}: {err.message.en}"))
            return Recorded(None, ("未能记录", "not recorded"))
        return Recorded(result.op_id, ("已记录", "recorded"))

    # --- progress and close --------------------------------------------------------------------
    def progress(self, session_id: str) -> Progress:
        day = self._day(session_id)
        lines = self._outcomes(day)
        counts = {k: 0 for k in ("activated", "handed_over", "applied", "absent", "exception")}
        for outcome, _reason in lines.values():
            counts[outcome] += 1
        done = counts["activated"] + counts["handed_over"] + counts["applied"]
        per_hour = 0.0
        if day.first_work_ms is not None and done:
            now_ms = int(self._clock.now().timestamp() * 1000)
            hours = max((now_ms - day.first_work_ms) / 3_600_000, 1 / 60)
            per_hour = round(done / hours, 1)
        vault = self._session.vault
        exceptions: list[ExceptionLine] = []
        for person_id, (outcome, reason) in lines.items():
            if outcome != "exception":
                continue
            person = vault.get_person(person_id)
            name = person.name if person else ""
            exceptions.append(ExceptionLine(person_id, mask_name(name),
                                            mask_id(person.document.number if person else ""), reason,
                                            ("改日预约上门或由单位联系人跟进，带身份证件和社保卡到银行网点办理",
                                             "book a home visit or let the employer's host follow up: holder to "
                                             "the bank branch with ID and card")))
        return Progress(roster=len(lines), done=done, exceptions=counts["exception"],
                        remaining=counts["absent"], per_hour=per_hour, counts=counts, exception_list=exceptions)

    def _outcomes(self, day: DayState) -> dict[str, tuple[Outcome, str]]:
        out: dict[str, tuple[Outcome, str]] = {}
        for entry in day.roster.entries if day.roster else ():
            result = day.results.get(entry.person_id)
            out[entry.person_id] = (result.outcome, result.reason) if result is not None else ("absent", "")
        return out

    @_one_at_a_time
    def close(self, session_id: str) -> CloseManifest:
        """The reconciliation and the ``session.close`` operation carrying the manifest (every session
        operation's id and hash this vault holds). roster = activated + handed_over + applied + absent +
        exception, by construction: each roster person has exactly one outcome."""
        day = self._day(session_id, open_only=True)
        if day.roster is None:
            raise BulkDayError("该场次尚无名单，不能结束", "the session has no roster yet; nothing to close")
        lines = tuple(CloseLine(person_id=pid, outcome=o, reason=r) for pid, (o, r) in self._outcomes(day).items())
        manifest = CloseManifest(session_id=session_id, roster_revision=day.roster.revision,
                                 closed_on=self._clock.today(), lines=lines, operations=tuple(day.ops))
        self._session.vault.append("session.close", subject_of(session_id), {"close": manifest.model_dump(mode="json")})
        return manifest

    def report(self, session_id: str) -> CloseReport:
        """The close report's data (masked names and numbers); before closing it shows the day so far."""
        day = self._day(session_id)
        vault = self._session.vault
        outcomes = self._outcomes(day)
        if day.close is not None:
            outcomes = {line.person_id: (line.outcome, line.reason) for line in day.close.lines}
        counts = {k: 0 for k in ("activated", "handed_over", "applied", "absent", "exception")}
        lines: list[ReportLine] = []
        for person_id, (outcome, reason) in outcomes.items():
            counts[outcome] += 1
            person = vault.get_person(person_id)
            entry = day.entry(person_id)
            lines.append(ReportLine(mask_name(person.name if person else ""),
                                    mask_id(person.document.number if person else ""),
                                    entry.department if entry else "", outcome, reason,
                                    entry.walk_in if entry else False))
        lines.sort(key=lambda line: (line.department, line.outcome, line.masked_id))
        return CloseReport(plan=day.plan, counts=counts, roster_size=len(outcomes), lines=lines,
                           operations=len(day.close.operations) if day.close else len(day.ops),
                           closed=day.close is not None)



class _Known:
    """The vault's people and the other open sessions, for the import's checks."""

    def __init__(self, service: BulkDayService, session_id: str) -> None:
        self._service = service
        self._session_id = session_id
        self._elsewhere: dict[str, str] | None = None

    def person_by_document(self, number: str) -> tuple[str, str] | None:
        vault = self._service._session.vault
        for p in vault.find_people(number, limit=5):
            if number.upper() in {p.document.number.upper(), (p.ss_number or "").upper()}:
                return p.person_id, p.name
        return None

    def other_open_session(self, person_id: str) -> str | None:
        if self._elsewhere is None:
            self._elsewhere = {}
            for sid, day in self._service._days.items():
                if sid == self._session_id or not day.open or day.roster is None:
                    continue
                for entry in day.roster.entries:
                    self._elsewhere.setdefault(entry.person_id, day.label)
        return self._elsewhere.get(person_id)


def _person(row: RowPerson) -> Person:
    return Person(name=row.name, gender=row.gender, birth_date=row.birth_date, nationality=row.nationality,
                  document=IdentityDocument(doc_type=row.doc_type, number=row.doc_number),
                  ss_number=row.doc_number if row.doc_type in CITIZEN_DOCS else None, mobile=row.mobile,
                  ethnicity=row.ethnicity, address=row.address)


def _pulled_plan(data: JSONObject | None) -> SessionPlan | None:
    if data is None:
        return None
    try:
        return SessionPlan.model_validate({k: v for k, v in data.items() if k != "roster_revision"})
    except ValidationError:
        return None


#: The center's answers that mean a colleague's operation did the work (a ``duplicate`` was done before).
_DONE_AT_CENTER = ("applied", "applied_with_conflict")


def _pulled(plan: SessionPlan | None, lines: JSONObject | None, work: JSONObject) -> _Pulled:
    """The center's session records as the day's plan, roster, operations and results."""
    roster = None
    if lines is not None:
        try:
            roster = Roster.model_validate({k: v for k, v in lines.items() if k != "session_id"})
        except ValidationError:
            roster = None
    ops: list[tuple[str, str]] = []
    results: dict[str, Result] = {}
    first: int | None = None
    for item in objs(work.get("ops")):
        op_id, op_hash, kind = string(item.get("op_id")), string(item.get("hash")), string(item.get("kind"))
        if not op_id or not op_hash:
            continue
        ops.append((op_id, op_hash))
        person_id, hlc = string(item.get("person_id")), string(item.get("hlc"))
        if not person_id or string(item.get("status")) not in _DONE_AT_CENTER:
            continue
        outcome: Outcome | None = _KIND_OUTCOME.get(kind)
        reason = ""
        if kind == "visit.log" and "reason" in item:
            outcome, reason = "exception", string(item.get("reason"))
        if outcome is None:
            continue
        try:
            wall = parse_hlc(hlc)[0]
        except (ValueError, IndexError):
            continue
        first = wall if first is None else min(first, wall)
        current = results.get(person_id)
        if current is None or _RANK[outcome] > _RANK[current.outcome]:  # the first to do it, by time
            results[person_id] = Result(outcome, hlc, reason, string(item.get("worker_id")))
    return _Pulled(plan=plan, roster=roster, ops=ops, results=results, first_work_ms=first)


def _clock_text(hlc: str) -> str:
    wall = parse_hlc(hlc)[0]
    return dt.datetime.fromtimestamp(wall / 1000).strftime("%H:%M")


__all__ = ["BulkDayError", "BulkDayService", "PlannedRow", "RosterError", "TableCard"]
