"""Employer bulk activation days at the center (issue 13): keep the sessions, count their progress, check the
close manifests, and publish to the employer's hosts only what they may see. Who may push what is decided in
:mod:`sync.center.access`; this module is called by :mod:`sync.center.oplogic` inside its transaction.

A session is the subject ``session:<id>`` (:mod:`outreach.domain.sessions`):

* ``session.plan`` keeps the latest plan. The employer (credit code) is fixed by the first plan: a later plan
  naming another employer is refused, so a session never moves into another employer host's view.
* ``session.roster`` keeps a revision's lines (older revisions stay). The revision must be newer than the
  center's, and every person must be known to the center: a roster is not a way to create people (the worker
  registers a new one with ``person.register``), nor to learn whether someone exists beyond "some are unknown".
* ``session.close`` keeps the manifest and the center's comparison of it with what it holds.
* A card operation naming a session (``payload["session_id"]``) is linked to it with the center's answer,
  whatever that was; progress counts people (never operations), so one activation from two laptops is one.

What an employer host pulls (``changes.owner`` = the employer's credit code, no person and no area, so no
worker or supervisor filter ever matches): ``session`` (the plan), ``session_roster`` (names, identity and
mobile numbers masked as in :mod:`outreach.exports.masking`), ``session_progress`` (counts only) and
``session_close`` (the reconciliation of the people on the roster, masked). No card event, no visit, no
person record.

What the session's operators pull (the workers the latest plan lists, kept in ``session_operators``, and the
supervisors of the employer's area; :func:`access.pull_filter`): those records, and ``session_lines`` (the
current roster unmasked: person, row, department, walk-in), ``session_work`` (every operation the manifest
check counts, from every laptop: op_id, hash, kind, person, the center's answer, worker, device and time, and a
bank refusal's reason), and the ``person`` and ``cards`` of the current roster's people, published again when
they join a roster or an operator joins the plan (as an assignment does), so a pull past its checkpoint gets
them. A listed worker may push the session's card work for those people (:func:`operates`). Every change goes
through :func:`oplogic._change`: under late sequencing it is held back to the push's sequencing step, and the
progress and work list are counted there, under the log lock (:func:`publish_touched`).

The manifest check compares the manifest's (op_id, hash) list with the session's operations at the center
(its plans and rosters, and the linked card operations; closes themselves are not listed):
``missing_at_center`` (listed, not held), ``hash_differs`` (held with another hash), ``not_in_manifest`` (held
from the closing device, not listed) and ``from_other_devices`` (held from other laptops, not listed: a laptop
closes with the work it had). A close agrees when the first three are empty; the session agrees when every
close agrees and the manifests together list everything the center holds.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from outreach.domain.masking import mask_free_text, mask_id_number, mask_mobile, mask_name
from outreach.domain.operation import Operation
from outreach.domain.sessions import (
    SESSION_KINDS,
    SUBJECT_PREFIX,
    CloseManifest,
    Roster,
    SessionPlan,
    credit_code_problem,
    normalise_credit_code,
)
from sync.center import access
from sync.center.store import Device, iso
from sync.errors import InvalidInput
from sync.protocol import OpResult

if TYPE_CHECKING:
    from sync.center.sqlstore import Tx

#: A session id: short, plain characters (it is part of a subject and a change id).
SESSION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")
#: Answers that mean the card work was done (a ``duplicate`` is work another laptop already recorded).
DONE = ("applied", "applied_with_conflict", "duplicate")
#: Card kinds counted in progress, by the outcome they stand for.
OUTCOME_OF = {"card.bank_activate": "activated", "card.deliver": "handed_over", "card.apply": "applied"}
#: Most refused roster rows named in an answer (row numbers only, never a person's data).
MAX_ROWS_NAMED = 10
_CHUNK = 500
_TOUCHED = "sessions_touched"


def enrol_employer(role: str, employer: str | None) -> str | None:
    """The normalised credit code an enrolment code binds, checked: required for an employer host, refused
    for every other role.

    Raises:
        InvalidInput: missing, invalid, or given for another role.
    """
    if role != "employer_host":
        if employer:
            raise InvalidInput("employer for a non-host role", message_zh="只有单位经办人（employer_host）绑定单位，"
                               "未作任何更改", message_en="only an employer host is bound to an employer; "
                               "nothing was changed")
        return None
    if not employer:
        raise InvalidInput("employer missing", message_zh="单位经办人须指定单位的统一社会信用代码（--employer），未作任何更改",
                           message_en="an employer host needs the employer's unified social credit code "
                                      "(--employer); nothing was changed")
    problem = credit_code_problem(employer)
    if problem is not None:
        raise InvalidInput("employer invalid", message_zh=problem[0] + "，未作任何更改",
                           message_en=problem[1] + "; nothing was changed")
    return normalise_credit_code(employer)


def is_session_subject(subject: str) -> bool:
    return subject.startswith(SUBJECT_PREFIX)


def session_of_payload(payload: dict[str, Any]) -> str | None:
    """The session a card operation names, when it names a well-formed one."""
    sid = payload.get("session_id")
    return sid if isinstance(sid, str) and SESSION_ID.fullmatch(sid) else None


def _reject(op_id: str, code: str, zh: str, en: str) -> OpResult:
    return OpResult(op_id=op_id, status="rejected", code=code, message_zh=zh, message_en=en)


def _invalid(op_id: str, what_zh: str, what_en: str) -> OpResult:
    return _reject(op_id, "invalid_session", f"场次数据无效：{what_zh}，操作未生效",
                   f"invalid session data: {what_en}; nothing was changed")


# -- pushing ----------------------------------------------------------------------------------------------
def push(tx: Tx, device: Device, op: Operation, now: dt.datetime) -> tuple[OpResult, bool]:
    """Check and keep one operation on a session subject. Returns the answer and whether the operation reached
    the session (False: refused by access or malformed, it touched nothing and is kept without its body)."""
    sid = op.subject[len(SUBJECT_PREFIX):]
    if not SESSION_ID.fullmatch(sid):
        return _invalid(op.op_id, "场次编号格式不符", "malformed session id"), False
    if op.kind not in SESSION_KINDS:
        return _reject(op.op_id, "kind_not_allowed", "场次上只能提交场次计划、名册和结束操作",
                       "a session takes only its plan, roster and close"), False
    row = tx.rows("SELECT credit_code, plan, roster_revision FROM sessions WHERE session_id = ?", (sid,))
    plan: SessionPlan | None = None
    if op.kind == "session.plan":
        try:
            plan = SessionPlan.model_validate(op.payload.get("session"))
        except (ValidationError, TypeError, ValueError):
            return _invalid(op.op_id, "场次计划", "the session plan"), False
        if plan.session_id != sid:
            return _invalid(op.op_id, "计划的场次编号与操作不符", "the plan names another session"), False
    if row:
        current = SessionPlan.model_validate_json(row[0][1])
        facts = access.SessionFacts(True, str(row[0][0]), tuple(current.workers))
    elif plan is not None:
        facts = access.SessionFacts(False, plan.employer.credit_code, tuple(plan.workers))
    else:  # nobody can be checked against a session without a plan (its id is random: this tells nothing)
        return _reject(op.op_id, "session_unknown", "中心尚无此场次的计划：请先同步场次计划，操作未生效",
                       "the center has no plan for this session yet: sync the plan first; nothing was changed"), False
    refused = access.check_session_push(device, op.kind, facts)
    if refused is not None:
        return refused.model_copy(update={"op_id": op.op_id}), False
    if plan is not None:
        return _keep_plan(tx, op, plan, facts, now), True
    if op.kind == "session.roster":
        return _keep_roster(tx, op, sid, str(row[0][0]), int(row[0][2]), now), True
    return _keep_close(tx, device, op, sid, str(row[0][0]), now), True


def _keep_plan(tx: Tx, op: Operation, plan: SessionPlan, facts: access.SessionFacts, now: dt.datetime) -> OpResult:
    sid, code = plan.session_id, plan.employer.credit_code
    if facts.exists and facts.credit_code != code:
        return _reject(op.op_id, "session_employer_changed", "场次的单位不能更改（请另建场次），操作未生效",
                       "a session's employer cannot change (plan another session); nothing was changed")
    data = plan.model_dump_json()
    if facts.exists:
        tx.write("UPDATE sessions SET plan = ?, plan_op = ?, updated_at = ? WHERE session_id = ?",
             (data, op.op_id, iso(now), sid))
    else:
        tx.write("INSERT INTO sessions (session_id, credit_code, plan, plan_op, updated_at) VALUES (?, ?, ?, ?, ?)",
             (sid, code, data, op.op_id, iso(now)))
    tx.write("DELETE FROM session_operators WHERE session_id = ?", (sid,))
    tx.many("INSERT INTO session_operators (session_id, worker_id) VALUES (?, ?)",
            [(sid, w) for w in sorted(set(plan.workers))])
    _publish_plan(tx, sid, code)
    if facts.exists and set(plan.workers) - set(facts.workers):
        # a newly listed operator's checkpoint may lie past the session's rows and its people: publish them again
        people = sorted(_roster_people(tx, sid))
        _publish_lines(tx, sid, code)
        _republish_people(tx, people)
    touch(tx, sid)
    return OpResult(op_id=op.op_id, status="applied")


def _keep_roster(tx: Tx, op: Operation, sid: str, code: str, revision: int, now: dt.datetime) -> OpResult:
    try:
        roster = Roster.model_validate(op.payload.get("roster"))
    except (ValidationError, TypeError, ValueError):
        return _invalid(op.op_id, "名册", "the roster")
    if roster.revision <= revision:
        return _reject(op.op_id, "roster_stale",
                       f"名册版本 {roster.revision} 不新于中心已有的版本 {revision}，请以新版本重新导入，操作未生效",
                       f"roster revision {roster.revision} is not newer than the center's {revision}: import it "
                       "again as a newer revision; nothing was changed")
    seen: set[str] = set()
    doubled = []
    for e in roster.entries:
        if e.person_id in seen:
            doubled.append(e.row)
        seen.add(e.person_id)
    if doubled:
        return _reject(op.op_id, "roster_duplicate", f"名册中有重复人员（第 {_rows(doubled)} 行），操作未生效",
                       f"the roster names someone twice (rows {_rows(doubled)}); nothing was changed")
    people = _people(tx, sorted(seen))
    unknown = [e.row for e in roster.entries if e.person_id not in people]
    if unknown:
        return _reject(op.op_id, "roster_unknown_people",
                       f"名册中有 {len(unknown)} 人中心尚无记录（第 {_rows(unknown)} 行）：请先登记这些人员再上传名册，"
                       "操作未生效",
                       f"{len(unknown)} people on the roster are not known to the center (rows {_rows(unknown)}): "
                       "register them first, then upload the roster; nothing was changed")
    before = _roster_people(tx, sid)
    for e in roster.entries:
        tx.write("INSERT INTO session_roster (session_id, revision, person_id, row_no, department, walk_in) "
             "VALUES (?, ?, ?, ?, ?, ?)", (sid, roster.revision, e.person_id, e.row, e.department, int(e.walk_in)))
    tx.write("UPDATE sessions SET roster_revision = ?, roster_op = ?, updated_at = ? WHERE session_id = ?",
         (roster.revision, op.op_id, iso(now), sid))
    lines = [{"person_id": e.person_id, "row": e.row, "department": mask_free_text(e.department),
              "walk_in": e.walk_in, **_masked(people[e.person_id])} for e in roster.entries]
    _change(tx, "session_roster", sid, roster.revision,
            {"session_id": sid, "revision": roster.revision, "lines": lines}, code)
    _change(tx, "session_lines", sid, roster.revision, {"session_id": sid, **roster.model_dump(mode="json")}, code)
    # the people new on the roster, for the operators' laptops (their checkpoints lie past these people's rows)
    _republish_people(tx, sorted(seen - before))
    touch(tx, sid)
    return OpResult(op_id=op.op_id, status="applied")


def _keep_close(tx: Tx, device: Device, op: Operation, sid: str, code: str, now: dt.datetime) -> OpResult:
    try:
        manifest = CloseManifest.model_validate(op.payload.get("close"))
    except (ValidationError, TypeError, ValueError):
        return _invalid(op.op_id, "结束清单", "the close manifest")
    if manifest.session_id != sid:
        return _invalid(op.op_id, "清单的场次编号与操作不符", "the manifest names another session")
    check = compare(tx, sid, device.device_id, manifest.operations)
    tx.write("INSERT INTO session_closes (op_id, session_id, device_id, manifest, check_result, received_at) "
         "VALUES (?, ?, ?, ?, ?, ?)", (op.op_id, sid, device.device_id, manifest.model_dump_json(),
                                       json.dumps(check), iso(now)))
    roster = _roster_people(tx, sid)
    people = _people(tx, sorted(roster))
    lines = [{"person_id": ln.person_id, "outcome": ln.outcome, "reason": mask_free_text(ln.reason),
              **_masked(people[ln.person_id])} for ln in manifest.lines if ln.person_id in people]
    follow_ups = _plan_follow_ups(tx, device, sid, manifest, people, now)
    data = {"session_id": sid, "closed_on": manifest.closed_on.isoformat(), "roster_revision": manifest.roster_revision,
            "counts": manifest.counts(), "lines": lines, "not_on_roster": len(manifest.lines) - len(lines),
            "manifest_agrees": check["agree"], "follow_ups": follow_ups}
    _change(tx, "session_close", sid, _next_version(tx, "session_close", sid), data, code)
    if check["agree"]:
        return OpResult(op_id=op.op_id, status="applied", code="manifest_agrees",
                        message_zh=f"结束清单与中心一致（{check['listed']} 项操作）",
                        message_en=f"the close manifest agrees with the center ({check['listed']} operations)")
    return OpResult(op_id=op.op_id, status="applied", code="manifest_differs",
                    message_zh=f"结束清单与中心不一致：中心缺少 {len(check['missing_at_center'])} 项，哈希不符 "
                               f"{len(check['hash_differs'])} 项，清单未列 {len(check['not_in_manifest'])} 项",
                    message_en=f"the close manifest differs from the center: {len(check['missing_at_center'])} "
                               f"missing at the center, {len(check['hash_differs'])} with another hash, "
                               f"{len(check['not_in_manifest'])} not listed")


def _plan_follow_ups(tx: Tx, device: Device, sid: str, manifest: CloseManifest,
                     people: dict[str, dict[str, Any]], now: dt.datetime) -> int:
    """The roster people the session did not serve (absent, or an exception, as the center counts them from
    every laptop's work) become planned visits of the closing worker, the day after the close: the visit plan
    a supervisor's ``center assign`` makes (an assignment and a ``visit_plan`` change), one per person and
    session, so a second laptop's close plans nobody twice. Returns how many were planned."""
    from sync.center import oplogic  # oplogic calls this module: imported when first used

    done = (*OUTCOME_OF, *DONE)
    served = {str(r[0]) for r in tx.rows(f"SELECT DISTINCT person_id FROM session_ops WHERE session_id = ? AND "
                                      f"{_done('')}", (sid, *done))}
    reasons = {str(r[0]): str(r[1]) for r in tx.rows(
        "SELECT s.person_id, o.body FROM session_ops s JOIN operations o ON o.op_id = s.op_id WHERE "
        "s.session_id = ? AND s.kind = 'visit.log' AND s.status = 'applied'", (sid,))}
    day = (manifest.closed_on + dt.timedelta(days=1)).isoformat()
    planned = 0
    for pid in sorted(set(people) - served):
        plan_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"outreach-session-follow-up:{sid}/{pid}"))
        if tx.rows("SELECT 1 FROM changes WHERE type = 'visit_plan' AND id = ?", (plan_id,)):
            continue
        why = json.loads(reasons[pid]).get("payload", {}).get("session_exception") if pid in reasons else None
        notes = f"集中激活未完成：{why}" if isinstance(why, str) else "集中激活当日未到场"
        tx.write("INSERT INTO assignments (worker_id, person_id, assigned_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
             (device.worker_id, pid, iso(now)))
        visit = {"visit_id": plan_id, "person_id": pid, "worker_id": device.worker_id, "day": day, "planned": True,
                 "present": [], "notes": notes[:200], "op_ids": []}
        oplogic._change(tx, "visit_plan", plan_id, 1, visit, pid, device.worker_id, people[pid].get("area_code"))
        planned += 1
    return planned


def is_exception(op: Operation) -> bool:
    """A bank's refusal at the table: a ``visit.log`` naming the session, with the reason in
    ``session_exception`` (outreach/services/bulkdays.py). It counts as an exception, never as done."""
    return op.kind == "visit.log" and isinstance(op.payload.get("session_exception"), str)


def link(tx: Tx, op: Operation, result: OpResult) -> None:
    """Link a recorded card operation (or a bank's refusal, :func:`is_exception`) naming a session to it, with the center's answer (its progress is
    republished by :func:`publish_touched` before the transaction commits)."""
    if not (op.kind.startswith("card.") or is_exception(op)):
        return
    sid = session_of_payload(op.payload)
    if sid is None:
        return
    tx.write("INSERT INTO session_ops (session_id, op_id, person_id, kind, status) VALUES (?, ?, ?, ?, ?) "
         "ON CONFLICT DO NOTHING", (sid, op.op_id, op.subject, op.kind, result.status))
    touch(tx, sid)  # progress and work list: publish_touched, at the end of the transaction


# -- what hosts pull ------------------------------------------------------------------------------------------
def _change(tx: Tx, kind: str, sid: str, version: int, data: dict[str, Any], code: str) -> None:
    """Publish a session row through the center's one publishing step (oplogic._change: held back to the push's
    sequencing step under late sequencing, else written under the log lock); owner: the employer."""
    from sync.center import oplogic  # oplogic calls this module: imported when first used

    oplogic._change(tx, kind, sid, version, data, SUBJECT_PREFIX + sid, code, None)


def _next_version(tx: Tx, kind: str, sid: str) -> int:
    pending = tx.cache.get("pending")  # oplogic.Pending: a change of this transaction not sequenced yet
    held = pending.changes.get((kind, sid)) if pending is not None else None
    if held is not None:
        return int(held[2]) + 1
    rows = tx.rows("SELECT version FROM changes WHERE type = ? AND id = ?", (kind, sid))
    return int(rows[0][0]) + 1 if rows else 1


def _publish_plan(tx: Tx, sid: str, code: str) -> None:
    row = tx.rows("SELECT plan, roster_revision FROM sessions WHERE session_id = ?", (sid,))
    plan = json.loads(row[0][0])
    _change(tx, "session", sid, _next_version(tx, "session", sid), {**plan, "roster_revision": int(row[0][1])}, code)


def progress(tx: Tx, sid: str) -> dict[str, Any] | None:
    """Counts of people (never of operations): roster, activated, handed over, applied, done (any of the
    three), remaining (roster people not done) and exceptions (people whose session operations were refused
    and who are not done, or whose bank refused at the table, :func:`is_exception`). None for an unknown session. Counted in SQL over indexed rows of one session."""
    row = tx.rows("SELECT roster_revision FROM sessions WHERE session_id = ?", (sid,))
    if not row:
        return None
    revision = int(row[0][0])
    done = (*OUTCOME_OF, *DONE)  # the parameters of every _done() condition
    per_kind = dict(tx.rows(f"SELECT kind, COUNT(DISTINCT person_id) FROM session_ops WHERE session_id = ? AND "
                         f"{_done('')} GROUP BY kind", (sid, *done)))
    done_people = tx.rows(f"SELECT COUNT(DISTINCT person_id) FROM session_ops WHERE session_id = ? AND {_done('')}",
                       (sid, *done))[0][0]
    roster = tx.rows("SELECT COUNT(*) FROM session_roster WHERE session_id = ? AND revision = ?", (sid, revision))[0][0]
    done_on_roster = tx.rows(
        "SELECT COUNT(*) FROM session_roster r WHERE r.session_id = ? AND r.revision = ? AND EXISTS (SELECT 1 FROM "
        f"session_ops o WHERE o.session_id = r.session_id AND o.person_id = r.person_id AND {_done('o.')})",
        (sid, revision, *done))[0][0]
    exceptions = tx.rows(
        "SELECT COUNT(DISTINCT o.person_id) FROM session_ops o WHERE o.session_id = ? AND (o.status = 'rejected' OR "
        "(o.kind = 'visit.log' AND o.status = 'applied')) AND "
        "NOT EXISTS (SELECT 1 FROM session_ops d WHERE d.session_id = o.session_id AND d.person_id = o.person_id "
        f"AND {_done('d.')})", (sid, *done))[0][0]
    out: dict[str, Any] = {"session_id": sid, "roster": int(roster), "roster_revision": revision}
    for kind, outcome in OUTCOME_OF.items():
        out[outcome] = int(per_kind.get(kind, 0))
    out.update(done=int(done_people), remaining=int(roster) - int(done_on_roster), exceptions=int(exceptions))
    return out


def _done(alias: str) -> str:
    """SQL: a session operation that did the work (parameters: the kinds of OUTCOME_OF, then DONE)."""
    kinds, statuses = ", ".join("?" * len(OUTCOME_OF)), ", ".join("?" * len(DONE))
    return f"{alias}kind IN ({kinds}) AND {alias}status IN ({statuses})"


def publish_progress(tx: Tx, sid: str) -> None:
    row = tx.rows("SELECT credit_code FROM sessions WHERE session_id = ?", (sid,))
    counts = progress(tx, sid)
    if row and counts is not None:
        _change(tx, "session_progress", sid, _next_version(tx, "session_progress", sid), counts, str(row[0][0]))


def touch(tx: Tx, sid: str) -> None:
    """Mark the session's progress and work list for :func:`publish_touched` at the end of the transaction."""
    tx.cache.setdefault(_TOUCHED, set()).add(sid)


def publish_touched(tx: Tx) -> None:
    """Republish the progress and the work list of the sessions the transaction touched: once per transaction
    (a push of 100 activations counts once, not 100 times). Counted under the log lock, which every writer of
    session work holds to commit, so the counts include every committed push (under late sequencing this runs
    in oplogic.sequence, after the decisions)."""
    touched = sorted(tx.cache.pop(_TOUCHED, set()))
    if not touched:
        return
    tx.lock("log")
    for sid in touched:
        publish_progress(tx, sid)
        publish_work(tx, sid)


def _publish_lines(tx: Tx, sid: str, code: str) -> None:
    """The current roster, unmasked, for the session's operators (from the lines the center keeps)."""
    revision = tx.rows("SELECT roster_revision FROM sessions WHERE session_id = ?", (sid,))
    if not revision or not int(revision[0][0]):
        return
    rev = int(revision[0][0])
    entries = [{"person_id": str(r[0]), "row": int(r[1]), "department": str(r[2]), "walk_in": bool(r[3])}
               for r in tx.rows("SELECT person_id, row_no, department, walk_in FROM session_roster WHERE session_id = ? "
                             "AND revision = ? ORDER BY row_no, person_id", (sid, rev))]
    _change(tx, "session_lines", sid, _next_version(tx, "session_lines", sid),
            {"session_id": sid, "revision": rev, "source_sha256": "", "entries": entries}, code)


def _republish_people(tx: Tx, person_ids: list[str]) -> None:
    """Publish the people's records and cards again (as :func:`oplogic.assign` does), so that operators who
    now may read them pull them past their checkpoints."""
    from sync.center import oplogic  # oplogic calls this module: imported when first used

    for i in range(0, len(person_ids), _CHUNK):
        part = person_ids[i:i + _CHUNK]
        marks = ", ".join("?" * len(part))
        for subject, version, area, person, cards in tx.rows(
                f"SELECT subject, version, area_code, person, cards FROM subjects WHERE person IS NOT NULL AND "
                f"subject IN ({marks})", tuple(part)):
            oplogic._change(tx, "person", str(subject), int(version), json.loads(person), str(subject), None, area)
            if cards:
                oplogic._change(tx, "cards", str(subject), int(version), json.loads(cards), str(subject), None, area)


def publish_work(tx: Tx, sid: str) -> None:
    """The session's operations the center holds (the plans, rosters and the work naming it, as in the manifest
    check), for its operators: each with its hash, kind, person, answer, worker and time, so that a laptop
    shows what colleagues did and its close manifest lists every operation of the session."""
    row = tx.rows("SELECT credit_code FROM sessions WHERE session_id = ?", (sid,))
    if not row:
        return
    cols = "o.op_id, o.hash, o.kind, o.device_id, o.worker_id, o.hlc, o.body"
    own = tx.rows(f"SELECT {cols}, o.status, NULL FROM operations o WHERE o.subject = ? AND o.kind IN (?, ?)",
               (SUBJECT_PREFIX + sid, "session.plan", "session.roster"))
    work = tx.rows(f"SELECT {cols}, s.status, s.person_id FROM session_ops s JOIN operations o ON o.op_id = s.op_id "
                "WHERE s.session_id = ?", (sid,))
    ops = []
    for op_id, op_hash, kind, device_id, worker_id, hlc, body, status, person_id in sorted(
            [*own, *work], key=lambda r: (str(r[5]), str(r[0]))):
        item: dict[str, Any] = {"op_id": op_id, "hash": op_hash, "kind": kind, "device_id": device_id,
                                "worker_id": worker_id, "hlc": hlc, "status": status}
        if person_id is not None:
            item["person_id"] = person_id
        if kind == "visit.log" and body:
            reason = json.loads(body).get("payload", {}).get("session_exception")
            if isinstance(reason, str):
                item["reason"] = reason
        ops.append(item)
    _change(tx, "session_work", sid, _next_version(tx, "session_work", sid), {"session_id": sid, "ops": ops},
            str(row[0][0]))


def operates(tx: Tx, device: Device, op: Operation) -> bool:
    """True when ``op`` names a session whose plan lists the device's worker and whose current roster lists
    the operation's subject: the operator may read and do the session's work for that person."""
    sid = session_of_payload(op.payload)
    if sid is None or device.role not in ("worker", "supervisor"):
        return False
    return bool(tx.rows("SELECT 1 FROM session_operators o JOIN sessions s ON s.session_id = o.session_id JOIN "
                     "session_roster r ON r.session_id = s.session_id AND r.revision = s.roster_revision "
                     "WHERE o.session_id = ? AND o.worker_id = ? AND r.person_id = ?",
                     (sid, device.worker_id, op.subject)))


def _roster_people(tx: Tx, sid: str) -> set[str]:
    return {str(r[0]) for r in tx.rows(
        "SELECT r.person_id FROM session_roster r JOIN sessions s ON s.session_id = r.session_id "
        "AND s.roster_revision = r.revision WHERE r.session_id = ?", (sid,))}


def _people(tx: Tx, person_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The center's person records of ``person_ids`` that it holds."""
    out: dict[str, dict[str, Any]] = {}
    for i in range(0, len(person_ids), _CHUNK):
        part = person_ids[i:i + _CHUNK]
        marks = ", ".join("?" * len(part))
        for subject, person in tx.rows(f"SELECT subject, person FROM subjects WHERE person IS NOT NULL AND subject IN "
                                    f"({marks})", tuple(part)):
            out[str(subject)] = json.loads(person)
    return out


def _masked(person: dict[str, Any]) -> dict[str, Any]:
    """What a host is shown of a person: the name masked as in exports, identity and mobile numbers masked."""
    doc = person.get("document") or {}
    return {"name": mask_name(person.get("name")), "doc_type": doc.get("doc_type"),
            "doc_number": mask_id_number(doc.get("number")), "mobile": mask_mobile(person.get("mobile"))}


def _rows(rows: list[int]) -> str:
    named = ", ".join(str(r) for r in rows[:MAX_ROWS_NAMED])
    return named + (" …" if len(rows) > MAX_ROWS_NAMED else "")


# -- the manifest check ---------------------------------------------------------------------------------------
def _held(tx: Tx, sid: str) -> dict[str, tuple[str, str]]:
    """The session's operations the center holds: op_id -> (hash, device_id). Closes are not listed."""
    rows = tx.rows("SELECT op_id, hash, device_id FROM operations WHERE subject = ? AND kind IN (?, ?)",
                (SUBJECT_PREFIX + sid, "session.plan", "session.roster"))
    rows += tx.rows("SELECT o.op_id, o.hash, o.device_id FROM session_ops s JOIN operations o ON o.op_id = s.op_id "
                 "WHERE s.session_id = ?", (sid,))
    return {str(r[0]): (str(r[1]), str(r[2])) for r in rows}


def compare(tx: Tx, sid: str, device_id: str, listed: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    """Compare a close manifest's (op_id, hash) list with what the center holds for the session."""
    held = _held(tx, sid)
    mine = dict(listed)
    missing = sorted(o for o in mine if o not in held)
    differs = sorted(o for o, h in mine.items() if o in held and held[o][0] != h)
    own = sorted(o for o, (_, dev) in held.items() if o not in mine and dev == device_id)
    others = sorted(o for o, (_, dev) in held.items() if o not in mine and dev != device_id)
    return {"device_id": device_id, "listed": len(mine), "held": len(held), "missing_at_center": missing,
            "hash_differs": differs, "not_in_manifest": own, "from_other_devices": others,
            "agree": not (missing or differs or own)}


def check_report(tx: Tx, sid: str) -> dict[str, Any] | None:
    """Every close of the session compared again with what the center holds now (operations may have arrived
    since), the comparison made when each close arrived, and whether the manifests together agree."""
    if not tx.rows("SELECT 1 FROM sessions WHERE session_id = ?", (sid,)):
        return None
    closes = []
    union: dict[str, str] = {}
    for op_id, device_id, manifest, at_close, received in tx.rows(
            "SELECT op_id, device_id, manifest, check_result, received_at FROM session_closes WHERE session_id = ? "
            "ORDER BY received_at, op_id", (sid,)):
        listed = CloseManifest.model_validate_json(manifest).operations
        union.update(dict(listed))
        closes.append({"op_id": op_id, "received_at": received, "now": compare(tx, sid, str(device_id), listed),
                       "at_close": json.loads(at_close)})
    held = _held(tx, sid)
    unlisted = sorted(o for o in held if o not in union)
    return {"session_id": sid, "held": len(held), "closes": closes, "not_in_any_manifest": unlisted,
            "progress": progress(tx, sid),
            "agree": bool(closes) and not unlisted and all(c["now"]["agree"] for c in closes)}


def closes_page(tx: Tx, after: int, upto: int, limit: int) -> list[tuple[Any, ...]]:
    """Up to ``limit`` session closes whose operation's log position is in ``(after, upto]``, in log order:
    ``(log_index, session_id, device_id, manifest, check_result, credit_code)`` (the center's exports)."""
    return tx.rows("SELECT o.log_index, c.session_id, c.device_id, c.manifest, c.check_result, s.credit_code "
                   "FROM session_closes c JOIN operations o ON o.op_id = c.op_id "
                   "JOIN sessions s ON s.session_id = c.session_id "
                   "WHERE o.log_index > ? AND o.log_index <= ? ORDER BY o.log_index LIMIT ?", (after, upto, limit))
