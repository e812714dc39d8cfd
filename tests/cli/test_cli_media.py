"""Read-only media and a full disk through the command line: reading works, writing says why not, nothing
is lost; and the vault's files are private (600, folder 700) whatever the umask."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from storage import Vault
from tests.support.cli import env, in_namespace, launcher, namespaces_work, run
from tests.support.storage import file_state
from tests.support.vaults import PASSPHRASE, use_cheap_kdf

needs_namespaces = pytest.mark.skipif(
    not namespaces_work(), reason="needs mount namespaces (unshare -m, bind and tmpfs mounts) to make read-only "
                                  "media and a full disk; root ignores file modes, so nothing else can")


@pytest.fixture
def pw(tmp_path: Path) -> Path:
    path = tmp_path / "pw"
    path.write_text(PASSPHRASE + "\n", encoding="utf-8")
    return path


@needs_namespaces
def test_a_vault_on_read_only_media_is_read_and_never_written(tmp_path: Path, pw: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    use_cheap_kdf(monkeypatch)
    stick = tmp_path / "stick"
    vault = stick / "vault.db"
    from outreach.services.seed import seed_people

    with Vault.create(vault, PASSPHRASE, worker_id="w-ro") as v:
        seed_people(v, 20, seed=1)
    (stick / "vault.db.attempts.json").unlink()  # a stick copied without it: must not cost a wait either
    before = {p.name: p.read_bytes() for p in stick.iterdir()}
    common = ["--vault", str(vault), "--passphrase-file", str(pw)]
    results = in_namespace(
        f"mount --bind {stick} {stick} && mount -o remount,ro,bind {stick} || exit 1",
        [["vault", "check", *common], ["log", "verify", *common], ["demo", "seed", "--people", "2", *common],
         ["vault", "passwd", *common, "--new-passphrase-file", str(pw)], ["sync", *common]],
        cwd=tmp_path)
    (check_rc, check_out, check_err), (verify_rc, verify_out, _) = results[0], results[1]
    assert check_rc == 0, check_err
    assert "log intact" in check_out
    assert "no damaged pages" in check_out
    assert verify_rc == 0
    assert "log intact" in verify_out
    for rc, out, err in results[2:]:
        assert rc == 1, out + err
        assert "只读介质" in err
        assert "read-only media" in err
        assert "Traceback" not in err
    assert {p.name: p.read_bytes() for p in stick.iterdir()} == before


@needs_namespaces
def test_a_full_disk_is_said_in_words_and_loses_nothing(tmp_path: Path, pw: Path) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    vault = disk / "v" / "vault.db"
    common = ["--vault", str(vault), "--passphrase-file", str(pw)]
    results = in_namespace(
        f"mount -t tmpfs -o size=3m tmpfs {disk} || exit 1",
        [["vault", "init", "--worker", "w-full", *common],
         ["demo", "seed", "--people", "150", *common],
         ["log", "verify", *common],
         ["demo", "seed", "--people", "3000", "--seed", "2", *common],  # fills the disk
         f"dd if=/dev/zero of={disk}/filler bs=4k 2>/dev/null; true",  # to the last byte
         ["log", "verify", *common],
         ["vault", "check", *common],  # opening on a full disk works
         ["demo", "seed", "--people", "5", "--seed", "3", *common]],
        cwd=tmp_path)
    init, seed, verify, overflow, verify_after, check, again = results
    assert init[0] == 0, init
    assert seed[0] == 0, seed
    assert verify[0] == 0, verify
    first = int(verify[1].split("共 ")[1].split(" ")[0])
    assert overflow[0] == 1, overflow
    assert "磁盘已满" in overflow[2]
    assert "the disk is full" in overflow[2]
    assert "Traceback" not in overflow[2]
    assert verify_after[0] == 0, verify_after
    after = int(verify_after[1].split("共 ")[1].split(" ")[0])
    assert after >= first  # what was saved before is all there (whole seeding batches may have been added)
    assert check[0] == 0, check
    assert again[0] == 1
    assert "the disk is full" in again[2]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_vault_files_are_private_whatever_the_umask(tmp_path: Path, pw: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use_cheap_kdf(monkeypatch)
    vault = tmp_path / "new" / "deeper" / "vault.db"
    code = ("import os, sys, runpy; os.umask(0); sys.argv = [sys.argv[0], *sys.argv[1:]]; "
            f"runpy.run_path({str(launcher(tmp_path))!r}, run_name='__main__')")
    done = subprocess.run([sys.executable, "-c", code, "vault", "init", "--vault", str(vault), "--worker", "w",
                           "--passphrase-file", str(pw)], capture_output=True, text=True, env=env(), timeout=120)
    assert done.returncode == 0, done.stderr
    assert _mode(vault) == 0o600
    assert _mode(vault.parent) == 0o700
    assert _mode(vault.parent.parent) == 0o700
    assert _mode(Path(str(vault) + ".attempts.json")) == 0o600
    old = os.umask(0)
    try:
        with Vault.open(vault, PASSPHRASE) as v:
            v.set_meta("k", "v")
            for suffix in ("-wal", "-shm"):
                companion = Path(str(vault) + suffix)
                assert companion.exists()
                assert _mode(companion) == 0o600, suffix
    finally:
        os.umask(old)


def test_an_old_world_readable_vault_is_made_private_on_opening(tmp_path: Path, pw: Path) -> None:
    vault = tmp_path / "vault.db"
    r = run("vault", "init", "--vault", str(vault), "--worker", "w", "--passphrase-file", str(pw), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    os.chmod(vault, 0o644)
    before = file_state(vault)
    r = run("log", "verify", "--vault", str(vault), "--passphrase-file", str(pw), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert file_state(vault)[""] == before[""]
    r = run("demo", "seed", "--people", "1", "--vault", str(vault), "--passphrase-file", str(pw), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert _mode(vault) == 0o600
