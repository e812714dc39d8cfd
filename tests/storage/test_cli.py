"""The vault commands through a subprocess, passphrases from files (never arguments)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from storage import Vault


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    return subprocess.run(
        [sys.executable, "-m", "outreach.cli.main", *args],
        capture_output=True, text=True, timeout=300, env=env, cwd=cwd, stdin=subprocess.DEVNULL,
    )


def test_cli_init_seed_check_passwd_verify(tmp_path: Path) -> None:
    vault = tmp_path / "v" / "vault.db"
    old, new = tmp_path / "old.txt", tmp_path / "new.txt"
    old.write_text("brass lantern old quay\n", encoding="utf-8")
    new.write_text("copper sail new harbour\n", encoding="utf-8")
    r = _run("vault", "init", "--vault", str(vault), "--worker", "w-cli", "--passphrase-file", str(old), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    r = _run("vault", "init", "--vault", str(vault), "--worker", "w-cli", "--passphrase-file", str(old), cwd=tmp_path)
    assert r.returncode == 1
    assert "already exists" in r.stderr
    r = _run("demo", "seed", "--vault", str(vault), "--people", "40", "--seed", "3", "--passphrase-file", str(old),
             cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "seeded 40 people" in r.stdout
    r = _run("--vault", str(vault), "vault", "check", "--passphrase-file", str(old), cwd=tmp_path)  # global --vault
    assert r.returncode == 0, r.stderr
    assert "log intact" in r.stdout
    assert "0001_core" in r.stdout
    r = _run("vault", "passwd", "--vault", str(vault), "--passphrase-file", str(old),
             "--new-passphrase-file", str(new), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    r = _run("log", "verify", "--vault", str(vault), "--passphrase-file", str(old), cwd=tmp_path)
    assert r.returncode == 1
    assert "wrong passphrase" in r.stderr
    assert "Traceback" not in r.stderr
    assert "旧口令" not in r.stderr + r.stdout
    r = _run("log", "verify", "--vault", str(vault), "--passphrase-file", str(new), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "log intact" in r.stdout
    with Vault.open(vault, "copper sail new harbour") as v:
        assert v.worker_id == "w-cli"
        assert len(v.find_people("w")) > 0


def test_cli_needs_a_passphrase_source_and_handles_foreign_file(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello, this is not a vault\n" * 300, encoding="utf-8")
    pw = tmp_path / "pw"
    pw.write_text("x\n", encoding="utf-8")
    r = _run("vault", "check", "--vault", str(text), cwd=tmp_path)
    assert r.returncode == 2
    assert "--passphrase-file" in r.stderr
    r = _run("vault", "check", "--vault", str(text), "--passphrase-file", str(pw), cwd=tmp_path)
    assert r.returncode == 1
    assert "not a vault" in r.stderr
    assert "Traceback" not in r.stderr
