"""Two center processes over one PostgreSQL database receive the same batch at the same moment: every
operation is recorded exactly once, the device chain stays intact, the Merkle log has no gap."""

from __future__ import annotations

import datetime as dt
import threading

import httpx
import psycopg
import pytest

from storage import Vault
from sync import merkle
from sync import protocol as P
from sync.center.pg_store import PgStore
from sync.client import trust
from sync.client.client import enrol
from tests.support.vaults import PASSPHRASE
from tests.sync.conftest import People
from tests.sync.test_faults import _free_port, _serve


@pytest.mark.postgres
def test_same_batch_to_two_processes_at_once(pg_schema, tmp_path):
    url, schema = pg_schema
    with psycopg.connect(url, autocommit=True) as con:
        con.execute(f'CREATE SCHEMA "{schema}"')
    db_url = f"{url}?options=-csearch_path%3D{schema}"
    store = PgStore(url, schema=schema)
    store.init_schema()
    ports = [_free_port()]
    while len(ports) < 2:  # two different ports (the OS may hand out the same free port twice)
        port = _free_port()
        if port not in ports:
            ports.append(port)
    procs = [_serve(db_url, port) for port in ports]
    assert all(p.poll() is None for p in procs)
    try:
        v = Vault.create(tmp_path / "v.db", PASSPHRASE, worker_id="w1")
        code = store.create_enrol_code("w1", "worker", None, dt.timedelta(hours=1))
        enrol(v, f"http://127.0.0.1:{ports[0]}", code)
        people = People(9)
        v.append_many([("person.register", p.person_id, {"person": p.model_dump(mode="json")})
                       for p in (people.person() for _ in range(150))])
        ops = v.pending_operations(1000)
        body = P.encode_body(P.PushRequest(protocol_version=P.PROTOCOL_VERSION, device_id=v.device_id,
                                           operations=ops))
        answers: dict[int, list[str]] = {}
        barrier = threading.Barrier(2)

        def push(port: int) -> None:
            now = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
            headers = trust.signed_headers(v.sign, v.device_id, "POST", "/v1/push", body, now)
            headers["content-encoding"] = "zstd"
            barrier.wait()
            r = httpx.post(f"http://127.0.0.1:{port}/v1/push", content=body, headers=headers, timeout=60)
            assert r.status_code == 200, r.text
            answers[port] = list(r.json()["statuses"])

        threads = [threading.Thread(target=push, args=(p,)) for p in ports]
        for t in threads:
            t.start()
        for t in threads:
            t.join(90)
        a, b = answers[ports[0]], answers[ports[1]]
        assert len(a) == len(b) == 150
        for sa, sb in zip(a, b, strict=True):
            assert sorted((sa, sb)) == ["a", "d"]  # applied by one process, a duplicate for the other
        rows = store.operations(v.device_id)
        assert [op.seq for op in rows] == list(range(1, 151))
        assert [op.op_id for op in rows] == [op.op_id for op in ops]
        # one log entry per recorded operation and no gap: the log stops being read at the first gap
        assert store.operation_counts() == {"applied": 150}
        proof = store.log_proof(0)
        assert proof.checkpoint.tree_size == 150
        assert merkle.verify_consistency(0, 150, merkle.EMPTY_ROOT, proof.checkpoint.root, [])
        v.close()
    finally:
        for p in procs:
            p.kill()
            p.wait()
        store.close()
