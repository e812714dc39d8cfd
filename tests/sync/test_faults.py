"""Faults: connections cut at random bytes, delays, duplicated requests, 500s, a center SIGKILLed mid-batch,
a laptop process killed mid-sync. After each: every operation at the center exactly once, nothing acknowledged
lost, both sides agree."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from storage import Vault
from sync.center.embedded import EmbeddedCenter
from sync.center.sqlite_store import SqliteStore
from sync.client.client import enrol, sync_once
from tests.support.vaults import CHEAP_KDF_PRELUDE, PASSPHRASE
from tests.sync.conftest import People
from tests.sync.faultproxy import FaultProxy, Faults

ROOT = Path(__file__).resolve().parents[2]


def assert_agree(store, vault: Vault) -> None:
    """Exactly once at the center, nothing lost, both sides agree on the chain."""
    local = [(op.op_id, op.seq, op.hash) for op in vault.operations()]
    rows = store.operations(vault.device_id)
    assert [(op.op_id, op.seq, op.hash) for op in rows] == local
    assert vault.pending_operations() == []
    outcomes = {o["op_id"]: o["status"] for o in vault.op_outcomes()}
    assert set(outcomes) == {op_id for op_id, _, _ in local}
    assert set(outcomes.values()) <= {"applied", "duplicate"}
    assert vault.verify_log().ok


def _enrolled(store, url, tmp_path, worker="w1") -> Vault:
    import datetime as dt

    v = Vault.create(tmp_path / f"{worker}.db", PASSPHRASE, worker_id=worker)
    code = store.create_enrol_code(worker, "worker", None, dt.timedelta(hours=1))
    enrol(v, url, code)
    return v


def _run_faulty(tmp_path, n_ops: int, seed: int, faults: Faults) -> None:
    store = SqliteStore(tmp_path / "center.db")
    with EmbeddedCenter(store=store) as center:
        v = _enrolled(store, center.url, tmp_path)
        people = People(seed)
        items = [("person.register", p.person_id, {"person": p.model_dump(mode="json")})
                 for p in (people.person() for _ in range(n_ops))]
        v.append_many(items)
        with FaultProxy(center.port, faults, seed=seed) as proxy:
            for _ in range(200):
                s = sync_once(v, proxy.url, batch_size=17, retries=3, backoff=0.01, timeout=5)
                if not s.errors and not v.pending_operations():
                    break
            injected = dict(proxy.injected)
        assert sum(injected.values()) > 0
        assert_agree(store, v)
        v.close()


@pytest.mark.parametrize("seed", [1, 2])
def test_cuts_500s_duplicates_and_delays(tmp_path, seed):
    _run_faulty(tmp_path, 120, seed, Faults(cut=0.3, error500=0.1, duplicate=0.15, delay=0.02))


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(10, 20))
def test_fault_loop_long(tmp_path, seed):
    _run_faulty(tmp_path, 600, seed, Faults(cut=0.4, error500=0.1, duplicate=0.2, delay=0.05))


def _count(db: Path) -> int:
    """Operations committed at the center, read without taking the write lock."""
    import sqlite3

    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        return int(con.execute("SELECT COUNT(*) FROM operations").fetchone()[0])
    finally:
        con.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(db: Path | str, port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, "-m", "outreach.cli.main", "center", "serve", "--db", str(db),
                             "--listen", f"127.0.0.1:{port}"], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("center did not start")


def test_center_sigkilled_mid_batch(tmp_path):
    db = tmp_path / "center.db"
    store = SqliteStore(db)
    store.init_schema()
    port = _free_port()
    proc = _serve(db, port)
    url = f"http://127.0.0.1:{port}"
    try:
        v = _enrolled(store, url, tmp_path)
        people = People(3)
        v.append_many([("person.register", p.person_id, {"person": p.model_dump(mode="json")})
                       for p in (people.person() for _ in range(1000))])
        import threading

        box: dict[str, object] = {}
        t = threading.Thread(target=lambda: box.setdefault("s", sync_once(v, url, batch_size=1000, retries=0)))
        t.start()
        # wait until the center has committed some of the batch, then kill it without warning
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and _count(db) < 20:
            time.sleep(0.002)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        t.join(60)
        committed = _count(db)
        assert 0 < committed < 1000, committed  # really mid-batch
        assert len(v.pending_operations(2000)) == 1000  # nothing acknowledged, nothing lost
        proc = _serve(db, port)
        s = sync_once(v, url, batch_size=1000)
        assert s.duplicate == committed
        assert s.applied == 1000 - committed
        assert_agree(store, v)
        v.close()
    finally:
        proc.kill()
        proc.wait()


def test_laptop_killed_mid_sync(tmp_path):
    store = SqliteStore(tmp_path / "center.db")
    with EmbeddedCenter(store=store) as center:
        v = _enrolled(store, center.url, tmp_path)
        people = People(4)
        v.append_many([("person.register", p.person_id, {"person": p.model_dump(mode="json")})
                       for p in (people.person() for _ in range(600))])
        path = v.path
        v.close()
        pf = tmp_path / "pass"
        pf.write_text(PASSPHRASE)
        code = CHEAP_KDF_PRELUDE + (
            "from outreach.cli.main import main; "
            f"main(['sync', '--vault', {str(path)!r}, '--passphrase-file', {str(pf)!r}])")
        proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and _count(tmp_path / "center.db") < 250:
            time.sleep(0.002)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        v = Vault.open(path, PASSPHRASE)
        assert v.verify_log().ok
        sync_once(v, center.url)
        assert_agree(store, v)
        v.close()
