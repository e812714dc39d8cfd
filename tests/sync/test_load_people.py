"""Loading the provincial roster into the center: large files in bounded batches, with progress, resumable.

PostgreSQL is the one that used to fail (an advisory lock per person in one transaction ran out of its lock
table at 15,000 people); the checks that matter for both backends run on both.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from outreach.cli.main import main
from sync.center import roster
from sync.center.sqlstore import SqlStore, Tx
from sync.center.store import LoadCount
from tests.sync.conftest import People, make_store

TODAY = dt.date(2026, 11, 1)


def _people(n: int, seed: int = 7) -> list[dict[str, object]]:
    gen = People(seed)
    out = []
    for _ in range(n):
        dump = gen.person().model_dump(mode="json")
        dump["photo_ref"] = None  # what a roster carries (to_row leaves it out)
        out.append(roster.to_row(dump))
    return out  # rows


def _write(path: Path, rows: list[dict[str, object]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=roster.COLUMNS)
        w.writeheader()
        w.writerows(rows)


def _counts(store: SqlStore) -> tuple[int, int, int]:
    """(people held, person changes published, log size)."""
    def go(tx: Tx) -> tuple[int, int, int]:
        return (int(tx.rows("SELECT COUNT(*) FROM subjects WHERE person IS NOT NULL")[0][0]),
                int(tx.rows("SELECT COUNT(*) FROM changes WHERE type = 'person'")[0][0]),
                int(tx.rows("SELECT COUNT(*) FROM merkle")[0][0]))
    return store.transaction(go)


def _dumps(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=roster.COLUMNS)
    w.writeheader()
    w.writerows(rows)
    people, problems = roster.parse(buf.getvalue(), TODAY)
    assert problems == []
    return people


@pytest.mark.postgres
def test_fifteen_thousand_in_one_call_on_postgres(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """The call that failed with "out of shared memory / max_locks_per_transaction"."""
    store = make_store("postgres", tmp_path, request)
    try:
        people = _dumps(_people(15_000))
        assert store.load_people(people, dt.datetime.now(dt.UTC)) == 15_000
        assert _counts(store) == (15_000, 15_000, 15_000)
        assert store.log_proof(0).checkpoint.tree_size == 15_000
    finally:
        store.close()


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_rerun_skips_what_is_loaded_and_reloads_what_changed(kind: str, tmp_path: Path,
                                                               request: pytest.FixtureRequest) -> None:
    store = make_store(kind, tmp_path, request)
    try:
        people = _dumps(_people(1200))
        seen: list[LoadCount] = []
        now = dt.datetime.now(dt.UTC)
        first = store.load_people_stream(iter(people), now, batch=500, progress=seen.append)
        assert first == LoadCount(loaded=1200, skipped=0)
        assert [c.loaded for c in seen] == [500, 1000, 1200]
        again = store.load_people_stream(iter(people), now, batch=500)
        assert again == LoadCount(loaded=0, skipped=1200)
        assert _counts(store) == (1200, 1200, 1200)
        moved = {**people[3], "area_code": "460200" if people[3]["area_code"] != "460200" else "460100"}
        third = store.load_people_stream(iter([people[2], moved]), now)
        assert third == LoadCount(loaded=1, skipped=1)
        assert _counts(store) == (1200, 1200, 1201)
        assert store.people_in_area(str(moved["area_code"])).count(str(moved["person_id"])) == 1
    finally:
        store.close()


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_bad_record_in_a_later_batch_keeps_the_batches_before(kind: str, tmp_path: Path,
                                                               request: pytest.FixtureRequest) -> None:
    from sync.errors import InvalidInput

    store = make_store(kind, tmp_path, request)
    try:
        people = _dumps(_people(30))
        broken = [*people[:20], {**people[20], "gender": "x"}, *people[21:]]
        with pytest.raises(InvalidInput):
            store.load_people_stream(iter(broken), dt.datetime.now(dt.UTC), batch=10)
        assert _counts(store) == (20, 20, 20)
    finally:
        store.close()


def _pg_args(request: pytest.FixtureRequest) -> list[str]:
    url, schema = request.getfixturevalue("pg_schema")
    return ["--db", url, "--pg-schema", schema]


@pytest.mark.postgres
def test_cli_loads_twenty_thousand_into_postgres_with_progress(tmp_path: Path, request: pytest.FixtureRequest,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    db = _pg_args(request)
    path = tmp_path / "people.csv"
    _write(path, _people(20_000))
    assert main(["center", "load-people", *db, str(path)]) == 0
    out = capsys.readouterr()
    assert "loaded 20000 people, skipped 0" in out.out
    assert out.err.count("processed") == 4  # one line per batch of 5,000
    assert "processed 20000 (loaded 20000)" in out.err
    store = make_store("postgres", tmp_path, request)
    try:
        assert _counts(store) == (20_000, 20_000, 20_000)
    finally:
        store.close()


@pytest.mark.postgres
def test_an_interrupted_load_resumes_without_duplicates(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """The load is killed (SIGKILL) after its first committed batch; the rerun loads the rest only."""
    db = _pg_args(request)
    path = tmp_path / "people.csv"
    _write(path, _people(8000))
    root = Path(__file__).resolve().parents[2]
    cmd = [sys.executable, "-m", "outreach.cli.main", "center", "load-people", *db, "--batch", "500", str(path)]
    with subprocess.Popen(cmd, cwd=root, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                          env={**os.environ, "PYTHONPATH": str(root)}) as proc:
        assert proc.stderr is not None
        first = proc.stderr.readline()
        proc.kill()
        proc.wait()
    assert "processed 500" in first
    store = make_store("postgres", tmp_path, request)
    try:
        held, _, _ = _counts(store)
        assert 500 <= held < 8000, "the kill came after the first batch and before the end"
        done = subprocess.run(cmd, cwd=root, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(root)},
                              timeout=300)
        assert done.returncode == 0, done.stderr
        assert f"loaded {8000 - held} people, skipped {held} already loaded" in done.stdout
        assert _counts(store) == (8000, 8000, 8000)
    finally:
        store.close()
