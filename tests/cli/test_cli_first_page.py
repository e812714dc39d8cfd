"""Damage to the vault's first page (the file header and the table of contents) through the command line.

SQLCipher checks a key on page 1, so a damaged page 1 used to read as a wrong passphrase. The other pages
verify under the right key: the vault says the first page is damaged, counts no failed attempt, changes
nothing, and ``vault salvage`` saves every operation from a repaired copy of that page.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from storage import Vault
from tests.support.cli import run
from tests.support.damage import build_vault, flip, reset_attempts
from tests.support.storage import file_state
from tests.support.vaults import PASSPHRASE, use_cheap_kdf


@pytest.fixture(scope="module")
def intact(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    mp = pytest.MonkeyPatch()
    use_cheap_kdf(mp)
    try:
        path = tmp_path_factory.mktemp("intact") / "vault.db"
        return path, build_vault(path)
    finally:
        mp.undo()


@pytest.fixture
def vault(intact, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    use_cheap_kdf(monkeypatch)
    path = tmp_path / "v" / "vault.db"
    path.parent.mkdir()
    shutil.copy(intact[0], path)
    reset_attempts(path)
    (tmp_path / "pw").write_text(PASSPHRASE + "\n", encoding="utf-8")
    (tmp_path / "wrong").write_text("not the passphrase at all\n", encoding="utf-8")
    return path


def _cmd(path: Path, *words: str, pw: str = "pw") -> list[str]:
    return [*words, "--vault", str(path), "--passphrase-file", str(path.parent.parent / pw)]


def _failures(path: Path) -> int:
    return int(json.loads(Path(str(path) + ".attempts.json").read_text())["failures"])


#: Offsets in page 1: the file header (page size, reserve), unused space, the end of the usable area.
@pytest.mark.parametrize("offset", [20, 200, 4000])
def test_first_page_damage_is_not_a_wrong_passphrase(vault: Path, tmp_path: Path, offset: int) -> None:
    flip(vault, 1, offset)
    before = file_state(vault)
    for words in (("vault", "check"), ("log", "verify"), ("sync",), ("demo", "seed", "--people", "1")):
        r = run(*_cmd(vault, *words), cwd=tmp_path)
        assert r.returncode == 1, r.stdout + r.stderr
        assert "口令正确，但保险库第 1 页" in r.stderr
        assert "the passphrase is right, but the vault's first page" in r.stderr
        assert "vault salvage" in r.stderr
        assert "wrong passphrase" not in r.stderr
        assert "Traceback" not in r.stderr
    assert _failures(vault) == 0  # the right passphrase costs no wait
    wrong = run(*_cmd(vault, "vault", "check", pw="wrong"), cwd=tmp_path)
    assert wrong.returncode == 1
    assert "wrong passphrase" in wrong.stderr
    assert "first page" not in wrong.stderr
    assert _failures(vault) == 1
    assert file_state(vault) == before


@pytest.mark.parametrize("offset", [20, 200])
def test_salvage_repairs_the_first_page_and_saves_every_operation(vault: Path, intact, tmp_path: Path,
                                                                  offset: int) -> None:
    flip(vault, 1, offset)
    before = file_state(vault)
    fresh = tmp_path / "new" / "vault.db"
    r = run(*_cmd(vault, "vault", "salvage", "--out", str(fresh)), cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "repairing a copy of the first page" in r.stderr
    ops = intact[1]["ops"]
    assert f"recovered {len(ops)} operation(s)" in r.stdout
    assert file_state(vault) == before
    assert sorted(p.name for p in fresh.parent.iterdir()) == ["vault.db", "vault.db.attempts.json"]  # no copy left
    with Vault.open(fresh, PASSPHRASE) as new:
        assert [op.hash for op in new.operations()] == [ops[s].hash for s in sorted(ops)]
        assert new.pending_count() == intact[1]["pending"]
        assert new.verify_log().ok
    r = run("log", "verify", "--vault", str(fresh), "--passphrase-file", str(tmp_path / "pw"), cwd=tmp_path)
    assert r.returncode == 0
    assert "log intact" in r.stdout


def test_a_garbled_table_of_contents_is_said_and_nothing_is_created(vault: Path, tmp_path: Path) -> None:
    flip(vault, 1, 120)  # the cell pointers of page 1: the schema's root cannot be found
    before = file_state(vault)
    fresh = tmp_path / "new" / "vault.db"
    r = run(*_cmd(vault, "vault", "salvage", "--out", str(fresh)), cwd=tmp_path)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "数据库结构目录本身已损坏" in r.stderr
    assert "what was synced is safe at the center" in r.stderr
    assert "Traceback" not in r.stderr
    assert not fresh.exists()
    assert not list(tmp_path.rglob("*page1-repair*"))  # the repaired copy is removed
    assert file_state(vault) == before
