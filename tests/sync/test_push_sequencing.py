"""PostgreSQL: a push decides under its device and subject locks and takes the global log lock only for its
short sequencing step at the end (sqlstore.py, oplogic.sequence), so pushes of many devices proceed at once."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest

from sync.client.client import sync_once
from tests.sync.conftest import Center, make_store

pytestmark = pytest.mark.postgres

_LOG_KEY = "SELECT hashtextextended('log', 0)"


def test_a_push_decides_before_it_waits_for_the_log_and_then_completes(tmp_path, request, make_vault, people):
    store = make_store("postgres", tmp_path, request)
    center = Center(store)
    try:
        v = make_vault("alice")
        center.enrol(v)
        ps = [people.adult() for _ in range(3)]
        for p in ps:
            people.register(v, p)
        done: list[object] = []
        with psycopg.connect(store.url, autocommit=True) as hold:
            key = hold.execute(_LOG_KEY).fetchone()[0]  # type: ignore[index]
            hold.execute("SELECT pg_advisory_lock(%s)", (key,))  # another writer holds the log
            worker = threading.Thread(target=lambda: done.append(
                sync_once(v, center.url, transport=center.transport)))
            worker.start()
            waiting: list[tuple[int, int]] = []
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                waiting = hold.execute(
                    "SELECT w.pid, (SELECT COUNT(*) FROM pg_locks g WHERE g.pid = w.pid AND g.granted "
                    "AND g.locktype = 'advisory') FROM pg_locks w WHERE w.locktype = 'advisory' "
                    "AND NOT w.granted AND w.pid <> pg_backend_pid() "
                    "AND ((w.classid::bigint << 32) | w.objid::bigint) = %s", (key,)).fetchall()
                if waiting:
                    break
                time.sleep(0.05)
            assert waiting, "the push never reached its sequencing step"
            # it waits for the log holding its device's lock and the three people's: the decisions are made
            assert waiting[0][1] >= 4
            assert not done
            hold.execute("SELECT pg_advisory_unlock(%s)", (key,))
        worker.join(timeout=60)
        assert done
        summary = done[0]
        assert summary.applied == 3
        assert summary.errors == []
        proof = store.log_proof(0)
        assert proof.checkpoint.tree_size == 3
        assert sorted(r.seq for r in store.operations(v.device_id)) == [1, 2, 3]
        rows = store.transaction(lambda tx: tx.rows("SELECT log_index FROM operations ORDER BY log_index"))
        assert [int(r[0]) for r in rows] == [0, 1, 2]  # every operation got its log position, gapless
    finally:
        center.bridge.close()
        store.close()


def test_session_work_is_decided_before_the_log_and_its_progress_counted_under_it(tmp_path, request, make_vault,
                                                                                  people):
    """Two operators' activations at one session decided while another writer holds the log: both wait for
    it (no log lock first for session work), and the progress and work list published after them count both
    (counted in the sequencing step, not at decision time, when neither saw the other)."""
    import json

    from tests.sync.test_sessions import _activate, _active_card, _load, _plan, _push_plan, _push_roster

    store = make_store("postgres", tmp_path, request)
    center = Center(store)
    try:
        ps = _load(center, people, 2)
        cards = [_active_card(center, people, p) for p in ps]
        a, b = make_vault("wa"), make_vault("wb")
        for v in (a, b):
            center.enrol(v, "worker", "4690")
        plan = _plan(("wa", "wb"))
        _push_plan(a, plan)
        _push_roster(a, plan.session_id, [p.person_id for p in ps])
        for v in (a, b):  # both prepare: the roster people's cards (B as an operator, never assigned)
            assert sync_once(v, center.url, transport=center.transport).issues == []
        _activate(a, ps[0], cards[0], plan.session_id)
        _activate(b, ps[1], cards[1], plan.session_id)
        done: list[object] = []
        with psycopg.connect(store.url, autocommit=True) as hold:
            key = hold.execute(_LOG_KEY).fetchone()[0]  # type: ignore[index]
            hold.execute("SELECT pg_advisory_lock(%s)", (key,))
            workers = [threading.Thread(target=lambda v=v: done.append(
                sync_once(v, center.url, transport=center.transport))) for v in (a, b)]
            for w in workers:
                w.start()
            waiting: list[tuple[int, int]] = []
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and len(waiting) < 2:
                waiting = hold.execute(
                    "SELECT w.pid, (SELECT COUNT(*) FROM pg_locks g WHERE g.pid = w.pid AND g.granted "
                    "AND g.locktype = 'advisory') FROM pg_locks w WHERE w.locktype = 'advisory' "
                    "AND NOT w.granted AND w.pid <> pg_backend_pid() "
                    "AND ((w.classid::bigint << 32) | w.objid::bigint) = %s", (key,)).fetchall()
                time.sleep(0.05)
            assert len(waiting) == 2, "both pushes should reach their sequencing step"
            assert all(locks >= 2 for _, locks in waiting)  # device and person: decided, waiting for the log
            hold.execute("SELECT pg_advisory_unlock(%s)", (key,))
        for w in workers:
            w.join(timeout=60)
        assert [(s.applied, s.issues, s.errors) for s in done] == [(1, [], [])] * 2  # type: ignore[attr-defined]
        rows = store.transaction(lambda tx: tx.rows(
            "SELECT type, data FROM changes WHERE id = ? AND type IN ('session_progress', 'session_work')",
            (plan.session_id,)))
        published = {t: json.loads(d) for t, d in rows}
        assert (published["session_progress"]["activated"], published["session_progress"]["remaining"]) == (2, 0)
        assert sum(o["kind"] == "card.bank_activate" for o in published["session_work"]["ops"]) == 2
    finally:
        center.bridge.close()
        store.close()
