"""The append-only operation log: hybrid logical clock, chaining, signing, reading and verification.

Hashing and the envelope come from :mod:`outreach.domain.operation` (never duplicated here). Each
operation's ``prev_hash`` is the hash of this device's previous operation (``GENESIS_HASH`` first), ``seq``
runs 1, 2, 3 ... without gaps, and the Ed25519 device key (kept inside the vault) signs the raw hash.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from outreach.domain.operation import (
    GENESIS_HASH,
    SCHEMA_VERSION,
    Operation,
    canonical_json,
    compute_hash,
    format_hlc,
    parse_hlc,
    signature_ok,
)
from storage.driver import Connection

COLUMNS = (
    "seq, op_id, device_id, worker_id, kind, subject, base_version, payload, hlc, schema_version, "
    "prev_hash, hash, signature"
)


#: Largest HLC counter that fits the 5-digit text form.
MAX_COUNTER = 99_999


@dataclass(frozen=True)
class LogVerdict:
    """Result of :func:`verify`: ``ok`` or the first bad operation (its seq, op_id and the problem);
    ``missing``: operations lost with a damaged vault and recorded as known gaps by a salvage."""

    ok: bool
    checked: int
    first_bad_seq: int | None = None
    first_bad_op_id: str | None = None
    problem: str | None = None
    missing: int = 0


def next_hlc(last: str | None, wall_ms: int | None = None) -> str:
    """Hybrid logical clock: the wall clock in ms when it moved forward, else last + 1 on the counter.

    Strictly greater than ``last`` even when the wall clock goes back (e.g. a laptop whose clock reset to
    2000-01-01); a full counter moves on to the next millisecond, so the text form keeps sorting correctly.
    """
    now = int(time.time() * 1000) if wall_ms is None else wall_ms
    if last is None:
        return format_hlc(now, 0)
    last_wall, last_counter = parse_hlc(last)
    if now > last_wall:
        return format_hlc(now, 0)
    if last_counter >= MAX_COUNTER:  # keep the fixed-width text form: borrow the next millisecond
        return format_hlc(last_wall + 1, 0)
    return format_hlc(last_wall, last_counter + 1)


def build(
    signer: Ed25519PrivateKey,
    *,
    op_id: str,
    device_id: str,
    worker_id: str,
    seq: int,
    kind: str,
    subject: str,
    base_version: int,
    payload: dict[str, Any],
    hlc: str,
    prev_hash: str,
) -> Operation:
    """Hash and sign one operation.

    Raises:
        ValueError: the payload cannot be encoded canonically (NaN, non-JSON values).
        pydantic.ValidationError: a field is out of range.
    """
    fields: dict[str, Any] = {
        "op_id": op_id,
        "device_id": device_id,
        "worker_id": worker_id,
        "seq": seq,
        "kind": kind,
        "subject": subject,
        "base_version": base_version,
        "payload": json.loads(canonical_json(payload)),
        "hlc": hlc,
        "schema_version": SCHEMA_VERSION,
        "prev_hash": prev_hash,
    }
    digest = compute_hash(fields)
    signature = signer.sign(bytes.fromhex(digest)).hex()
    return Operation(**fields, hash=digest, signature=signature)


def insert(conn: Connection, op: Operation) -> None:
    """Insert ``op`` into the log (inside the caller's transaction)."""
    conn.execute(
        f"INSERT INTO oplog ({COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            op.seq,
            op.op_id,
            op.device_id,
            op.worker_id,
            op.kind,
            op.subject,
            op.base_version,
            canonical_json(op.payload).decode("utf-8"),
            op.hlc,
            op.schema_version,
            op.prev_hash,
            op.hash,
            op.signature,
        ),
    )


def from_row(row: tuple[Any, ...]) -> Operation:
    """Rebuild an :class:`Operation` from an ``oplog`` row (columns in :data:`COLUMNS` order).

    Raises:
        ValueError / pydantic.ValidationError: the row does not form a valid operation.
    """
    seq, op_id, device_id, worker_id, kind, subject, base_version, payload, hlc, sv, prev, digest, sig = row
    return Operation(
        op_id=op_id,
        device_id=device_id,
        worker_id=worker_id,
        seq=seq,
        kind=kind,
        subject=subject,
        base_version=base_version,
        payload=json.loads(payload),
        hlc=hlc,
        schema_version=sv,
        prev_hash=prev,
        hash=digest,
        signature=sig,
    )


def iterate(
    conn: Connection, after_seq: int = 0, batch: int = 1000, limit: int | None = None, subject: str | None = None
) -> Iterator[Operation]:
    """Operations with ``seq > after_seq`` in seq order, read in batches (no long-lived cursor);
    at most ``limit`` of them when given; only those of ``subject`` when given (index ``oplog_subject``)."""
    last = after_seq
    left = limit
    where = "seq > ?" if subject is None else "subject = ? AND seq > ?"
    while left is None or left > 0:
        size = batch if left is None else min(batch, left)
        args = (last, size) if subject is None else (subject, last, size)
        rows = conn.execute(f"SELECT {COLUMNS} FROM oplog WHERE {where} ORDER BY seq LIMIT ?", args).fetchall()
        if not rows:
            return
        for row in rows:
            yield from_row(row)
        last = int(rows[-1][0])
        if left is not None:
            left -= len(rows)


def by_ids(conn: Connection, op_ids: list[str]) -> dict[str, Operation]:
    """The operations with these ids (unique index on ``op_id``); unknown ids are absent from the result."""
    found: dict[str, Operation] = {}
    for start in range(0, len(op_ids), 500):  # stay well under SQLite's bound-parameter limit
        chunk = op_ids[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        for row in conn.execute(f"SELECT {COLUMNS} FROM oplog WHERE op_id IN ({marks})", chunk).fetchall():
            op = from_row(row)
            found[op.op_id] = op
    return found


def pending(conn: Connection, limit: int) -> list[Operation]:
    """Operations in the outbox, in device order."""
    cols = ", ".join("o." + c.strip() for c in COLUMNS.split(","))
    rows = conn.execute(
        f"SELECT {cols} FROM outbox b JOIN oplog o ON o.seq = b.seq ORDER BY b.seq LIMIT ?", (limit,)
    ).fetchall()
    return [from_row(r) for r in rows]


def verify(
    conn: Connection,
    public_key: bytes,
    device_id: str,
    head: tuple[int, str] | None = None,
    gaps: list[list[int]] | None = None,
) -> LogVerdict:
    """Walk the log in seq order and name the first operation that was altered, removed, inserted
    or reordered: hash recomputed, ``prev_hash`` linkage, seq continuity, device id, signature. When
    ``head`` (last seq, last hash as recorded at append time) is given, a cut tail is caught too.
    ``gaps``: runs ``[first, last]`` of seqs a salvage recorded as lost; exactly those may be missing (the
    operation after one cannot link to what was lost, so only its own hash and signature are checked).
    """
    expected_seq = 1
    prev_hash = GENESIS_HASH
    checked = 0
    last = 0
    known = {int(a): int(b) for a, b in (gaps or [])}
    missing = 0
    while True:
        rows = conn.execute(f"SELECT {COLUMNS} FROM oplog WHERE seq > ? ORDER BY seq LIMIT 2000", (last,)).fetchall()
        if not rows:
            break
        for row in rows:
            seq, op_id = int(row[0]), str(row[1])
            last = seq
            if known.get(expected_seq) == seq - 1:
                missing += seq - expected_seq
                expected_seq, prev_hash = seq, str(row[10])
            problem = _check_row(row, expected_seq, prev_hash, public_key, device_id)
            if problem is not None:
                bad_seq = expected_seq if seq > expected_seq else seq
                return LogVerdict(False, checked, bad_seq, op_id, problem)
            prev_hash = str(row[11])
            expected_seq += 1
            checked += 1
    if head is not None and (expected_seq - 1, prev_hash) != (head[0], head[1] if head[0] else GENESIS_HASH):
        return LogVerdict(
            False, checked, expected_seq, None,
            f"log ends at seq {expected_seq - 1} but seq {head[0]} was recorded (operations removed at the end)",
        )
    return LogVerdict(True, checked, missing=missing)


def _check_row(
    row: tuple[Any, ...], expected_seq: int, prev_hash: str, public_key: bytes, device_id: str
) -> str | None:
    seq = int(row[0])
    if seq != expected_seq:
        return f"seq gap: expected {expected_seq}, found {seq} (operation missing or reordered)"
    try:
        op = from_row(row)
    except ValueError as exc:  # pydantic.ValidationError is a ValueError
        return f"unreadable operation: {type(exc).__name__}"
    if op.device_id != device_id:
        return "operation from another device in this device's log"
    if compute_hash(op.signed_fields()) != op.hash:
        return "hash mismatch (operation content altered)"
    if op.prev_hash != prev_hash:
        return "prev_hash does not link to the previous operation (removed, inserted or reordered)"
    if not signature_ok(op, public_key):
        return "bad signature (operation forged or re-hashed)"
    return None
