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
