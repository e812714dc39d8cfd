"""Enrolment throttling by source and worker: a guessing source is held, the named worker from another source
is not, concurrent guesses on PostgreSQL never exceed a limit, and the operator can lift a hold."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from outreach.cli.main import main
from sync.center import throttle
from sync.errors import EnrolmentRefused, EnrolmentThrottled

KEY = bytes(32)


def _guess(store, worker, source, code="AAAA-BBBB-CCCC", device="d-x"):
    try:
        store.enrol(code, device, worker, KEY, dt.datetime.now(dt.UTC), source=source)
        return "enrolled"
    except EnrolmentThrottled:
        return "held"
    except EnrolmentRefused:
        return "refused"


def test_a_guessing_source_is_held_but_the_worker_enrols_from_another(store):
    right = store.create_enrol_code("alice", "worker", None, dt.timedelta(hours=1))
    outcomes = [_guess(store, "alice", "203.0.113.9") for _ in range(throttle.PER_WORKER_SOURCE + 2)]
    assert outcomes == ["refused"] * throttle.PER_WORKER_SOURCE + ["held"] * 2
    assert _guess(store, "alice", "203.0.113.9", right, "d-alice") == "held"  # even the right code, from there
    assert _guess(store, "alice", "198.51.100.7", right, "d-alice") == "enrolled"  # her own laptop elsewhere


def test_a_source_guessing_for_many_workers_is_held_for_all(store):
    outcomes = [_guess(store, f"w{i}", "203.0.113.9") for i in range(throttle.PER_SOURCE + 1)]
    assert outcomes == ["refused"] * throttle.PER_SOURCE + ["held"]
    assert _guess(store, "bob", "198.51.100.7") == "refused"  # checked: another source is not held


@pytest.mark.postgres
def test_concurrent_guesses_on_postgresql_never_exceed_the_limit(request, tmp_path):
    from tests.sync.conftest import make_store

    stores = [make_store("postgres", tmp_path, request) for _ in range(4)]  # four center processes' pools
    try:
        start = threading.Barrier(24)
        outcomes: list[str] = []
        lock = threading.Lock()

        def go(i: int) -> None:
            start.wait()
            out = _guess(stores[i % 4], "alice", "203.0.113.9")
            with lock:
                outcomes.append(out)

        threads = [threading.Thread(target=go, args=(i,)) for i in range(24)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert outcomes.count("refused") == throttle.PER_WORKER_SOURCE
        assert outcomes.count("held") == 24 - throttle.PER_WORKER_SOURCE
        # every refused guess was recorded once, whichever center took it: clearing them removes exactly those
        assert stores[0].clear_enrolment_holds() == throttle.PER_WORKER_SOURCE
    finally:
        for s in stores:
            s.close()


def test_the_operator_lifts_a_hold(tmp_path, capsys):
    from sync.center.sqlite_store import SqliteStore

    db = tmp_path / "center.db"
    store = SqliteStore(db)
    store.init_schema()
    right = store.create_enrol_code("alice", "worker", None, dt.timedelta(hours=1))
    for _ in range(throttle.PER_WORKER_SOURCE):
        _guess(store, "alice", "203.0.113.9")
    assert _guess(store, "alice", "203.0.113.9", right, "d-alice") == "held"
    assert main(["center", "unlock-enrolment", "--db", str(db), "--worker", "alice"]) == 0
    out = capsys.readouterr().out
    assert "alice" in out
    assert _guess(store, "alice", "203.0.113.9", right, "d-alice") == "enrolled"
    assert main(["center", "unlock-enrolment", "--db", str(db)]) == 2  # says whom: never all by accident
    store.close()


def test_a_worker_guessed_at_from_many_sources_still_enrols_from_a_clean_one(store):
    """Guesses spread over many sources (each under its own limits) hold that worker only from sources that
    failed; the worker's own laptop, from a source that never failed, gets its code checked."""
    right = store.create_enrol_code("alice", "worker", None, dt.timedelta(hours=1))
    sources = [f"203.0.113.{i}" for i in range(throttle.PER_WORKER)]
    assert [_guess(store, "alice", s) for s in sources] == ["refused"] * throttle.PER_WORKER
    assert _guess(store, "alice", sources[0]) == "held"  # a source that guessed is held for her now
    assert _guess(store, "bob", sources[0]) == "refused"  # but still checked for anyone else
    assert _guess(store, "alice", "198.51.100.7", right, "d-alice") == "enrolled"
