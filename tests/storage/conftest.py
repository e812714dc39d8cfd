"""Fixtures of the storage tests: real SQLCipher files in tmp_path, no mocks."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage import Vault, guard
from tests.support.vaults import PASSPHRASE


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
