"""Storage-level helpers: a vault file opened as an attacker who knows the passphrase would, file snapshots."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from storage import Vault, driver, keys
from tests.support.people import person_payload
from tests.support.vaults import PASSPHRASE


def register(vault: Vault, **kw: Any) -> dict[str, Any]:
    """Append a ``person.register`` of a fresh person; returns the person dump."""
    person = person_payload(**kw)
    vault.append("person.register", person["person_id"], {"person": person})
    return person


def raw_connection(path: Path, passphrase: str = PASSPHRASE) -> Any:
    """What an attacker who knows the passphrase gets: a keyed connection, no Vault rules."""
    key = keys.derive_key(passphrase, keys.precheck(path))
    conn = driver.connect(path, bytes(key))
    conn.execute("PRAGMA journal_mode = WAL")
    return conn


def file_state(path: Path) -> dict[str, bytes | None]:
    """Bytes of the vault and its WAL/SHM companions (None when absent)."""
    out: dict[str, bytes | None] = {}
    for suffix in ("", "-wal", "-shm"):
        p = Path(str(path) + suffix)
        out[suffix] = p.read_bytes() if p.exists() else None
    return out
