"""Which worker has which person on the visit plan."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sync.center.sqlstore import Tx

_INSERT = "INSERT INTO assignments (worker_id, person_id, assigned_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"


def add(tx: Tx, worker_id: str, person_id: str, assigned_at: str) -> bool:
    """Assign; False when the person was assigned to the worker already."""
    return tx.execute(_INSERT, (worker_id, person_id, assigned_at)) > 0


def claim(tx: Tx, worker_id: str, person_id: str, assigned_at: str) -> None:
    """Assign, whether or not assigned already (no answer needed: queued with the push's other writes)."""
    tx.write(_INSERT, (worker_id, person_id, assigned_at))


def is_assigned(tx: Tx, worker_id: str, person_id: str) -> bool:
    return bool(tx.rows("SELECT 1 FROM assignments WHERE worker_id = ? AND person_id = ?", (worker_id, person_id)))
