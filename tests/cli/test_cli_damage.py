"""A damaged vault through the command line: named, refused, nothing changed, and salvaged."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from storage import Vault
from tests.support.cli import run
from tests.support.damage import TABLES, build_vault, flip, pages_of, reset_attempts, roots
from tests.support.storage import file_state
from tests.support.vaults import PASSPHRASE, use_cheap_kdf


@pytest.fixture(scope="module")
def intact(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    mp = pytest.MonkeyPatch()
    use_cheap_kdf(mp)
    try:
        path = tmp_path_factory.mktemp("intact") / "vault.db"
        info = build_vault(path)
        with Vault.open(path, PASSPHRASE) as vault:  # enrolled enough for a transfer file
            box = X25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
            vault.set_meta("sync.center_box_key", box.hex())
        return path, info
    finally:
        mp.undo()


@pytest.fixture
def damaged(intact, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    use_cheap_kdf(monkeypatch)
    path = tmp_path / "v" / "vault.db"
    path.parent.mkdir()
    shutil.copy(intact[0], path)
    reset_attempts(path)
    (tmp_path / "pw").write_text(PASSPHRASE + "\n", encoding="utf-8")
    return path


def _cmd(path: Path, *words: str) -> list[str]:
    return [*words, "--vault", str(path), "--passphrase-file", str(path.parent.parent / "pw")]


@pytest.mark.parametrize("table", [t for t in TABLES if t != "vault_state"])  # vault_state: below; page 1: first_page
def test_vault_check_and_log_verify_name_the_damage(damaged: Path, tmp_path: Path, table: str) -> None:
    flip(damaged, pages_of(damaged, table)[0])
    before = file_state(damaged)
    r = run(*_cmd(damaged, "vault", "check"), cwd=tmp_path)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "保险库已损坏" in r.stderr
    assert "the vault is damaged" in r.stderr
    assert f"({table})" in r.stderr
    assert "log intact" not in r.stdout
    r = run(*_cmd(damaged, "log", "verify"), cwd=tmp_path)
    assert r.returncode == 1
    assert f"({table})" in r.stderr
    assert "log intact" not in r.stdout
    assert "Traceback" not in r.stderr
    assert file_state(damaged) == before


def test_damaged_device_keys_are_reported_in_words(damaged: Path, tmp_path: Path) -> None:
    flip(damaged, roots(damaged)["vault_state"])
    r = run(*_cmd(damaged, "vault", "check"), cwd=tmp_path)
    assert r.returncode == 1
    assert "设备密钥" in r.stderr
    assert "Traceback" not in r.stderr


def test_nothing_writes_into_or_exports_from_a_damaged_vault(damaged: Path, tmp_path: Path) -> None:
    flip(damaged, pages_of(damaged, "people")[0])
    before = file_state(damaged)
    (tmp_path / "reply.json").write_text("{}", encoding="utf-8")
    (tmp_path / "pw2").write_text("correct horse battery staple zebra\n", encoding="utf-8")
    seed = run(*_cmd(damaged, "demo", "seed", "--people", "3"), cwd=tmp_path)
    export = run(*_cmd(damaged, "sync", "export", "--out", str(tmp_path / "usb.json")), cwd=tmp_path)
    sync = run(*_cmd(damaged, "sync"), cwd=tmp_path)  # the center address is a closed port: never reached
    reply = run(*_cmd(damaged, "sync", "import-reply", str(tmp_path / "reply.json")), cwd=tmp_path)
    enrol = run(*_cmd(damaged, "enrol", "--center", "http://127.0.0.1:9", "--code", "abc"), cwd=tmp_path)
    passwd = run(*_cmd(damaged, "vault", "passwd"), "--new-passphrase-file", str(tmp_path / "pw2"), cwd=tmp_path)
    for r in (seed, export, sync, reply, enrol, passwd):
        assert r.returncode == 1, r.stdout + r.stderr
        assert "保险库已损坏" in r.stderr
        assert "salvage" in r.stderr
        assert "Traceback" not in r.stderr
    assert not (tmp_path / "usb.json").exists()
    assert file_state(damaged) == before


def test_salvage_through_the_cli_to_a_fresh_vault_and_a_usb_file(damaged: Path, intact, tmp_path: Path) -> None:
    pages = pages_of(damaged, "oplog")
    flip(damaged, pages[len(pages) // 2])
    before = file_state(damaged)
    fresh, usb = tmp_path / "new" / "vault.db", tmp_path / "usb.json"
    r = run(*_cmd(damaged, "vault", "salvage", "--out", str(fresh), "--usb", str(usb)), cwd=tmp_path)
    assert r.returncode == 1, r.stderr  # some operations were lost: said, and the exit code says it
    assert "could not be recovered" in r.stderr
    assert "recovered" in r.stdout
    assert "transfer file written" in r.stdout
    assert file_state(damaged) == before
    doc = json.loads(usb.read_bytes())
    assert doc["format"] == "outreach-transfer-v1"
    assert doc["device_id"] == intact[1]["ops"][1].device_id
    r = run("log", "verify", "--vault", str(fresh), "--passphrase-file", str(tmp_path / "pw"), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "log intact" in r.stdout
    assert "lost in a salvage" in r.stdout
    r = run(*_cmd(damaged, "vault", "salvage", "--out", str(fresh)), cwd=tmp_path)
    assert r.returncode == 2
    assert "already exists" in r.stderr
