"""What the center does inside one transaction: check, decide and record one operation (or load, assign).

Called by :class:`sync.center.sqlstore.SqlStore` with a transaction handle; never commits by itself.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from outreach.domain.operation import KINDS, Operation, canonical_json, hash_ok, signature_ok
from outreach.domain.sessions import SESSION_KINDS
from sync import merkle
from sync.center import access, merkle_log, person_keys, rules, sessions
from sync.center.store import Device, iso
from sync.center.tables import assignments, changes, devices, operations, subjects
from sync.errors import InvalidInput
from sync.protocol import OpResult, PushStatus, TheirOp

if TYPE_CHECKING:
    from sync.center.sqlstore import Tx

CENTER_DEVICE = "center"


def _reject(op_id: str, code: str, zh: str, en: str, **extra: Any) -> OpResult:
    return OpResult(op_id=op_id, status="rejected", code=code, message_zh=zh, message_en=en, **extra)


def _subject(tx: Tx, subject: str) -> tuple[int, str | None, dict[str, Any] | None, dict[str, Any] | None]:
    # The row lock (PostgreSQL) orders a push after or before a load of the same person, which holds the
    # log lock only, now that a push takes the log lock last (see sequence()).
    return subjects.read_for_update(tx, subject)


def _save_subject(tx: Tx, subject: str, version: int, area: str | None, person: dict[str, Any] | None,
                  cards: dict[str, Any] | None) -> None:
    subjects.save(tx, subject, version, area, person, cards)


def _change(tx: Tx, kind: str, cid: str, version: int, data: dict[str, Any], person_id: str,
            owner: str | None, area: str | None, origin: str | None = None) -> None:
    """Publish a row's new state. ``origin``: the device whose operation made exactly this state (it holds
    it already, so its pull skips the row until anything else changes it)."""
    row = (kind, cid, version, json.dumps(data), person_id, owner, area, origin)
    pending: Pending | None = tx.cache.get("pending")
    if pending is not None:  # written by sequence(), under the log lock; the last change of a row wins
        pending.changes.pop((kind, cid), None)
        pending.changes[(kind, cid)] = row
        return
    # Delete + insert gives the row a new, higher change_seq (under the log lock, so in commit order).
    tx.lock("log")
    changes.replace(tx, row)


def _append_log(tx: Tx, data: dict[str, Any]) -> int:
    return merkle_log.append(tx, [merkle.leaf_hash(canonical_json(data))])


@dataclass
class Pending:
    """What a push transaction logs and publishes, held back to :func:`sequence` so that the log lock (which
    every writer of the log and of ``changes`` holds to commit) is taken for that short step only, after the
    operations were checked and decided under their device and subject locks."""

    ops: list[tuple[str, bytes]] = field(default_factory=list)  # (op_id, leaf) in decision order
    changes: dict[tuple[str, str], tuple[Any, ...]] = field(default_factory=dict)
    heads: dict[str, tuple[int, str]] = field(default_factory=dict)  # device -> (last seq, last hash)


def defer_sequencing(tx: Tx) -> None:
    """Hold this transaction's log entries and changes back until :func:`sequence`."""
    tx.cache["pending"] = Pending()


def sequence(tx: Tx) -> None:
    """Take the log lock, give the held-back operations their log positions (leaves appended in one batch)
    and publish their changes; the lock is held to commit, so positions and change numbers commit in order."""
    if tx.cache.get("pending") is None:
        return
    sessions.publish_touched(tx)  # session progress and work: counted under the log lock, held back with the rest
    pending: Pending = tx.cache.pop("pending")
    devices.set_chain_heads(tx, pending.heads)  # under the device lock, not the log's
    if not (pending.ops or pending.changes):
        return
    if pending.ops:
        first = merkle_log.append(tx, [leaf for _, leaf in pending.ops])
        operations.set_log_indexes(tx, first, [op_id for op_id, _ in pending.ops])
    if pending.changes:
        tx.lock("log")
        changes.replace_many(tx, pending.changes)


def _theirs(tx: Tx, subject: str, base: int) -> list[TheirOp]:
    base = min(base, 2**63 - 1)  # a base beyond any version has nothing after it (and must fit a 64-bit column)
    rows = operations.after_version(tx, subject, base)
    return [TheirOp(op_id=r[0], kind=r[1], worker_id=r[2], device_id=r[3], hlc=r[4], received_at=r[5])
            for r in rows]


def _repeat(tx: Tx, device: Device, op: Operation, row: tuple[Any, ...]) -> OpResult:
    """The answer to an operation seen before. A rejection or conflict is answered again as such (the first
    answer may have been lost on the way), so that it always reaches a person; anything else is a duplicate.
    The center's state goes with it only to a device that may read the subject."""
    _, status, code, zh, en, version = row
    if status not in ("rejected", "applied_with_conflict"):
        return OpResult(op_id=op.op_id, status="duplicate", code=status)
    if not access.may_read(device, _facts(tx, device, op)):
        return OpResult(op_id=op.op_id, status=status, code=code, message_zh=zh, message_en=en)
    current, _, _, cards = _subject(tx, op.subject)
    theirs = _theirs(tx, op.subject, op.base_version) if status == "applied_with_conflict" else []
    return OpResult(op_id=op.op_id, status=status, code=code, message_zh=zh, message_en=en,
                    center_state=cards, base_version=op.base_version, center_version=current, theirs=theirs)


def _facts(tx: Tx, device: Device, op: Operation) -> access.Facts:
    found = subjects.area_and_presence(tx, op.subject)
    assigned = assignments.is_assigned(tx, device.worker_id, op.subject)
    own = False
    if op.kind == "conflict.resolve":
        target = op.payload.get("op_id")
        own = isinstance(target, str) and operations.made_by(tx, target, device.device_id)
    return access.Facts(exists=bool(found and found[1]), area_code=found[0] if found else None,
                        assigned=assigned, resolves_own=own, export=op.subject.startswith(access.EXPORT_PREFIX),
                        on_session=not assigned and sessions.operates(tx, device, op))


#: Card events only the center decides (Art. 12 recall, Art. 17 self-lifting loss report, card production).
CENTER_ONLY_KINDS = frozenset({"card.issue", "card.recall", "card.lift_temporary"})


def push_one(tx: Tx, device: Device, op: Operation, today: dt.date, now: dt.datetime) -> OpResult:
    """Check, decide and record one device operation."""
    tx.lock("device:" + device.device_id)
    if op.device_id != device.device_id or op.worker_id != device.worker_id:  # first: another's answer is theirs
        return _reject(op.op_id, "not_your_operation", "只能上传本人在本设备上的操作",
                       "only your own operations from this device may be pushed")
    known = operations.known(tx, op.op_id)
    if known is not None:
        if known[0] != op.hash:
            return _reject(op.op_id, "op_id_reused", "操作编号已被另一操作使用", "op_id already used by another operation")
        return _repeat(tx, device, op, known)
    if not hash_ok(op) or not signature_ok(op, device.public_key):
        return _reject(op.op_id, "bad_signature", "操作的哈希或签名无效", "operation hash or signature invalid")
    head = tx.cache.get("device:" + device.device_id)
    if head is None:
        head = devices.live_chain_head(tx, device.device_id)
        if head is None:
            return _reject(op.op_id, "device_revoked", "设备已被吊销", "device revoked")
    last_seq, last_hash = head
    if op.seq != last_seq + 1 or op.prev_hash != last_hash:
        return _reject(op.op_id, "chain_broken", "操作序号或哈希链不连续", "device sequence or hash chain broken")

    tx.lock("subject:" + op.subject)
    if op.kind not in KINDS:
        # Authentic and in sequence, so it is recorded (as rejected, without its body) and the device's chain
        # moves on: one operation of an unknown kind never blocks the rest of the device's queue.
        return _record(tx, device, op, _reject(op.op_id, "kind_not_allowed", "设备不能提交此类操作",
                                               "devices may not submit this kind"), None, now)
    if sessions.is_session_subject(op.subject) and op.kind != "conflict.resolve":
        return _session_op(tx, device, op, now)
    facts = _facts(tx, device, op)
    refused = access.check_push(device, op.kind, op.payload, facts)
    if refused is not None:  # recorded, but the subject is neither touched nor shown
        return _record(tx, device, op, refused.model_copy(update={"op_id": op.op_id}), None, now)
    if op.kind in SESSION_KINDS:  # a session operation on a person
        return _record(tx, device, op, _reject(op.op_id, "not_a_session", "场次操作只能用于场次，操作未生效",
                                               "a session operation must name a session; nothing was changed"),
                       None, now)
    if op.kind == "conflict.resolve" and not access.may_read(device, facts):
        # closes the device's own refused operation on someone it may not see: the subject stays untouched
        return _record(tx, device, op, OpResult(op_id=op.op_id, status="applied"), None, now)
    version, area, person, cards = _subject(tx, op.subject)
    before, area_before = person, area  # the center's record of the person this operation met (a conflict shows it)
    keys = person_keys.keys_of_op(op) if op.kind in person_keys.KEYED_KINDS else frozenset()
    existing = person_keys.held_elsewhere(tx, op.subject, keys)  # Art. 3, 5: one person, one record
    if existing is not None:
        result = person_keys.refusal(op.op_id, existing)
    elif op.kind in CENTER_ONLY_KINDS:
        result = _reject(op.op_id, "kind_not_allowed", "设备不能提交此类操作", "devices may not submit this kind")
    else:
        result = _decide(op, version, person, cards, today)
    if op.kind == "card.bank_activate" and result.code == "already_activated":
        # the same person's same card, already activated (e.g. from another laptop at the same session):
        # one activation, so a duplicate and not a refusal for a worker to settle (issue 13)
        result = OpResult(op_id=op.op_id, status="duplicate", code="already_activated")
    touched = result.status in ("applied", "applied_with_conflict")
    # Every recorded operation counts towards the subject's version, as on the laptop (the vault bumps the
    # version for each operation it appends), so a device's own later operations never look conflicting.
    new_version = version + 1
    published: list[tuple[str, dict[str, Any]]] = []
    if touched and op.kind.startswith("person."):
        person = rules.valid_person(op.payload.get("person"))
        area = str(person["area_code"]) if person else area
        published.append(("person", person or {}))
    elif touched and op.kind.startswith("card."):
        cards = result.center_state
        published.append(("cards", cards or {}))
    _save_subject(tx, op.subject, new_version, area, person, cards)
    if result.status == "applied_with_conflict":
        result = result.model_copy(update={"theirs": _theirs(tx, op.subject, op.base_version),
                                           "base_version": op.base_version, "center_version": version})
        if op.kind.startswith("person.") and before is not None:
            # the value the colleague's change left, which this one overwrote: "take the center's" restores it
            result = result.model_copy(update={"center_state": {"person_id": op.subject, "person": before,
                                                                "version": version}})
    if result.status == "rejected":
        result = result.model_copy(update={"center_state": cards if existing is None else result.center_state,
                                           "center_version": version, "base_version": op.base_version})
    _record(tx, device, op, result, new_version, now)
    if touched and op.kind.startswith("person."):
        person_keys.record(tx, op.subject, keys)
    shared = person_keys.share(tx, device, op, existing, now) if existing is not None else None
    if existing is not None and shared is not None:  # the registered person reaches the laptop to merge with
        s_version, s_area, s_person, s_cards = shared
        _change(tx, "person", existing, s_version, s_person or {}, existing, None, s_area)
        if s_cards is not None:
            _change(tx, "cards", existing, s_version, {**s_cards, "version": s_version}, existing, None, s_area)
    if touched and access.claims(device, op.kind, facts):
        assignments.claim(tx, device.worker_id, op.subject, iso(now))
    for kind, data in published:
        if kind == "cards":
            data = {**data, "version": new_version}
        # A person applied as sent is what the device holds already: no echo to it. Cards are sent back (the
        # laptop takes the center's copy as confirmation of its provisional cards).
        echo_free = kind == "person" and result.status == "applied"
        _change(tx, kind, op.subject, new_version, data, op.subject, None, area,
                device.device_id if echo_free else None)
    if area != area_before and area_before is not None:  # only a person.* operation changes the area
        _follow_area(tx, op.subject, area)
    if op.kind == "visit.log" and touched:
        # published to the workers the person is assigned to and to the area's supervisors; the signed
        # operation, not the payload, says which worker made the visit (the device that logged it keeps its
        # own copy, so it is not sent back to it)
        visit = {**(rules.valid_visit(op.payload.get("visit")) or {}), "worker_id": op.worker_id}
        _change(tx, "visit", str(visit["visit_id"]), 1, visit, op.subject, op.worker_id, area, device.device_id)
    return result


def _follow_area(tx: Tx, subject: str, area: str | None, types: tuple[str, ...] = ("visit", "cards")) -> None:
    """Publish a person's rows of ``types`` again, under ``area``: after a move, so that the new area's
    supervisor reads their cards and visits (a pull selects by a row's area) and the old area's is sent nothing
    more; after an assignment, so that the worker pulls the visits logged before it past their checkpoint."""
    pending: Pending | None = tx.cache.get("pending")
    if pending is not None:  # rows this transaction has not published yet (a visit pushed just before)
        for key, row in list(pending.changes.items()):
            if row[4] == subject and row[0] in types:
                pending.changes[key] = (*row[:6], area, row[7])
    for kind, cid, version, data, owner, origin in changes.of_person(tx, subject, types):
        if pending is None or (kind, cid) not in pending.changes:
            _change(tx, kind, cid, int(version), json.loads(data), subject, owner, area, origin)


def _session_op(tx: Tx, device: Device, op: Operation, now: dt.datetime) -> OpResult:
    """An operation on a session subject: :mod:`sync.center.sessions` decides and keeps it; like any operation
    that reached its subject it counts towards the subject's version."""
    result, reached = sessions.push(tx, device, op, now)
    if not reached:
        return _record(tx, device, op, result, None, now)
    version = _subject(tx, op.subject)[0] + 1
    _save_subject(tx, op.subject, version, None, None, None)
    return _record(tx, device, op, result, version, now)


def _record(tx: Tx, device: Device, op: Operation, result: OpResult, new_version: int | None,
            now: dt.datetime) -> OpResult:
    """Log and store one device operation with its outcome, and move the device's chain head. An operation
    that touched nothing (``new_version`` None: refused before its subject was read) is kept without its body."""
    entry = {"op_id": op.op_id, "hash": op.hash, "device_id": op.device_id, "seq": op.seq,
             "status": result.status, "code": result.code, "subject_version": new_version}
    pending: Pending | None = tx.cache.get("pending")
    idx: int | None = None
    if pending is not None:  # its log position comes in sequence(); until then the row has none
        pending.ops.append((op.op_id, merkle.leaf_hash(canonical_json(entry))))
    else:
        idx = _append_log(tx, entry)
    resolves = op.payload.get("op_id") if op.kind == "conflict.resolve" else None
    body = op.model_dump_json() if new_version is not None else ""
    operations.insert_device_op(tx, (op.op_id, op.device_id, op.seq, op.worker_id, op.kind, op.subject, op.hlc,
                                     op.hash, body, result.status, result.code, result.message_zh,
                                     result.message_en, new_version,
                                     str(resolves) if resolves is not None else None, iso(now), idx))
    if pending is not None:  # one update of the chain head per transaction, in sequence()
        pending.heads[device.device_id] = (op.seq, op.hash)
    else:
        devices.set_chain_head(tx, device.device_id, op.seq, op.hash)
    tx.cache["device:" + device.device_id] = (op.seq, op.hash)  # the device lock is held to commit
    sessions.link(tx, op, result)  # a card operation done at a session counts towards its progress
    return result


def _decide(op: Operation, version: int, person: dict[str, Any] | None, cards: dict[str, Any] | None,
            today: dt.date) -> OpResult:
    ok: PushStatus = "applied_with_conflict" if op.base_version != version else "applied"
    if op.kind.startswith("card."):
        verdict = rules.decide_card(cards or rules.empty_cards(op.subject), op.payload.get("event"),
                                    rules.op_day(op.hlc, today), concurrent=op.base_version != version)
        if not verdict.accepted:
            return _reject(op.op_id, verdict.code or "refused", verdict.message_zh or "", verdict.message_en or "")
        return OpResult(op_id=op.op_id, status=ok, center_state=verdict.cards)
    if op.kind == "visit.log":
        visit = rules.valid_visit(op.payload.get("visit"))
        if visit is None or visit.get("person_id") != op.subject:
            return _reject(op.op_id, "invalid_visit", "走访记录无效", "invalid visit record")
        return OpResult(op_id=op.op_id, status="applied")
    if op.kind == "audit.export":  # kept as the record of who exported what, unmasked, and why (Art. 40)
        purpose = op.payload.get("purpose")
        if op.subject != access.EXPORT_PREFIX + str(op.payload.get("export_id")) \
                or not isinstance(purpose, str) or not purpose.strip():
            return _reject(op.op_id, "invalid_export", "导出记录无效（缺少导出编号或用途）",
                           "invalid export record (no export id or purpose)")
        return OpResult(op_id=op.op_id, status="applied")
    if op.kind.startswith("person."):
        data = rules.valid_person(op.payload.get("person"))
        if data is None or data.get("person_id") != op.subject:
            return _reject(op.op_id, "invalid_person", "人员资料无效", "invalid person record")
        if op.kind == "person.update" and person is None:
            ok = "applied_with_conflict"
        return OpResult(op_id=op.op_id, status=ok)
    return OpResult(op_id=op.op_id, status="applied")


def apply_due_subject(tx: Tx, subject: str, today: dt.date, now: dt.datetime) -> int:
    """Apply the center's time-driven events for one person. Deterministic op ids make it idempotent."""
    tx.lock("subject:" + subject)
    _, _, _, cards = _subject(tx, subject)
    if cards is None:
        return 0
    applied = 0
    for op_id, _kind, event in rules.due(cards, today):
        if center_event(tx, subject, op_id, event, today, now).status == "applied":
            applied += 1
    return applied


def center_event(tx: Tx, subject: str, op_id: str, event: dict[str, Any], today: dt.date,
                 now: dt.datetime) -> OpResult:
    """A card event decided by the center itself (issue, recall, lift): same rules, recorded and logged."""
    tx.lock("subject:" + subject)
    if operations.exists(tx, op_id):
        return OpResult(op_id=op_id, status="duplicate")
    version, area, person, cards = _subject(tx, subject)
    verdict = rules.decide_card(cards or rules.empty_cards(subject), event, today)
    if not verdict.accepted:
        return _reject(op_id, verdict.code or "refused", verdict.message_zh or "", verdict.message_en or "",
                       center_state=cards)
    kind = str(event.get("kind"))
    version, cards = version + 1, {**verdict.cards, "version": version + 1}
    _save_subject(tx, subject, version, area, person, cards)
    body = canonical_json({"kind": kind, "event": event, "decided_on": today.isoformat()}).decode()
    idx = _append_log(tx, {"op_id": op_id, "device_id": CENTER_DEVICE, "status": "applied", "kind": kind,
                           "subject_version": version})
    operations.insert_center_op(tx, op_id, CENTER_DEVICE, kind, subject, iso(now), body, version, iso(now), idx)
    _change(tx, "cards", subject, version, cards, subject, None, area)
    return OpResult(op_id=op_id, status="applied", center_state=cards)


def assign(tx: Tx, worker_id: str, person_ids: list[str], now: dt.datetime) -> int:
    tx.lock("log")
    added = 0
    for pid in person_ids:
        version, area, person, cards = _subject(tx, pid)
        if person is None:
            raise InvalidInput(f"unknown person {pid[:8]}")
        if not assignments.add(tx, worker_id, pid, iso(now)):
            continue
        added += 1
        plan_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"outreach-plan:{worker_id}/{pid}"))
        plan = {"visit_id": plan_id, "person_id": pid, "worker_id": worker_id, "day": rules.center_day(now).isoformat(),
                "planned": True, "present": [], "notes": "", "op_ids": []}
        _change(tx, "visit_plan", plan_id, 1, plan, pid, worker_id, area)
        # Re-publish the person and cards so the newly assigned worker pulls them past its checkpoint.
        _change(tx, "person", pid, version, person, pid, None, area)
        if cards is not None:
            _change(tx, "cards", pid, version, cards, pid, None, area)
        _follow_area(tx, pid, area, ("visit",))  # and the visits colleagues logged before
    return added
