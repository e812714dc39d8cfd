"""One-time enrolment codes (only their SHA-256) and the employer an employer host's code binds to."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sync.center.sqlstore import Tx


def insert_code(tx: Tx, code_hash: str, worker_id: str, role: str, area_code: str | None, expires_at: str) -> None:
    tx.execute("INSERT INTO enrol_codes (code_hash, worker_id, role, area_code, expires_at) VALUES (?, ?, ?, ?, ?)",
         (code_hash, worker_id, role, area_code, expires_at))


def bind_code_employer(tx: Tx, code_hash: str, credit_code: str) -> None:
    tx.execute("INSERT INTO enrol_code_employers (code_hash, credit_code) VALUES (?, ?)", (code_hash, credit_code))


def code(tx: Tx, code_hash: str) -> tuple[Any, ...] | None:
    """``(worker_id, role, area_code, expires_at, used_at, device_id)`` of a code, or None."""
    rows = tx.rows("SELECT worker_id, role, area_code, expires_at, used_at, device_id FROM enrol_codes "
                "WHERE code_hash = ?", (code_hash,))
    return rows[0] if rows else None


def mark_used(tx: Tx, code_hash: str, used_at: str, device_id: str) -> None:
    tx.execute("UPDATE enrol_codes SET used_at = ?, device_id = ? WHERE code_hash = ?", (used_at, device_id, code_hash))


def code_employer(tx: Tx, code_hash: str) -> str | None:
    """The employer (统一社会信用代码) a code binds its device to, or None."""
    bound = tx.rows("SELECT credit_code FROM enrol_code_employers WHERE code_hash = ?", (code_hash,))
    return str(bound[0][0]) if bound else None
