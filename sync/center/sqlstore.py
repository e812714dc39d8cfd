"""The SQL store shared by both backends; a backend supplies transactions, locks and its SQL dialect.

SQL is written once with ``?`` placeholders. Lock order, everywhere: the device, then subject(s), then the log
last (a lock already held may be taken again). The log lock is held to commit by every transaction that
writes ``merkle`` or ``changes``, so log indexes and change sequence numbers become visible in order (a reader
never skips a late-committing row) and the Merkle log has no gap. The device and subject locks guard each
decision; a push (``late_sequencing``, PostgreSQL) checks and decides its operations under them only, then
takes the log lock for one short sequencing step (log positions, leaves and changes in batches), so pushes
from many devices proceed in parallel and only that step is serial. Loads and assignments take the log lock
only; a load orders itself with pushes of the same people by row locks (``Tx.for_update``).
"""

from __future__ import annotations

import abc
import datetime as dt
import hashlib
import itertools
import json
import secrets
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol, TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from outreach.domain import deterministic_op_id
from outreach.domain.operation import GENESIS_HASH
from sync import merkle
from sync.center import (
    access,
    device_roster,
    keyfile,
    loader,
    merkle_log,
    migrations,
    oplogic,
    rules,
    sessions,
    throttle,
)
from sync.center.migrations import Dialect
from sync.center.store import CenterKeys, Device, LoadCount, RecordedOperation, Store, iso
from sync.errors import EnrolmentRefused, EnrolmentThrottled, InvalidInput, ReplayedRequest
from sync.protocol import REPLAY_WINDOW_S, Change, Checkpoint, LogProof, OpResult

T = TypeVar("T")
ROLES = ("worker", "employer_host", "supervisor")


class Tx(Protocol):
    """One transaction. ``cache`` holds values that locks held to commit make safe to reuse within it."""

    cache: dict[str, Any]
    #: appended to a SELECT of rows the transaction will update: " FOR UPDATE" where rows can be locked
    for_update: str

    def q(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]: ...
    def x(self, sql: str, params: tuple[Any, ...] = ()) -> int: ...
    def w(self, sql: str, params: tuple[Any, ...] = ()) -> None:
        """A write whose row count is not needed (may be queued until the next read)."""
    def lock(self, key: str) -> None: ...
    def stage(self, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        """Insert many rows into ``table`` at once (PostgreSQL: COPY when the transaction is a bulk one)."""
    def many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        """One write statement for each row of parameters, sent together (row counts not needed)."""


class SqlStore(Store):
    #: Which statements of each migration this backend runs.
    dialect: Dialect = "sqlite"
    #: Pushed operations per transaction.
    push_chunk = 1
    #: A push takes the log lock only to sequence its decided operations (:func:`oplogic.sequence`), so
    #: devices are checked and decided in parallel; False where writers are serialised anyway (SQLite).
    late_sequencing = False

    def __init__(self) -> None:
        self._nodes = merkle_log.NodeCache()
        self._keys: CenterKeys | None = None
        self._key_file: Path | None = None

    # -- backend hooks -------------------------------------------------------------------------------
    @abc.abstractmethod
    def _tx(self, *, bulk: bool = False) -> AbstractContextManager[Tx]:
        """A write transaction (SQLite: BEGIN IMMEDIATE; PostgreSQL: READ COMMITTED + advisory locks).
        ``bulk``: a few large statements (PostgreSQL: no pipeline, so that :meth:`Tx.stage` may COPY)."""

    @abc.abstractmethod
    def _retryable(self, exc: BaseException) -> bool:
        """True for lock timeouts / deadlocks after which the whole transaction may be run again."""

    def _run(self, fn: Callable[[Tx], T], attempts: int = 8, *, bulk: bool = False) -> T:
        for i in range(attempts):
            try:
                with self._tx(bulk=bulk) as tx:
                    return fn(tx)
            except Exception as exc:
                if i == attempts - 1 or not self._retryable(exc):
                    raise
        raise AssertionError("unreachable")

    def _prepare_schema(self, tx: Tx) -> None:
        """Run first when migrating, under the schema lock (PostgreSQL: create the store's schema)."""

    # -- schema ----------------------------------------------------------------------------------------
    def init_schema(self) -> list[str]:
        return migrations.migrate(self._run, self.dialect, self._prepare_schema)

    def applied_migrations(self) -> list[str]:
        return self._run(migrations.recorded)

    # -- keys, enrolment, devices ----------------------------------------------------------------------
    def use_key_file(self, path: Path) -> None:
        """Keep the center's private keys in ``path`` instead of the database (see :mod:`keyfile`)."""
        self._key_file = Path(path)
        self._keys = None

    def center_keys(self) -> CenterKeys:
        if self._keys is None:
            key_file = self._key_file
            self._keys = self._keys_from_file(key_file) if key_file is not None else self._keys_in_db()
        return self._keys

    def database_keys(self) -> CenterKeys | None:
        rows = dict(self._run(lambda tx: tx.q("SELECT key, value FROM meta WHERE key IN ('sign_key', 'box_key')")))
        if len(rows) < 2:
            return None
        return CenterKeys(bytes.fromhex(rows["sign_key"]), bytes.fromhex(rows["box_key"]))

    def _keys_in_db(self) -> CenterKeys:
        fresh = keyfile.fresh_keys()

        def go(tx: Tx) -> CenterKeys:
            for k, v in (("sign_key", fresh.sign_private.hex()), ("box_key", fresh.box_private.hex())):
                tx.x("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT DO NOTHING", (k, v))
            rows = dict(tx.q("SELECT key, value FROM meta WHERE key IN ('sign_key', 'box_key')"))
            return CenterKeys(bytes.fromhex(rows["sign_key"]), bytes.fromhex(rows["box_key"]))

        return self._run(go)

    def _keys_from_file(self, path: Path) -> CenterKeys:
        in_db = self.database_keys()
        if not path.exists():
            keyfile.create(path, in_db or keyfile.fresh_keys())  # False: another process made it first
        keys = keyfile.read(path)
        if in_db is not None:
            if in_db != keys:
                raise keyfile.KeyFileError(
                    message_zh="密钥文件与中心数据库中的密钥不一致，已登记的设备只信任其中之一",
                    message_en="the key file differs from the keys in the center's database; enrolled laptops "
                               "trust one of them only")
            self._run(lambda tx: tx.x("DELETE FROM meta WHERE key IN ('sign_key', 'box_key')"))
        return keys

    def create_enrol_code(self, worker_id: str, role: str, area_code: str | None, ttl: dt.timedelta, *,
                          employer: str | None = None) -> str:
        if role not in ROLES or not worker_id.strip():
            raise InvalidInput(f"role {role!r}")
        if not access.valid_area(area_code):
            raise InvalidInput(f"area {str(area_code)[:16]!r}", message_zh="辖区代码只能由数字组成，未作任何更改",
                               message_en="an area code is digits only; nothing was changed")
        employer = sessions.enrol_employer(role, employer)  # an employer host is bound to one employer
        raw = secrets.token_hex(6).upper()
        code = "-".join(raw[i:i + 4] for i in range(0, 12, 4))
        expires = iso(dt.datetime.now(dt.UTC) + ttl)
        def go(tx: Tx) -> None:
            tx.x("INSERT INTO enrol_codes (code_hash, worker_id, role, area_code, expires_at) VALUES (?, ?, ?, ?, ?)",
                 (_code_hash(code), worker_id, role, area_code, expires))
            if employer is not None:
                tx.x("INSERT INTO enrol_code_employers (code_hash, credit_code) VALUES (?, ?)",
                     (_code_hash(code), employer))

        self._run(go)
        return code

    def enrol(self, code: str, device_id: str, worker_id: str, public_key: bytes, now: dt.datetime, *,
              source: str = "") -> Device:
        check = self._enrol_tx(code, device_id, worker_id, public_key, now)

        def go(tx: Tx) -> Device | str:  # count, check and record in one transaction (throttle.py)
            if throttle.held(tx, worker_id, source, now):
                return "held"
            try:
                return check(tx)
            except EnrolmentRefused as exc:
                throttle.failed(tx, worker_id, source, now)
                return exc.detail

        out = self._run(go)
        if out == "held":
            raise EnrolmentThrottled()
        if isinstance(out, str):
            raise EnrolmentRefused(out)
        return out

    def clear_enrolment_holds(self, worker_id: str | None = None, source: str | None = None) -> int:
        return self._run(lambda tx: throttle.clear(tx, worker_id, source))

    def _enrol_tx(self, code: str, device_id: str, worker_id: str, public_key: bytes,
                  now: dt.datetime) -> Callable[[Tx], Device]:
        def go(tx: Tx) -> Device:
            rows = tx.q("SELECT worker_id, role, area_code, expires_at, used_at, device_id FROM enrol_codes "
                        "WHERE code_hash = ?", (_code_hash(code),))
            if not rows or rows[0][0] != worker_id or rows[0][3] < iso(now):
                raise EnrolmentRefused()
            _, role, area, _, used_at, used_by = rows[0]
            known = self._device(tx, device_id)
            if used_at is not None:
                if used_by == device_id and known and known.public_key == public_key and not known.revoked:
                    return known  # the same enrolment retried after a lost answer
                raise EnrolmentRefused()
            if known is not None:
                raise EnrolmentRefused("device id already enrolled")
            tx.x("UPDATE enrol_codes SET used_at = ?, device_id = ? WHERE code_hash = ?",
                 (iso(now), device_id, _code_hash(code)))
            tx.x("INSERT INTO devices (device_id, worker_id, role, area_code, public_key, enrolled_at, last_hash) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?)", (device_id, worker_id, role, area, public_key.hex(), iso(now),
                                                  GENESIS_HASH))
            employer = None
            if role == "employer_host":  # bound to the code's employer (a host's code always has one)
                bound = tx.q("SELECT credit_code FROM enrol_code_employers WHERE code_hash = ?", (_code_hash(code),))
                if not bound:
                    raise EnrolmentRefused()
                employer = str(bound[0][0])
                tx.x("INSERT INTO device_employers (device_id, credit_code) VALUES (?, ?)", (device_id, employer))
            device_roster.publish(tx, device_id)  # on the area's supervisors' roster (none for a host)
            return Device(device_id, worker_id, role, area, public_key, False, employer)

        return go

    def revoke(self, device_id: str, now: dt.datetime) -> bool:
        def go(tx: Tx) -> bool:
            if tx.x("UPDATE devices SET revoked_at = COALESCE(revoked_at, ?) WHERE device_id = ?",
                    (iso(now), device_id)) == 0:
                return False
            device_roster.publish(tx, device_id)  # the area's supervisors see it revoked
            return True

        return self._run(go)

    def record_sync(self, device: Device, now: dt.datetime) -> None:
        rows = self._run(lambda tx: tx.q("SELECT last_sync_at FROM devices WHERE device_id = ?",
                                         (device.device_id,)))
        if rows and device_roster.needs_sync_note(rows[0][0], now):  # a read first: most syncs write nothing
            self._run(lambda tx: device_roster.synced(tx, device.device_id, now))

    @staticmethod
    def _device(tx: Tx, device_id: str) -> Device | None:
        rows = tx.q("SELECT device_id, worker_id, role, area_code, public_key, revoked_at FROM devices "
                    "WHERE device_id = ?", (device_id,))
        if not rows:
            return None
        r = rows[0]
        employer = None
        if r[2] == "employer_host":
            bound = tx.q("SELECT credit_code FROM device_employers WHERE device_id = ?", (device_id,))
            employer = str(bound[0][0]) if bound else None  # None: the host pulls and pushes nothing
        return Device(r[0], r[1], r[2], r[3], bytes.fromhex(r[4]), r[5] is not None, employer)

    def device(self, device_id: str) -> Device | None:
        return self._run(lambda tx: self._device(tx, device_id))

    def remember_nonce(self, device_id: str, nonce: str, now: dt.datetime) -> None:
        def go(tx: Tx) -> None:
            if secrets.randbelow(64) == 0:
                old = iso(now - dt.timedelta(seconds=4 * REPLAY_WINDOW_S))
                tx.x("DELETE FROM nonces WHERE seen_at < ?", (old,))
            if tx.x("INSERT INTO nonces (device_id, nonce, seen_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    (device_id, nonce, iso(now))) == 0:
                raise ReplayedRequest()

        self._run(go)

    # -- operations ------------------------------------------------------------------------------------
    def push(self, device: Device, ops: list[Any], today: dt.date, now: dt.datetime) -> list[Any]:
        out: list[Any] = []
        n = self.push_chunk
        for i in range(0, len(ops), n):
            def chunk(tx: Tx, part: list[Any] = ops[i:i + n]) -> list[Any]:
                if not self.late_sequencing or any(sessions.concerns_session(op) for op in part):
                    # session operations and the card work of a session publish their own changes as they
                    # go: the log lock is taken first, as before late sequencing
                    tx.lock("log")
                    results = [oplogic.push_one(tx, device, op, today, now) for op in part]
                    sessions.publish_touched(tx)  # session progress, once per transaction
                    return results
                oplogic.defer_sequencing(tx)  # decide under device and subject locks, then log in one step
                results = [oplogic.push_one(tx, device, op, today, now) for op in part]
                oplogic.sequence(tx)
                return results

            out.extend(self._run(chunk))
        return out

    def apply_due(self, today: dt.date, now: dt.datetime) -> int:
        def candidates(tx: Tx) -> list[str]:
            return [r[0] for r in tx.q("SELECT subject FROM subjects WHERE cards IS NOT NULL")]

        applied = 0
        for subject in self._run(candidates):
            def one(tx: Tx, s: str = subject) -> int:
                return oplogic.apply_due_subject(tx, s, today, now)

            applied += self._run(one)
        return applied

    def pull(self, device: Device, since: int, limit: int) -> tuple[list[Change], int, bool]:
        cond, params = access.pull_filter(device)  # what the device may see: sync/center/access.py
        # a row whose state this device's own operation made is not echoed back to it (oplogic._change)
        sql = f"SELECT change_seq, type, id, version, data FROM changes WHERE change_seq > ? AND ({cond}) " \
              "AND (origin IS NULL OR origin <> ?) ORDER BY change_seq LIMIT ?"
        params = (since, *params, device.device_id)
        rows = self._run(lambda tx: tx.q(sql, (*params, limit + 1)))
        more = len(rows) > limit
        rows = rows[:limit]
        changes = [Change(type=r[1], id=r[2], version=int(r[3]), data=json.loads(r[4])) for r in rows]
        return changes, (int(rows[-1][0]) if rows else since), more

    def center_event(self, person_id: str, event: dict[str, Any], today: dt.date, now: dt.datetime) -> OpResult:
        op_id = deterministic_op_id(person_id, event)
        return self._run(lambda tx: oplogic.center_event(tx, person_id, op_id, event, today, now))

    def load_people(self, people: list[dict[str, Any]], now: dt.datetime) -> int:
        rows = loader.stage_rows(_valid_people(people), now)
        self._run(lambda tx: loader.load_batch(tx, self.dialect, rows), bulk=True)
        return len(rows)

    def load_people_stream(self, people: Iterable[dict[str, Any]], now: dt.datetime, *, batch: int = 5000,
                           progress: Callable[[LoadCount], None] | None = None) -> LoadCount:
        total = LoadCount(loaded=0, skipped=0)
        it = iter(people)
        while part := list(itertools.islice(it, max(1, batch))):
            rows = loader.stage_rows(_valid_people(part, start=total.loaded + total.skipped), now)
            def load(tx: Tx, rows: list[tuple[int, str, str, str, str]] = rows) -> LoadCount:
                return loader.load_batch(tx, self.dialect, rows)

            done = self._run(load, bulk=True)
            total = LoadCount(loaded=total.loaded + done.loaded, skipped=total.skipped + done.skipped)
            if progress is not None:
                progress(total)
        return total

    def assign(self, worker_id: str, person_ids: list[str], now: dt.datetime) -> int:
        return self._run(lambda tx: oplogic.assign(tx, worker_id, person_ids, now))

    def people_in_area(self, area_prefix: str) -> list[str]:
        if not area_prefix or not access.valid_area(area_prefix):
            raise InvalidInput(f"area {area_prefix[:16]!r}", message_zh="辖区代码只能由数字组成，未作任何更改",
                               message_en="an area code is digits only; nothing was changed")
        rows = self._run(lambda tx: tx.q("SELECT subject FROM subjects WHERE person IS NOT NULL "
                                         "AND substr(area_code, 1, length(?)) = ? ORDER BY subject",
                                         (area_prefix, area_prefix)))
        return [r[0] for r in rows]

    # -- reading ---------------------------------------------------------------------------------------
    def operations(self, device_id: str | None = None) -> list[RecordedOperation]:
        sql = "SELECT op_id, device_id, seq, hash, status FROM operations WHERE device_id <> ?"
        params: tuple[Any, ...] = (oplogic.CENTER_DEVICE,)
        if device_id is not None:
            sql, params = sql + " AND device_id = ? ORDER BY seq", (*params, device_id)
        else:
            sql += " ORDER BY log_index"
        rows = self._run(lambda tx: tx.q(sql, params))
        return [RecordedOperation(r[0], r[1], int(r[2]), r[3], r[4]) for r in rows]

    def operation_counts(self) -> dict[str, int]:
        rows = self._run(lambda tx: tx.q("SELECT status, COUNT(*) FROM operations GROUP BY status"))
        return {str(r[0]): int(r[1]) for r in rows}

    def center_cards(self, person_id: str) -> dict[str, Any] | None:
        rows = self._run(lambda tx: tx.q("SELECT cards FROM subjects WHERE subject = ?", (person_id,)))
        return json.loads(rows[0][0]) if rows and rows[0][0] else None

    def chain_head(self, device_id: str) -> tuple[int, str] | None:
        rows = self._run(lambda tx: tx.q("SELECT last_seq, last_hash FROM devices WHERE device_id = ?",
                                         (device_id,)))
        return (int(rows[0][0]), str(rows[0][1])) if rows else None

    def session_check(self, session_id: str) -> dict[str, Any] | None:
        return self._run(lambda tx: sessions.check_report(tx, session_id))

    # -- log -------------------------------------------------------------------------------------------
    def log_proof(self, known_size: int) -> LogProof:
        def go(tx: Tx) -> tuple[int, str, list[str] | None]:
            size = merkle_log.size(tx)
            first = known_size if 0 <= known_size <= size else None
            got = merkle_log.read(tx, merkle.keys_for(size, first), self._nodes)
            proof = merkle.consistency_proof_of(first, size, got.__getitem__) if first is not None else None
            return size, merkle.root_of(size, got.__getitem__), proof

        size, root, proof = self._run(go)
        cp = sign_checkpoint(self.center_keys(), size, root)
        if proof is None:
            return LogProof(checkpoint=cp, from_size=0, consistency=[])
        return LogProof(checkpoint=cp, from_size=known_size, consistency=proof)

    def status(self) -> dict[str, Any]:
        def go(tx: Tx) -> dict[str, Any]:
            devices = tx.q("SELECT d.device_id, d.worker_id, d.role, d.area_code, d.revoked_at, d.last_seq, "
                           "(SELECT COUNT(*) FROM operations o WHERE o.device_id = d.device_id) "
                           "FROM devices d ORDER BY d.device_id")
            open_rows = tx.q("SELECT o.op_id, o.device_id, o.worker_id, o.kind, o.subject, o.status, o.code "
                             "FROM operations o WHERE o.status IN ('rejected', 'applied_with_conflict') AND NOT "
                             "EXISTS (SELECT 1 FROM operations r WHERE r.resolves = o.op_id) ORDER BY o.log_index")
            return {
                "devices": [{"device_id": r[0], "worker_id": r[1], "role": r[2], "area_code": r[3],
                             "revoked": r[4] is not None, "last_seq": int(r[5]), "operations": int(r[6])}
                            for r in devices],
                "open_conflicts": [dict(zip(("op_id", "device_id", "worker_id", "kind", "subject", "status",
                                             "code"), r, strict=True)) for r in open_rows],
            }

        out = go_result = self._run(go)
        out["checkpoint"] = self.log_proof(0).checkpoint.model_dump()
        return go_result

    def receipt_lookup(self, op_prefix: str) -> list[dict[str, Any]]:
        prefix = "".join(ch for ch in op_prefix.lower() if ch in "0123456789abcdef-")[:36]
        if len(prefix) < 8:
            return []

        def go(tx: Tx) -> list[dict[str, Any]]:
            rows = tx.q("SELECT op_id, device_id, kind, hlc, hash, status, code, message_zh, message_en "
                        "FROM operations WHERE op_id LIKE ? ORDER BY op_id LIMIT 10", (prefix + "%",))
            names = ("op_id", "device_id", "kind", "hlc", "hash", "status", "code", "message_zh", "message_en")
            return [dict(zip(names, r, strict=True)) for r in rows]

        return self._run(go)


def _valid_people(people: list[dict[str, Any]], start: int = 0) -> list[dict[str, Any]]:
    """The people as stored (``Person`` dumps), each checked; the first bad one is named by its position."""
    valid: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, raw in enumerate(people):
        data = rules.valid_person(raw)
        if data is None or data["person_id"] in seen:
            raise InvalidInput(f"record {start + i + 1}")
        seen.add(data["person_id"])
        valid.append(data)
    return valid


def _code_hash(code: str) -> str:
    norm = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(norm.encode()).hexdigest()


def sign_checkpoint(keys: CenterKeys, size: int, root: str) -> Checkpoint:
    issued = iso(dt.datetime.now(dt.UTC))
    unsigned = Checkpoint(tree_size=size, root=root, issued_at=issued, signature="")
    sig = Ed25519PrivateKey.from_private_bytes(keys.sign_private).sign(unsigned.signed_bytes())
    return unsigned.model_copy(update={"signature": sig.hex()})
