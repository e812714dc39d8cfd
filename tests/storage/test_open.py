"""Create, open, wrong passphrase (file untouched, back-off), change passphrase, lock, refusals."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from storage import (
    CorruptVaultError,
    ForeignFileError,
    NotEncryptedError,
    TooManyAttemptsError,
    Vault,
    VaultExistsError,
    VaultLockedError,
    VaultNotFoundError,
    WrongPassphraseError,
    driver,
    errors,
    guard,
)
from tests.support.storage import file_state, register
from tests.support.vaults import PASSPHRASE


def test_create_then_open_keeps_identity_and_data(vault_path: Path) -> None:
    with Vault.create(vault_path, PASSPHRASE, worker_id="w-1") as v:
        device, public = v.device_id, v.public_key
        person = register(v)
    assert len(public) == 32
    assert vault_path.read_bytes()[:16] != b"SQLite format 3\x00"
    with Vault.open(vault_path, PASSPHRASE) as v:
        assert (v.device_id, v.worker_id, v.public_key) == (device, "w-1", public)
        assert v.get_person(person["person_id"]).name == "王小明"
        assert v.verify_log().ok


def test_create_refuses_existing_file(vault: Vault, vault_path: Path) -> None:
    with pytest.raises(VaultExistsError):
        Vault.create(vault_path, PASSPHRASE, worker_id="w")


def test_open_missing_file(tmp_path: Path) -> None:
    with pytest.raises(VaultNotFoundError):
        Vault.open(tmp_path / "nope.db", PASSPHRASE)


def test_wrong_passphrase_clear_error_and_file_unchanged(vault: Vault, vault_path: Path, fake_clock) -> None:
    register(vault)
    vault.close()
    before = file_state(vault_path)
    with pytest.raises(WrongPassphraseError) as info:
        Vault.open(vault_path, "not the passphrase")
    assert "口令不正确" in str(info.value)
    assert "wrong passphrase" in str(info.value)
    assert "not the passphrase" not in str(info.value)
    assert file_state(vault_path) == before


def test_backoff_grows_and_survives_restart(vault: Vault, vault_path: Path, fake_clock) -> None:
    vault.close()
    waits = []
    for _ in range(6):
        with pytest.raises(WrongPassphraseError) as info:
            Vault.open(vault_path, "wrong")
        waits.append(info.value.retry_after)
        if waits[-1] > 0:  # the next try is refused before any key is derived, even the right one
            with pytest.raises(TooManyAttemptsError) as wait:
                Vault.open(vault_path, PASSPHRASE)
            assert wait.value.retry_after == pytest.approx(waits[-1])
        fake_clock[0] += waits[-1] + 0.01
    assert waits[:2] == [0.0, 0.0]
    assert waits[2] > 0
    assert all(b > a for a, b in zip(waits[2:], waits[3:], strict=False))
    state = json.loads(guard.guard_path(vault_path).read_text())
    assert set(state) == {"failures", "last_failure"}
    assert state["failures"] == 6
    # a fresh process (restart) sees the same count and refuses at once, even the right passphrase
    code = (
        "import sys; from storage import Vault, TooManyAttemptsError\n"
        "try:\n    Vault.open(sys.argv[1], sys.argv[2])\n"
        "except TooManyAttemptsError as e:\n    print('WAIT', e.retry_after > 0)\n"
    )
    guard._write(vault_path, 6, __import__("time").time())
    out = subprocess.run([sys.executable, "-c", code, str(vault_path), PASSPHRASE], capture_output=True, text=True)
    assert out.stdout.strip() == "WAIT True", out.stderr
    # once the wait is over the right passphrase opens and resets the count
    guard._write(vault_path, 6, 0.0)
    fake_clock[0] = 1e10
    Vault.open(vault_path, PASSPHRASE).close()
    assert guard.read_state(vault_path)[0] == 0


def test_missing_or_garbled_counter_costs_a_wait(vault: Vault, vault_path: Path, fake_clock) -> None:
    vault.close()
    for damage in (lambda p: p.unlink(), lambda p: p.write_text("{not json")):
        damage(guard.guard_path(vault_path))
        with pytest.raises(TooManyAttemptsError):
            Vault.open(vault_path, PASSPHRASE)
        fake_clock[0] += guard.MAX_DELAY
        Vault.open(vault_path, PASSPHRASE).close()


def test_change_passphrase(vault: Vault, vault_path: Path, fake_clock) -> None:
    person = register(vault)
    with pytest.raises(WrongPassphraseError):
        vault.change_passphrase("wrong old", "new-pass-1")
    vault.change_passphrase(PASSPHRASE, "new-pass-1")
    register(vault, name="陈美玲", number="46000219800202002X")  # still usable after rekey
    vault.close()
    with pytest.raises(WrongPassphraseError):
        Vault.open(vault_path, PASSPHRASE)
    with Vault.open(vault_path, "new-pass-1") as v:
        assert v.get_person(person["person_id"]) is not None
        assert v.verify_log().ok
        assert v.verify_log().checked == 2


def test_lock_drops_connection_and_key(vault: Vault, vault_path: Path) -> None:
    register(vault)
    vault.lock()
    assert not vault.is_open
    assert vault._key is None
    assert vault._signer is None
    with pytest.raises(VaultLockedError):
        vault.append("person.update", "x", {})
    with pytest.raises(VaultLockedError):
        vault.find_people("王")
    assert not Path(str(vault_path) + "-wal").exists() or Path(str(vault_path) + "-wal").stat().st_size == 0


def test_refuses_unencrypted_driver(vault: Vault, vault_path: Path, tmp_path: Path, monkeypatch) -> None:
    vault.close()
    monkeypatch.setattr(driver, "dbapi", sqlite3)
    with pytest.raises(NotEncryptedError) as info:
        Vault.create(tmp_path / "plain.db", PASSPHRASE, worker_id="w")
    assert "SQLCipher" in str(info.value)
    assert not (tmp_path / "plain.db").exists()
    before = file_state(vault_path)
    with pytest.raises(NotEncryptedError):
        Vault.open(vault_path, PASSPHRASE)
    assert file_state(vault_path) == before


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("cut", ["mid_page", "page_boundary", "empty"])
def test_truncated_vault(vault: Vault, vault_path: Path, cut: str) -> None:
    for i in range(60):
        register(vault, name=f"王{i}号", number=f"4601061950010{i:04d}1")
    vault.close()
    data = vault_path.read_bytes()
    assert len(data) >= 5 * driver.PAGE_SIZE
    size = {"mid_page": len(data) - 1000, "page_boundary": 2 * driver.PAGE_SIZE, "empty": 0}[cut]
    vault_path.write_bytes(data[:size])
    before = file_state(vault_path)
    with pytest.raises(CorruptVaultError) as info:
        Vault.open(vault_path, PASSPHRASE)
    assert "损坏" in str(info.value)
    assert "damaged" in str(info.value)
    assert file_state(vault_path) == before


def test_foreign_files(tmp_path: Path) -> None:
    plain = tmp_path / "plain.db"
    with sqlite3.connect(plain) as conn:
        conn.execute("CREATE TABLE t(x)")
        conn.execute("INSERT INTO t VALUES ('王小明')")
    conn.close()
    text = tmp_path / "notes.txt"
    text.write_text("这不是保险库 this is not a vault\n" * 400, encoding="utf-8")
    for path in (plain, text):
        digest = _sha(path)
        with pytest.raises(ForeignFileError) as info:
            Vault.open(path, PASSPHRASE)
        assert "不是保险库" in str(info.value)
        assert _sha(path) == digest
        assert not Path(str(path) + "-wal").exists()


def test_error_tree_is_documented_and_bilingual() -> None:
    classes = [c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, errors.VaultError)]
    assert len(classes) >= 10
    for cls in classes:
        assert cls.__name__ in (errors.__doc__ or "")
        if cls is not errors.TooManyAttemptsError:
            err = cls()
            assert any("\u4e00" <= ch <= "\u9fff" for ch in err.message_zh), cls
            assert err.message_en.isascii()
            assert str(err).startswith(err.message_zh)


def test_rekey_is_atomic_across_a_kill_before_checkpoint(vault: Vault, vault_path: Path) -> None:
    """Killed right after the rekey transaction (re-encrypted pages only in the WAL): new passphrase opens."""
    for i in range(30):
        register(vault, name=f"邢{i}", number=f"4690301970010{i:04d}5")
    vault.close()
    code = (
        "import os, sys\nfrom storage import Vault, driver, keys\n"
        "v = Vault.open(sys.argv[1], sys.argv[2])\n"
        "driver.rekey(v._db(), bytes(keys.derive_key('after-kill', v._salt)))\n"
        "os._exit(0)\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(vault_path), PASSPHRASE], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert Path(str(vault_path) + "-wal").stat().st_size > 0
    with pytest.raises(WrongPassphraseError):
        Vault.open(vault_path, PASSPHRASE)
    with Vault.open(vault_path, "after-kill") as v:
        assert v.verify_log().checked == 30
