"""Real damaged vaults: a seeded SQLCipher file with one byte flipped in a chosen page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from outreach.services.seed import seed_people
from storage import Vault, keys, pagemap
from tests.support.storage import raw_connection
from tests.support.vaults import PASSPHRASE

#: Every table of the vault (sqlite_schema itself is page 1, where the salt and key check live).
TABLES = ("schema_migrations", "vault_state", "meta", "oplog", "people", "cards", "visits", "subject_versions",
          "outbox", "op_outcomes", "op_bases", "attachments")


def build_vault(path: Path, people: int = 40) -> dict[str, Any]:
    """A vault with rows in every table: seeded people, cards, visits, photos, sync settings, push outcomes."""
    with Vault.create(path, PASSPHRASE, worker_id="w-damage") as vault:
        seed_people(vault, people, seed=5)
        vault.put_attachment(b"\xff\xd8photo" * 100, "image/jpeg")
        vault.set_meta("sync.center_url", "http://127.0.0.1:9")
        vault.set_meta("pull_checkpoint", "42")
        pushed = vault.pending_operations(5)
        vault.record_push_results([{"op_id": op.op_id, "status": "applied"} for op in pushed[:3]]
                                  + [{"op_id": op.op_id, "status": "rejected", "code": "x"} for op in pushed[3:]])
        return {"ops": {op.seq: op for op in vault.operations()}, "pending": vault.pending_count(),
                "pushed": [op.op_id for op in pushed]}


def roots(path: Path) -> dict[str, int]:
    conn = raw_connection(path)
    try:
        rows = conn.execute("SELECT name, rootpage FROM sqlite_schema WHERE type = 'table'").fetchall()
    finally:
        conn.close()
    return {str(name): int(root) for name, root in rows}


def pages_of(path: Path, table: str) -> list[int]:
    """Every page of ``table``'s own b-tree (and overflow chains), from an intact file."""
    conn = raw_connection(path)
    try:
        rows = conn.execute("SELECT name, rootpage FROM sqlite_schema WHERE rootpage > 0").fetchall()
    finally:
        conn.close()
    key = bytes(keys.derive_key(PASSPHRASE, keys.precheck(path)))
    owner = pagemap.owners(path, key, [(str(n), int(r)) for n, r in rows], set(), 4096, 80)
    return sorted(page for page, name in owner.items() if name == table)


def flip(path: Path, page: int, offset: int = 200) -> None:
    """Flip one bit of one byte inside ``page`` (its ciphertext; the page then fails its HMAC check)."""
    with path.open("r+b") as f:
        f.seek((page - 1) * 4096 + offset)
        byte = f.read(1)
        f.seek((page - 1) * 4096 + offset)
        f.write(bytes([byte[0] ^ 0x01]))


def reset_attempts(path: Path) -> None:
    """A copied vault has no attempts file (which costs a wait): give it a clean one."""
    Path(str(path) + ".attempts.json").write_text(json.dumps({"failures": 0, "last_failure": 0}))
