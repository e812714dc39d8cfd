"""No command ends in a traceback: each cause of issue 12 gives a message, an exit code, and changes nothing."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from outreach.cli import id_cmd
from outreach.cli.main import main
from tests.support.cli import env, launcher, run
from tests.support.storage import file_state
from tests.support.vaults import PASSPHRASE

NUMBER = "460106195001010018"


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    (tmp_path / "pw").write_text(PASSPHRASE + "\n", encoding="utf-8")
    path = tmp_path / "v" / "vault.db"
    r = run("vault", "init", "--vault", str(path), "--worker", "w", "--passphrase-file", str(tmp_path / "pw"),
            cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    return path


@pytest.mark.parametrize("encoding_env", [{"PYTHONIOENCODING": "ascii"},
                                          {"LC_ALL": "C", "LANG": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0",
                                           "PYTHONIOENCODING": ""}])
def test_a_terminal_that_cannot_show_chinese(tmp_path: Path, encoding_env: dict[str, str]) -> None:
    r = run("id", "check", "46010619500101001X", cwd=tmp_path, extra_env=encoding_env)
    assert "Traceback" not in r.stderr
    assert r.returncode == 1  # invalid check digit: the answer, not a crash
    assert "invalid" in r.stdout
    assert "check digit" in r.stdout


@pytest.mark.parametrize(("content", "said"), [(b"\xff\xfe\x00\x81binary", "not UTF-8 text"),
                                               (b"", "the passphrase is empty"),
                                               (b"\n\nsecond line", "the passphrase is empty")])
def test_a_bad_passphrase_file(vault: Path, tmp_path: Path, content: bytes, said: str) -> None:
    bad = tmp_path / "bad-pw"
    bad.write_bytes(content)
    before = file_state(vault)
    for cmd in (["vault", "check"], ["log", "verify"], ["demo", "seed", "--people", "1"]):
        r = run(*cmd, "--vault", str(vault), "--passphrase-file", str(bad), cwd=tmp_path)
        assert r.returncode == 2, r.stderr
        assert said in r.stderr
        assert "Traceback" not in r.stderr
    assert file_state(vault) == before


@pytest.mark.parametrize("url", ["not a url", "ftp://center.example", "http://", "http://[::1", "中心"])
def test_an_invalid_center_address_in_enrol(vault: Path, tmp_path: Path, url: str) -> None:
    before = file_state(vault)
    r = run("enrol", "--center", url, "--code", "abc", "--vault", str(vault), "--passphrase-file",
            str(tmp_path / "pw"), cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    assert "invalid center address" in r.stderr
    assert "Traceback" not in r.stderr
    assert file_state(vault) == before


def test_sync_export_into_a_missing_folder(vault: Path, tmp_path: Path) -> None:
    before = file_state(vault)
    r = run("sync", "export", "--out", str(tmp_path / "no" / "such" / "usb.json"), "--vault", str(vault),
            "--passphrase-file", str(tmp_path / "pw"), cwd=tmp_path)
    assert r.returncode == 2
    assert "no such folder" in r.stderr
    assert "Traceback" not in r.stderr
    assert file_state(vault) == before


def test_output_cut_off_by_head_ends_quietly(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, str(launcher(tmp_path)), "--help"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env(), cwd=tmp_path)
    assert proc.stdout is not None
    proc.stdout.close()  # the reader is gone before anything is written (as `| head -0`)
    _, err = proc.communicate(timeout=120)
    assert b"Traceback" not in err
    assert b"BrokenPipeError" not in err
    assert proc.returncode in (0, 141)


def test_an_unexpected_error_is_one_line_and_a_log_without_personal_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(number: str, doc_type: object = None) -> None:
        raise RuntimeError(f"cannot handle {number} of 王小明, mobile 13800138000")

    monkeypatch.setattr(id_cmd, "check_identity", broken)
    assert main(["id", "check", NUMBER]) == 1
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert "意外错误（RuntimeError）" in err
    assert "unexpected error (RuntimeError)" in err
    log = Path(os.environ["OUTREACH_DATA_DIR"]) / "outreach-errors.log"
    assert str(log) in err
    text = log.read_text(encoding="utf-8")
    assert "id check" in text
    assert "RuntimeError" in text
    assert "id_cmd.py" in text
    for secret in (NUMBER, "王小明", "13800138000"):
        assert secret not in text
        assert secret not in err + out
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert main(["--lang", "en", "id", "check", NUMBER]) == 1
    err = capsys.readouterr().err
    assert err.startswith("unexpected error (RuntimeError)")
    assert "意外" not in err


def test_a_vault_another_program_holds_is_said_in_words(vault: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite's OperationalError ("database is locked") becomes the vault's own error: words, exit 1, and the
    command's work is not half-done (the log is as it was)."""
    from storage import Vault
    from tests.support.storage import raw_connection
    from tests.support.vaults import use_cheap_kdf

    use_cheap_kdf(monkeypatch)  # the same keys as the command's launcher
    with Vault.open(vault, PASSPHRASE) as v:
        ops = len(list(v.operations()))
    holder = raw_connection(vault)
    holder.execute("BEGIN IMMEDIATE")  # another program is writing
    try:
        r = run("demo", "seed", "--people", "2", "--vault", str(vault), "--passphrase-file", str(tmp_path / "pw"),
                cwd=tmp_path)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert r.returncode == 1, r.stdout + r.stderr
    assert "另一个程序" in r.stderr
    assert "another program is using the vault" in r.stderr
    assert "Traceback" not in r.stderr
    with Vault.open(vault, PASSPHRASE) as v:
        assert len(list(v.operations())) == ops


@pytest.mark.parametrize("words", [["vault", "check"], ["log", "verify"]])
def test_a_command_whose_reader_goes_away_ends_quietly(vault: Path, tmp_path: Path, words: list[str]) -> None:
    """`outreach vault check | head -0`: the reader is gone before the report is printed; no BrokenPipeError, and
    the vault is not changed by the cut-off."""
    before = file_state(vault)
    proc = subprocess.Popen([sys.executable, str(launcher(tmp_path)), *words, "--vault", str(vault),
                             "--passphrase-file", str(tmp_path / "pw")], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env(), cwd=tmp_path)
    assert proc.stdout is not None
    proc.stdout.close()
    _, err = proc.communicate(timeout=120)
    assert b"Traceback" not in err
    assert b"BrokenPipeError" not in err
    assert proc.returncode in (0, 141)
    assert file_state(vault) == before
