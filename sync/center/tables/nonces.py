"""Request nonces each device used lately (replays are refused)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sync.center.sqlstore import Tx


def forget_before(tx: Tx, seen_before: str) -> None:
    tx.execute("DELETE FROM nonces WHERE seen_at < ?", (seen_before,))


def remember(tx: Tx, device_id: str, nonce: str, seen_at: str) -> bool:
    """Record a nonce; False when the device used it already."""
    return tx.execute("INSERT INTO nonces (device_id, nonce, seen_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                (device_id, nonce, seen_at)) > 0
