"""The center's private keys in ``meta`` (until they move to a key file: :mod:`sync.center.keyfile`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sync.center.sqlstore import Tx

#: The ``meta`` keys of the signing (Ed25519) and transfer (X25519) private keys, hex.
SIGN, BOX = "sign_key", "box_key"


def read(tx: Tx) -> dict[str, str]:
    """The key rows present: ``{"sign_key": hex, "box_key": hex}``, either or both missing."""
    return {str(k): str(v) for k, v in tx.rows("SELECT key, value FROM meta WHERE key IN ('sign_key', 'box_key')")}


def insert_if_absent(tx: Tx, key: str, value: str) -> None:
    """Store a key unless one is stored already (the first process to start wins)."""
    tx.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT DO NOTHING", (key, value))


def delete(tx: Tx) -> None:
    """Forget both keys (they live in the key file now)."""
    tx.execute("DELETE FROM meta WHERE key IN ('sign_key', 'box_key')")
