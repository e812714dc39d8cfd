"""200,000 visits of a supervisor's real vault to CSV and XLSX in bounded memory (under 300 MB RSS, measured in
a process of its own), with progress and cancel; a cancelled or killed export leaves nothing that looks
complete and moves no checkpoint; "since my last export" then writes only what is new (issue 14)."""

from __future__ import annotations

import csv
import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.exports import scale_vault
from tests.support.vaults import use_cheap_kdf

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
VISITS = 200_000
RSS_LIMIT_MB = 300


@pytest.fixture(scope="module")
def big_vault(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    mp = pytest.MonkeyPatch()
    use_cheap_kdf(mp)
    try:
        path = tmp_path_factory.mktemp("big") / "vault.db"
        ids = scale_vault.build(path, VISITS)
    finally:
        mp.undo()
    return path, ids


def _child(vault: Path, out: Path, formats: str, *extra: str) -> dict[str, Any]:
    run = subprocess.run([sys.executable, "-m", "tests.exports.scale_child", str(vault), str(out), formats, *extra],
                         cwd=ROOT, capture_output=True, text=True, timeout=600, check=True)
    lines = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    return {**lines[-1], "progress": [x["progress"] for x in lines[:-1]]}


def _csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [r for r in csv.reader(fh) if r and not r[0].startswith("#")]


def _copy(vault: Path, to: Path) -> Path:
    """A copy of the vault for one test (each moves its export checkpoint), with its passphrase-attempt
    counter (a vault without one costs a wait: storage/guard.py)."""
    from storage.guard import guard_path

    shutil.copy(vault, to)
    shutil.copy(guard_path(vault), guard_path(to))
    return to


def test_200000_visits_to_csv_and_xlsx_in_bounded_memory_with_progress(big_vault, tmp_path):
    from python_calamine import CalamineWorkbook

    vault = _copy(big_vault[0], tmp_path / "vault.db")
    out = tmp_path / "out"
    out.mkdir()
    got = _child(vault, out, "csv,xlsx")
    assert got["rows"] == VISITS
    assert got["peak_rss_mb"] < RSS_LIMIT_MB, got
    steps = got["progress"]
    assert len(steps) >= VISITS // 2000  # a step every 2,000 rows, rising to the whole count
    assert steps == sorted(steps)
    assert steps[-1] == VISITS

    folder = Path(got["folder"])
    assert not folder.name.endswith(".partial")
    (csv_file,) = folder.glob("*-visits.csv")
    rows = _csv_rows(csv_file)
    assert len(rows) == VISITS + 1  # header and every visit
    assert len({r[0] for r in rows[1:]}) == VISITS
    assert all("*" in r[5] for r in rows[1:1000])  # identity numbers masked
    book = CalamineWorkbook.from_path(str(next(folder.glob("*.xlsx"))))
    sheet = [name for name in book.sheet_names if "走访" in name]
    body = [r for name in sheet for r in book.get_sheet_by_name(name).to_python()[1:] if any(c != "" for c in r)]
    assert len(body) == VISITS
    assert {str(r[0]) for r in body} == {r[0] for r in rows[1:]}
    verify = subprocess.run([sys.executable, "-m", "outreach.cli.main", "export", "verify", str(folder)],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert verify.returncode == 0, verify.stderr


@pytest.mark.parametrize("formats", ["csv", "xlsx"])
def test_a_cancelled_export_of_200000_visits_leaves_nothing(big_vault, tmp_path, formats):
    vault = _copy(big_vault[0], tmp_path / "vault.db")
    out = tmp_path / "out"
    out.mkdir()
    got = _child(vault, out, formats, "--cancel-at", "60000")
    assert got["cancelled"]
    assert 60_000 <= got["last_step"] < VISITS
    assert got["peak_rss_mb"] < RSS_LIMIT_MB
    assert list(out.iterdir()) == []


def test_a_killed_export_looks_unfinished_and_since_last_then_exports_only_what_is_new(big_vault, tmp_path):
    vault = _copy(big_vault[0], tmp_path / "vault.db")
    out = tmp_path / "out"
    out.mkdir()
    # the process dies in the middle of writing (power cut, kill): only a ".partial" folder stays, without a
    # manifest, and verify refuses it
    child = subprocess.Popen([sys.executable, "-m", "tests.exports.scale_child", str(vault), str(out), "csv,xlsx",
                              "--since-last"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    for line in child.stdout:
        if json.loads(line).get("progress", 0) >= 40_000:
            child.send_signal(signal.SIGKILL)
            break
    child.wait(timeout=60)
    child.stdout.close()
    (left,) = list(out.iterdir())
    assert left.name.endswith(".partial")
    assert not (left / "manifest.json").exists()
    verify = subprocess.run([sys.executable, "-m", "outreach.cli.main", "export", "verify", str(left)],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert verify.returncode != 0
    shutil.rmtree(left)

    # the checkpoint did not move: the next "since my last export" writes all of them
    first = _child(vault, out, "csv", "--since-last")
    assert first["rows"] == VISITS
    # 1,000 visits pulled afterwards: the next one writes exactly those
    mp = pytest.MonkeyPatch()
    use_cheap_kdf(mp)
    try:
        from storage import Vault
        from tests.support.vaults import PASSPHRASE

        with Vault.open(vault, PASSPHRASE) as v:
            scale_vault.add_visits(v, big_vault[1], VISITS, 1000)
    finally:
        mp.undo()
    second = _child(vault, out, "csv", "--since-last")
    assert second["rows"] == 1000
    new_rows = _csv_rows(next(Path(second["folder"]).glob("*-visits.csv")))[1:]
    assert {r[0] for r in new_rows} == {scale_vault.visit(i, "")["visit_id"] for i in range(VISITS, VISITS + 1000)}
    assert _child(vault, out, "csv", "--since-last")["rows"] == 0
