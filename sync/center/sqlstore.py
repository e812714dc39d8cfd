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
from sync.center.tables import changes, devices, enrolment, keys, nonces, operations, subjects
from sync.errors import EnrolmentRefused, EnrolmentThrottled, InvalidInput, ReplayedRequest
from sync.protocol import REPLAY_WINDOW_S, Change, Checkpoint, LogProof, OpResult

T = TypeVar("T")
ROLES = ("worker", "employer_host", "supervisor")


class Tx(Protocol):
    """One transaction. ``cache`` holds values that locks held to commit make safe to reuse within it."""

    cache: dict[str, Any]
    #: appended to a SELECT of rows the transaction will update: " FOR UPDATE" where rows can be locked
    for_update: str

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """A read: every row it returns."""
    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> int:
        """A statement run at once: the number of rows it changed (writes before it are sent first)."""
    def write(self, sql: str, params: tuple[Any, ...] = ()) -> None:
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

    def transaction(self, fn: Callable[[Tx], T], *, bulk: bool = False) -> T:
        """Run ``fn`` in one write transaction of this store (run again after a lock timeout or deadlock).

        For readers of several tables at once outside this class (the center's exports) and for looking at
        what the tables hold (operators' checks, tests; tests also age or damage a database with it on
        purpose). The store's own methods are the way to change its state."""
        return self._run(fn, bulk=bulk)

    def _prepare_schema(self, tx: Tx) -> None:
        """Run first when migrating, under the schema lock (PostgreSQL: create the store's schema)."""

    # -- schema ----------------------------------------------------------------------------------------
    def init_schema(self) -> list[str]:
        return self.migrate()

    def migrate(self, steps: list[migrations.Migration] | None = None) -> list[str]:
        """Apply the missing ones of ``steps`` (default: every migration); :meth:`init_schema` without the
        backend's start-up (SQLite's WAL switch, errors as ``StoreError``). Fewer steps make the schema of an
        older version of the center (upgrade tests)."""
        return migrations.migrate(self._run, self.dialect, self._prepare_schema, steps)

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
        rows = self._run(keys.read)
        if len(rows) < 2:
            return None
        return CenterKeys(bytes.fromhex(rows[keys.SIGN]), bytes.fromhex(rows[keys.BOX]))

    def _keys_in_db(self) -> CenterKeys:
        fresh = keyfile.fresh_keys()

        def go(tx: Tx) -> CenterKeys:
            for k, v in ((keys.SIGN, fresh.sign_private.hex()), (keys.BOX, fresh.box_private.hex())):
                keys.insert_if_absent(tx, k, v)
            rows = keys.read(tx)
            return CenterKeys(bytes.fromhex(rows[keys.SIGN]), bytes.fromhex(rows[keys.BOX]))

        return self._run(go)

    def _keys_from_file(self, path: Path) -> CenterKeys:
        in_db = self.database_keys()
        if not path.exists():
            keyfile.create(path, in_db or keyfile.fresh_keys())  # False: another process made it first
        from_file = keyfile.read(path)
        if in_db is not None:
            if in_db != from_file:
                raise keyfile.KeyFileError(
                    message_zh="密钥文件与中心数据库中的密钥不一致，已登记的设备只信任其中之一",
                    message_en="the key file differs from the keys in the center's database; enrolled laptops "
                               "trust one of them only")
            self._run(keys.delete)
        return from_file

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
            enrolment.insert_code(tx, _code_hash(code), worker_id, role, area_code, expires)
            if employer is not None:
                enrolment.bind_code_employer(tx, _code_hash(code), employer)

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
            row = enrolment.code(tx, _code_hash(code))
            if row is None or row[0] != worker_id or row[3] < iso(now):
                raise EnrolmentRefused()
            _, role, area, _, used_at, used_by = row
            known = self._device(tx, device_id)
            if used_at is not None:
                if used_by == device_id and known and known.public_key == public_key and not known.revoked:
                    return known  # the same enrolment retried after a lost answer
                raise EnrolmentRefused()
            if known is not None:
                raise EnrolmentRefused("device id already enrolled")
            enrolment.mark_used(tx, _code_hash(code), iso(now), device_id)
            devices.insert(tx, device_id, worker_id, role, area, public_key, iso(now), GENESIS_HASH)
            employer = None
            if role == "employer_host":  # bound to the code's employer (a host's code always has one)
                employer = enrolment.code_employer(tx, _code_hash(code))
                if employer is None:
                    raise EnrolmentRefused()
                devices.bind_employer(tx, device_id, employer)
            device_roster.publish(tx, device_id)  # on the area's supervisors' roster (none for a host)
            return Device(device_id, worker_id, role, area, public_key, False, employer)

        return go

    def revoke(self, device_id: str, now: dt.datetime) -> bool:
        def go(tx: Tx) -> bool:
            if not devices.revoke(tx, device_id, iso(now)):
                return False
            device_roster.publish(tx, device_id)  # the area's supervisors see it revoked
            return True

        return self._run(go)

    def record_sync(self, device: Device, now: dt.datetime) -> None:
        last = self._run(lambda tx: devices.last_sync_at(tx, device.device_id))
        if last is not None and device_roster.needs_sync_note(last[0], now):  # a read first: most syncs write nothing
            self._run(lambda tx: device_roster.synced(tx, device.device_id, now))

    @staticmethod
    def _device(tx: Tx, device_id: str) -> Device | None:
        return devices.device(tx, device_id)

    def device(self, device_id: str) -> Device | None:
        return self._run(lambda tx: self._device(tx, device_id))

    def remember_nonce(self, device_id: str, nonce: str, now: dt.datetime) -> None:
        def go(tx: Tx) -> None:
            if secrets.randbelow(64) == 0:
                old = iso(now - dt.timedelta(seconds=4 * REPLAY_WINDOW_S))
                nonces.forget_before(tx, old)
            if not nonces.remember(tx, device_id, nonce, iso(now)):
                raise ReplayedRequest()

        self._run(go)

    # -- operations ------------------------------------------------------------------------------------
    def push(self, device: Device, ops: list[Any], today: dt.date, now: dt.datetime) -> list[Any]:
        out: list[Any] = []
        n = self.push_chunk
        for i in range(0, len(ops), n):
            def chunk(tx: Tx, part: list[Any] = ops[i:i + n]) -> list[Any]:
                if not self.late_sequencing:
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
            return subjects.with_cards(tx)

        applied = 0
        for subject in self._run(candidates):
            def one(tx: Tx, s: str = subject) -> int:
                return oplogic.apply_due_subject(tx, s, today, now)

            applied += self._run(one)
        return applied

    def pull(self, device: Device, since: int, limit: int) -> tuple[list[Change], int, bool]:
        cond, params = access.pull_filter(device)  # what the device may see: sync/center/access.py
        # a row whose state this device's own operation made is not echoed back to it (oplogic._change)
        rows = self._run(lambda tx: changes.page(tx, cond, params, since, device.device_id, limit + 1))
        more = len(rows) > limit
        rows = rows[:limit]
        page = [Change(type=r[1], id=r[2], version=int(r[3]), data=json.loads(r[4])) for r in rows]
        return page, (int(rows[-1][0]) if rows else since), more

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
        return self._run(lambda tx: subjects.people_in_area(tx, area_prefix))

    # -- reading ---------------------------------------------------------------------------------------
    def operations(self, device_id: str | None = None) -> list[RecordedOperation]:
        rows = self._run(lambda tx: operations.of_devices(tx, oplogic.CENTER_DEVICE, device_id))
        return [RecordedOperation(r[0], r[1], int(r[2]), r[3], r[4]) for r in rows]

    def operation_counts(self) -> dict[str, int]:
        return self._run(operations.counts)

    def center_cards(self, person_id: str) -> dict[str, Any] | None:
        return self._run(lambda tx: subjects.cards(tx, person_id))

    def chain_head(self, device_id: str) -> tuple[int, str] | None:
        return self._run(lambda tx: devices.chain_head(tx, device_id))

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
            device_rows = devices.overview(tx)
            open_rows = operations.open_issues(tx)
            return {
                "devices": [{"device_id": r[0], "worker_id": r[1], "role": r[2], "area_code": r[3],
                             "revoked": r[4] is not None, "last_seq": int(r[5]), "operations": int(r[6])}
                            for r in device_rows],
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
            rows = operations.by_prefix(tx, prefix)
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
