"""Who may see and change what at the center (Art. 40: within their duties; Art. 41: no leaking): the one place.

Every pushed operation and every pull goes through these pure functions; the store only gathers the few
facts they need (:class:`Facts`) and obeys the answer.

Roles
-----
``worker``
    Sees and changes only **the people assigned to them** (their visit plan, ``center assign``) and the
    people they registered themselves: a ``person.register`` for someone the center does not know yet is
    allowed when the person lives in the worker's area (any area for a worker enrolled without one), and once
    applied puts that person on the worker's plan. A person who exists at the center and is not on the plan is
    refused, even in the worker's own area: a county holds tens of thousands of people, a laptop can be lost,
    and a plan is what a worker's duty is (Art. 40). Pulls: their plan's people, cards and visits.
``employer_host``
    HR staff hosting an employer bulk activation day (Art. 15 para. 2; Art. 9 and 12), bound at enrolment to
    **one employer** by its 统一社会信用代码 (``center enrol --role employer_host --employer <code>``). They may
    push ``session.roster`` (their staff list) for sessions of their own employer only, and nothing else: no
    ``session.plan`` or ``session.close``, no ``person.*``, ``card.*``, ``visit.*`` or ``audit.reveal``. They
    pull only their own employer's sessions: the plan, the roster with identity and mobile numbers masked,
    the progress counts and the close report (masked). Never a person record, a card event or a visit.
``supervisor``
    Reads everyone in their area (area code prefix; a person who moves takes their cards and visits to the
    new area, ``oplogic._follow_area``) and anyone assigned to them; writes only what a
    supervisor does: ``visit.log`` and ``audit.reveal`` on people they may read, ``audit.export`` (the record
    of a full, unmasked export, issue 14) on its own subject ``export:<id>``, the sessions below, and
    ``conflict.resolve`` of their own operations. No ``person.*`` and no ``card.*`` operation. A worker or an
    employer host never records an export (a worker cannot export), and no other kind goes on an export's
    subject.
    Pulls also the **device roster** of their area (the worker and supervisor devices enrolled in it:
    :mod:`sync.center.device_roster`); no other role pulls any device.

Sessions (``session.plan`` / ``session.roster`` / ``session.close`` on subject ``session:<id>``, see
:mod:`sync.center.sessions`): a worker or supervisor may push them when listed in the plan's ``workers`` (the
center's plan; for a session the center does not know yet, the pushed plan) or when the employer's
administrative division (positions 3-8 of its credit code) is in their area. Operators sharing a day: a worker
or supervisor listed in the center's plan (and a supervisor whose area holds the employer's division) pulls
the session's records (plan, roster lines unmasked, progress, close report, and the work list of every
laptop's session operations) and the people and cards of its current roster; a listed worker may push the
session's card work (``payload["session_id"]``) for the people on its current roster (:attr:`Facts.on_session`).
A worker not listed gets none of it. Employer hosts pull their own employer's masked records only. A roster
naming a person the center does not know is refused.

Checking a person's receipt (``POST /v1/receipt``: operation ids, kinds, hashes and the center's decisions by
id prefix, never a payload or a person) is for workers and supervisors, who hand receipts out and answer for
them; an employer host, who hands out none, may not (:func:`may_check_receipts`).

Every role may push ``conflict.resolve`` for an operation *this device* pushed (whatever its subject), so a
refused operation can always be closed on the laptop and at the center.

An operation outside the device's rights is answered ``rejected`` with code ``not_permitted``; it is recorded
(the device's chain moves on, the Merkle log keeps it) but touches nothing of the subject, publishes nothing,
and its answer carries no center state. Being refused never makes a person visible: visibility comes from
assignment, area and being listed in a session's plan (its current roster's people) only, never from
having pushed something (one exception, :mod:`sync.center.person_keys`: a registration refused
``duplicate_person`` puts the registered person, if in the worker's area, on their plan).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sync.center.store import Device
from sync.protocol import OpResult

#: Kinds a supervisor may push on a person (besides conflict.resolve of their own operations).
SUPERVISOR_KINDS = frozenset({"visit.log", "audit.reveal"})
#: The subject of a full export's audit record (``audit.export``), which a supervisor alone pushes.
EXPORT_PREFIX = "export:"
#: Kinds an employer host may push today (besides conflict.resolve of their own operations).
EMPLOYER_HOST_KINDS: frozenset[str] = frozenset()
#: Area codes are administrative division codes (digits, e.g. 460100) or their prefixes.
AREA_RE = re.compile(r"^[0-9]{1,12}$")

NOT_PERMITTED = "not_permitted"
#: Change types carrying a session (``changes.owner`` is the employer's credit code): employer hosts only.
SESSION_CHANGE_TYPES = ("session", "session_roster", "session_progress", "session_close")
#: Change types carrying a session for its operators only (unmasked roster lines; the work of every laptop).
OPERATOR_CHANGE_TYPES = ("session_lines", "session_work")


@dataclass(frozen=True)
class Facts:
    """What the center knows about an operation's subject, as far as access is concerned."""

    exists: bool  # the center holds a person record for the subject
    area_code: str | None  # the subject's area at the center
    assigned: bool  # the subject is on the pushing worker's plan
    resolves_own: bool = False  # conflict.resolve naming an operation this device pushed
    export: bool = False  # the subject is a full export's (``export:<id>``), not a person
    on_session: bool = False  # names a session the worker operates, whose current roster lists the subject


@dataclass(frozen=True)
class SessionFacts:
    """What the center knows about a session, as far as access is concerned."""

    exists: bool  # the center holds a plan for the session
    credit_code: str | None  # the employer (the center's plan; for a first plan, the pushed one)
    workers: tuple[str, ...] = ()  # operating workers (the center's plan; for a first plan, the pushed one)


def valid_area(code: str | None) -> bool:
    """True for an area code usable as a prefix (digits only: no LIKE wildcard can widen it)."""
    return code is None or bool(AREA_RE.match(code))


def in_area(device_area: str | None, area: str | None) -> bool:
    return bool(device_area) and area is not None and area.startswith(str(device_area))


def may_read(device: Device, facts: Facts) -> bool:
    """May ``device`` see the subject's center state (pull, or the state in a push answer)?"""
    if device.role == "worker":
        return facts.assigned or facts.on_session
    if device.role == "supervisor":
        return facts.assigned or facts.on_session or in_area(device.area_code, facts.area_code)
    return False


def check_push(device: Device, kind: str, payload: dict[str, Any], facts: Facts) -> OpResult | None:
    """None when ``device`` may push an operation of ``kind`` on a subject with ``facts``; else the refusal
    (``op_id`` left empty for the caller to fill)."""
    if kind == "conflict.resolve":
        return None if facts.resolves_own else _refused()
    if kind == "audit.export" or facts.export:  # the record of a full export, on its own subject only
        return None if device.role == "supervisor" and kind == "audit.export" and facts.export \
            else _refused_kind()
    if device.role == "worker":
        if facts.assigned or (facts.on_session and kind.startswith("card.")) or (
                facts.on_session and kind == "visit.log" and "session_exception" in payload):
            return None
        if kind == "person.register" and not facts.exists:
            person = payload.get("person")
            area = person.get("area_code") if isinstance(person, dict) else None
            if device.area_code is None or (isinstance(area, str) and in_area(device.area_code, area)):
                return None
        return _refused()
    if device.role == "supervisor":
        if kind not in SUPERVISOR_KINDS:
            return _refused_kind()
        return None if may_read(device, facts) else _refused()
    if kind not in EMPLOYER_HOST_KINDS:
        return _refused_kind()
    return _refused()


def check_session_push(device: Device, kind: str, facts: SessionFacts) -> OpResult | None:
    """None when ``device`` may push a session operation of ``kind``; else the refusal (``op_id`` empty)."""
    if device.role == "employer_host":
        if kind != "session.roster":
            return _refused_kind()
        own = facts.exists and device.employer is not None and device.employer == facts.credit_code
        return None if own else _refused_session()
    if device.role not in ("worker", "supervisor"):
        return _refused_kind()
    division = facts.credit_code[2:8] if facts.credit_code else None
    if device.worker_id in facts.workers or in_area(device.area_code, division):
        return None
    return _refused_session()


def may_check_receipts(device: Device) -> bool:
    """True when ``device`` may ask the center about a receipt (workers and supervisors)."""
    return device.role in ("worker", "supervisor")


def claims(device: Device, kind: str, facts: Facts) -> bool:
    """True when an applied operation puts its subject on the worker's plan (a person they registered)."""
    return device.role == "worker" and kind == "person.register" and not facts.assigned


def pull_filter(device: Device) -> tuple[str, tuple[Any, ...]]:
    """SQL condition over ``changes`` (columns type, owner, person_id, area_code) for what ``device`` may pull,
    and its parameters. Never a ``LIKE``: an area prefix is compared with ``substr``."""
    session_types = ", ".join("?" * len(SESSION_CHANGE_TYPES))
    if device.role == "employer_host":
        if not device.employer:
            return "1 = 0", ()
        return f"type IN ({session_types}) AND owner = ?", (*SESSION_CHANGE_TYPES, device.employer)
    # a device roster row (sync/center/device_roster.py) carries an area and no person: supervisors only
    cond = ("(type = 'visit_plan' AND owner = ?) OR (type NOT IN ('visit_plan', 'device') AND person_id IN "
            "(SELECT person_id FROM assignments WHERE worker_id = ?))")
    params: tuple[Any, ...] = (device.worker_id, device.worker_id)
    # the sessions this worker operates (listed in the plan); a supervisor also those of employers in the area
    operated = "SELECT session_id FROM session_operators WHERE worker_id = ?"
    operated_params: tuple[Any, ...] = (device.worker_id,)
    if device.role == "supervisor" and device.area_code and valid_area(device.area_code):
        cond += " OR (type <> 'visit_plan' AND substr(area_code, 1, length(?)) = ?)"
        params += (device.area_code, device.area_code)
        operated += (" UNION SELECT session_id FROM sessions WHERE length(?) <= 6 AND "
                     "substr(credit_code, 3, length(?)) = ?")
        operated_params += (device.area_code,) * 3
    every = (*SESSION_CHANGE_TYPES, *OPERATOR_CHANGE_TYPES)
    every_marks = ", ".join("?" * len(every))
    roster_people = ("SELECT r.person_id FROM session_roster r JOIN sessions s ON s.session_id = r.session_id "
                     f"AND s.roster_revision = r.revision WHERE r.session_id IN ({operated})")
    # session changes have no person and no area, so the first conditions never match them; said once more
    return (f"(({cond}) AND type NOT IN ({every_marks})) OR (type IN ({every_marks}) AND id IN ({operated})) "
            f"OR (type IN ('person', 'cards') AND person_id IN ({roster_people}))",
            (*params, *every, *every, *operated_params, *operated_params))


def _refused() -> OpResult:
    return OpResult(op_id="", status="rejected", code=NOT_PERMITTED,
                    message_zh="无权处理此人员（不在您的走访计划或辖区内），操作未生效；如需处理请联系主管分配",
                    message_en="you may not act on this person (not on your plan or in your area); nothing was "
                               "changed: ask your supervisor to assign them")


def _refused_session() -> OpResult:
    return OpResult(op_id="", status="rejected", code=NOT_PERMITTED,
                    message_zh="无权处理此场次（不是该场次的操作人员，单位也不在您的辖区或不是您的单位），操作未生效",
                    message_en="you may not act on this session (not one of its workers, and the employer is "
                               "not in your area or not yours); nothing was changed")


def _refused_kind() -> OpResult:
    return OpResult(op_id="", status="rejected", code=NOT_PERMITTED,
                    message_zh="您的角色不能提交此类操作，操作未生效",
                    message_en="your role may not submit this kind of operation; nothing was changed")
