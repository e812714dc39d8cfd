"""Enrolled devices, each with its chain head (last sequence number and hash), and an employer host's employer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sync.center.store import Device

if TYPE_CHECKING:
    from sync.center.sqlstore import Tx


def insert(tx: Tx, device_id: str, worker_id: str, role: str, area_code: str | None, public_key: bytes,
           enrolled_at: str, last_hash: str) -> None:
    tx.execute("INSERT INTO devices (device_id, worker_id, role, area_code, public_key, enrolled_at, last_hash) "
         "VALUES (?, ?, ?, ?, ?, ?, ?)", (device_id, worker_id, role, area_code, public_key.hex(), enrolled_at,
                                          last_hash))


def bind_employer(tx: Tx, device_id: str, credit_code: str) -> None:
    tx.execute("INSERT INTO device_employers (device_id, credit_code) VALUES (?, ?)", (device_id, credit_code))


def device(tx: Tx, device_id: str) -> Device | None:
    """The device record (revoked ones included), or None."""
    rows = tx.rows("SELECT device_id, worker_id, role, area_code, public_key, revoked_at FROM devices "
                "WHERE device_id = ?", (device_id,))
    if not rows:
        return None
    r = rows[0]
    employer = None
    if r[2] == "employer_host":
        bound = tx.rows("SELECT credit_code FROM device_employers WHERE device_id = ?", (device_id,))
        employer = str(bound[0][0]) if bound else None  # None: the host pulls and pushes nothing
    return Device(r[0], r[1], r[2], r[3], bytes.fromhex(r[4]), r[5] is not None, employer)


def revoke(tx: Tx, device_id: str, revoked_at: str) -> bool:
    """Revoke a device (an earlier revocation keeps its time); False when the device is unknown."""
    return tx.execute("UPDATE devices SET revoked_at = COALESCE(revoked_at, ?) WHERE device_id = ?",
                (revoked_at, device_id)) > 0


def last_sync_at(tx: Tx, device_id: str) -> tuple[str | None] | None:
    """``(last_sync_at,)`` of a device (None inside when it never synced), None when the device is unknown."""
    rows = tx.rows("SELECT last_sync_at FROM devices WHERE device_id = ?", (device_id,))
    return (rows[0][0],) if rows else None


def chain_head(tx: Tx, device_id: str) -> tuple[int, str] | None:
    rows = tx.rows("SELECT last_seq, last_hash FROM devices WHERE device_id = ?", (device_id,))
    return (int(rows[0][0]), str(rows[0][1])) if rows else None


def live_chain_head(tx: Tx, device_id: str) -> tuple[int, str] | None:
    """The chain head of a device that is enrolled and not revoked, or None."""
    last = tx.rows("SELECT last_seq, last_hash, revoked_at FROM devices WHERE device_id = ?", (device_id,))
    if not last or last[0][2] is not None:
        return None
    return int(last[0][0]), str(last[0][1])


def set_chain_head(tx: Tx, device_id: str, seq: int, op_hash: str) -> None:
    tx.write("UPDATE devices SET last_seq = ?, last_hash = ? WHERE device_id = ?", (seq, op_hash, device_id))


def set_chain_heads(tx: Tx, heads: dict[str, tuple[int, str]]) -> None:
    """Several devices' heads at once (``device -> (last seq, last hash)``)."""
    tx.many("UPDATE devices SET last_seq = ?, last_hash = ? WHERE device_id = ?",
            [(seq, h, dev) for dev, (seq, h) in heads.items()])


def overview(tx: Tx) -> list[tuple[Any, ...]]:
    """Every device: ``(device_id, worker_id, role, area_code, revoked_at, last_seq, operations held)``."""
    return tx.rows("SELECT d.device_id, d.worker_id, d.role, d.area_code, d.revoked_at, d.last_seq, "
                "(SELECT COUNT(*) FROM operations o WHERE o.device_id = d.device_id) "
                "FROM devices d ORDER BY d.device_id")
