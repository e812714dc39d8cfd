"""Saving what a damaged vault still holds: every operation that verifies, into a fresh vault.

:func:`read` reads the damaged file through fresh read-only connections (after SQLCipher meets a page that
fails its HMAC check, a connection's later reads of other pages fail too, so each failure starts a new one):

* the device identity and keys (``vault_state``; without them nothing can be verified or signed);
* every operation whose row is readable and whose hash, device and signature verify; the seqs that could
  not be recovered are listed;
* sync settings (``meta``: enrolment, the center's keys), which operations were still unsent (``outbox``;
  when unreadable, all are resent: the center answers a known one as a duplicate), and readable photos.

:func:`write_vault` makes a fresh vault with the same device identity and the recovered operations; the
projections are rebuilt from them (what came from the center is pulled again: the pull checkpoint is not
copied). Lost seqs are recorded as known gaps, which :func:`storage.oplog.verify` then names instead of
calling the log tampered.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from outreach.domain.operation import GENESIS_HASH, Operation, compute_hash, signature_ok
from storage import driver, oplog, projections
from storage.driver import Connection
from storage.errors import DamagedVaultError

GAPS_KEY = "known_gaps"
#: Copied into the fresh vault's vault_state as they are.
IDENTITY_KEYS = ("device_id", "worker_id", "device_private_key", "device_public_key")
#: Consecutive unreadable seqs after which the scan jumps ahead (a damaged interior page hides many rows).
JUMP_AFTER = 64
#: Tables that are not projections of the log and are copied when readable.
COPIED_TABLES = ("op_outcomes", "op_bases")


@dataclass
class Salvaged:
    state: dict[str, str]
    head_seq: int
    operations: list[Operation] = field(default_factory=list)
    lost: list[int] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    pending: set[str] | None = None
    attachments: list[tuple[Any, ...]] = field(default_factory=list)
    attachments_lost: int = 0
    #: Readable rows of the tables kept as they are (push outcomes, conflict bases): (columns, rows).
    tables: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = field(default_factory=dict)


class _Reader:
    """A read-only connection that is replaced after every driver error."""

    def __init__(self, path: Path, key: bytes) -> None:
        self._path, self._key = path, key
        self._conn: Connection | None = None

    def query(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]] | None:
        """Rows, or None when the driver fails (damaged page)."""
        try:
            if self._conn is None:
                self._conn = driver.connect(self._path, self._key, read_only=True)
            return list(self._conn.execute(sql, args).fetchall())
        except Exception as exc:
            if not driver.is_db_error(exc):
                raise
            self.close()
            return None

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()
            self._conn = None


def read(path: Path, key: bytes, known_gaps: list[list[int]] | None = None) -> Salvaged:
    """Everything still readable and verifiable in the vault at ``path`` (keyed with the raw ``key``).

    Raises:
        DamagedVaultError: the device keys are unreadable (nothing can be verified or signed).
    """
    reader = _Reader(path, key)
    try:
        rows = reader.query("SELECT key, value FROM vault_state")
        state = {str(k): str(v) for k, v in rows or []}
        if rows is None or any(k not in state for k in IDENTITY_KEYS):
            raise DamagedVaultError()
        head = _head(reader, state)
        found = Salvaged(state=state, head_seq=head)
        public = bytes.fromhex(state["device_public_key"])
        recovered: dict[int, Operation] = {}
        for seq, row in _rows(reader, head):
            op = _verified(row, public, state["device_id"])
            if op is not None and op.seq == seq:
                recovered[seq] = op
        found.operations = [recovered[s] for s in sorted(recovered)]
        found.lost = [s for s in range(1, head + 1) if s not in recovered]
        meta = reader.query("SELECT key, value FROM meta")
        found.meta = {str(k): str(v) for k, v in meta or []}
        outbox = reader.query("SELECT op_id FROM outbox")
        found.pending = None if outbox is None else {str(r[0]) for r in outbox}
        refs = reader.query("SELECT ref FROM attachments") or []
        for (ref,) in refs:
            one = reader.query("SELECT ref, mime, sha256, created_at, data FROM attachments WHERE ref = ?", (ref,))
            if one:
                found.attachments.append(tuple(one[0]))
            else:
                found.attachments_lost += 1
        for table in COPIED_TABLES:
            info = reader.query(f"PRAGMA table_info({table})")
            rows = reader.query(f"SELECT * FROM {table}")
            if info and rows is not None:
                found.tables[table] = ([str(c[1]) for c in info], rows)
        return found
    finally:
        reader.close()


def _head(reader: _Reader, state: dict[str, str]) -> int:
    top = reader.query("SELECT max(seq) FROM oplog")
    recorded = int(state.get("head_seq") or 0)
    return max(recorded, int(top[0][0] or 0) if top else 0)


def _rows(reader: _Reader, head: int) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """(seq, row) for every readable row with seq 1..head: batches, one by one around a damaged page."""
    seq = 1
    misses = 0
    while seq <= head:
        batch = reader.query(f"SELECT {oplog.COLUMNS} FROM oplog WHERE seq >= ? ORDER BY seq LIMIT 500", (seq,))
        if batch:
            for row in batch:
                yield int(row[0]), tuple(row)
            seq = int(batch[-1][0]) + 1
            misses = 0
            continue
        if batch is not None:  # nothing at or after seq
            return
        one = reader.query(f"SELECT {oplog.COLUMNS} FROM oplog WHERE seq = ?", (seq,))
        if one:
            yield seq, tuple(one[0])
            misses = 0
        else:
            misses += 1
        seq += 1 if misses < JUMP_AFTER else misses // 4


def _verified(row: tuple[Any, ...], public_key: bytes, device_id: str) -> Operation | None:
    try:
        op = oplog.from_row(row)
    except (ValueError, TypeError):
        return None
    if op.device_id != device_id or compute_hash(op.signed_fields()) != op.hash:
        return None
    return op if signature_ok(op, public_key) else None


def gaps_of(lost: list[int], head: int, recovered: list[Operation]) -> list[list[int]]:
    """Runs ``[first, last]`` of lost seqs that lie before the last recovered operation."""
    last = recovered[-1].seq if recovered else 0
    runs: list[list[int]] = []
    for seq in lost:
        if seq > last:
            break
        if runs and runs[-1][1] == seq - 1:
            runs[-1][1] = seq
        else:
            runs.append([seq, seq])
    return runs


def write_vault(conn: Connection, found: Salvaged, now: str) -> int:
    """Fill a fresh, empty vault (its connection) with ``found``; one transaction. Returns the number of
    operations written."""
    ops = found.operations
    gaps = gaps_of(found.lost, found.head_seq, ops)
    last = ops[-1] if ops else None
    state = {k: found.state[k] for k in IDENTITY_KEYS}
    state.update({
        "kdf": found.state.get("kdf", ""),
        "head_seq": str(last.seq if last else 0),
        "head_hash": last.hash if last else GENESIS_HASH,
        "last_hlc": max((op.hlc for op in ops), default=found.state.get("last_hlc", "")),
        "created_at": now,
        "salvaged_at": now,
        GAPS_KEY: json.dumps(gaps),
    })
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("DELETE FROM vault_state")
        conn.executemany("INSERT INTO vault_state(key, value) VALUES (?, ?)", list(state.items()))
        for op in ops:
            oplog.insert(conn, op)
            projections.apply_op(conn, op)
        if found.pending is not None:
            conn.executemany("DELETE FROM outbox WHERE op_id = ?",
                             [(op.op_id,) for op in ops if op.op_id not in found.pending])
        conn.executemany("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
                         [(k, v) for k, v in found.meta.items() if k != "pull_checkpoint"])
        conn.executemany("INSERT OR IGNORE INTO attachments (ref, mime, sha256, created_at, data)"
                         " VALUES (?,?,?,?,?)", found.attachments)
        for table, (columns, rows) in found.tables.items():
            marks = ", ".join("?" * len(columns))
            conn.executemany(f"INSERT OR REPLACE INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return len(ops)
