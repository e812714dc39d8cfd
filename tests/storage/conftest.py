"""Fixtures of the storage tests: real SQLCipher files in tmp_path, no mocks."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from storage import Vault, driver, guard, keys

PASSPHRASE = "海南-outreach-2026"


def person_payload(name: str = "王小明", number: str = "460106195001010018", **extra: Any) -> dict[str, Any]:
    """A Person dump (as ``model_dump(mode="json")`` would give it)."""
    person = {
        "person_id": str(uuid.uuid4()),
        "name": name,
        "gender": "1",
        "ethnicity": "01",
        "birth_date": "1950-01-01",
        "nationality": "CHN",
        "document": {"doc_type": "resident_id", "number": number, "valid_from": None, "valid_until": None},
        "ss_number": number,
        "mobile": "13800138000",
        "occupation": None,
        "address": "海南省海口市龙华区新坡镇",
        "area_code": "460106",
        "photo_ref": None,
        "hardship": "none",
        "agent": None,
        "deceased_on": None,
    }
    person.update(extra)
    return person


def card_dump(person_id: str, status: str = "applied", number: str | None = None) -> dict[str, Any]:
    return {
        "card_id": str(uuid.uuid4()),
        "person_id": person_id,
        "status": status,
        "bank_activated": False,
        "card_number": number,
        "generation": "3",
        "accepted_on": "2026-10-01",
        "issued_on": None,
        "expires_on": None,
        "collected_on": None,
        "temp_loss_period": None,
        "temp_loss_since": None,
        "lost_on": None,
        "replacement_applied": False,
        "cancelled_on": None,
        "reason": "first",
        "electronic": False,
    }


def register(vault: Vault, **kw: Any) -> dict[str, Any]:
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


@pytest.fixture
def vault_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "vault.db"


@pytest.fixture
def vault(vault_path: Path):
    v = Vault.create(vault_path, PASSPHRASE, worker_id="worker-1")
    yield v
    v.close()


@pytest.fixture
def fake_clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The back-off clock, moved by hand: ``fake_clock[0] += 60``."""
    now = [1_800_000_000.0]
    monkeypatch.setattr(guard, "clock", lambda: now[0])
    return now
