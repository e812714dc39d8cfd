"""The center at provincial scale on PostgreSQL (issue 15).

1. Push throughput: D devices (1, 10, 50) pushing signed person registrations at once (50 per request) to
   1 or 2 center processes over one PostgreSQL database; operations per second.
2. The log: the same 50-device push with the Merkle log preloaded to 10^3, 10^5, 10^6 entries (leaves and
   their stored subtrees written by batched COPY); operations per second and the time of one log proof.
3. A cold pull of 10,000 people by one device (pages of 500): seconds, bytes of answers per person.
4. ``outreach center load-people`` of N people (default 500,000) from a CSV into PostgreSQL.

    .venv/bin/python bench/bench_center.py [--pg-url URL] [--skip-push] [--skip-log] [--skip-pull]
        [--skip-load] [--load-people 500000] [--log-sizes 1000,100000,1000000]

Writes bench/results/center.json (each section replaced when it runs).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import psycopg  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat  # noqa: E402

from bench.bench_sync import _people, _signed_ops  # noqa: E402
from sync import merkle  # noqa: E402
from sync import protocol as P  # noqa: E402
from sync.center import merkle_log  # noqa: E402
from sync.center.embedded import EmbeddedCenter  # noqa: E402
from sync.center.pg_store import PgStore  # noqa: E402
from sync.client.client import CenterClient  # noqa: E402

_SECOND_PROCESS = """
import sys
sys.path.insert(0, sys.argv[3])
from sync.center.embedded import EmbeddedCenter
from sync.center.pg_store import PgStore
center = EmbeddedCenter(store=PgStore(sys.argv[1], schema=sys.argv[2], pool_size=8))
print(center.start(), flush=True)
sys.stdin.read()
center.stop()
"""


class _Schema:
    def __init__(self, url: str) -> None:
        self.url = url
        self.name = "bench_" + secrets.token_hex(4)
        self.store = PgStore(url, schema=self.name, pool_size=8)
        self.store.init_schema()

    def close(self) -> None:
        self.store.close()
        with psycopg.connect(self.url, autocommit=True) as con:
            con.execute(f'DROP SCHEMA IF EXISTS "{self.name}" CASCADE')


def _devices(store: PgStore, n: int, per_device: int, seed: int) -> list[tuple[Any, str, list[Any]]]:
    people = _people(n * per_device, seed=seed)
    work = []
    for d in range(n):
        key = Ed25519PrivateKey.generate()
        dev, worker = f"dev-{seed}-{d}", f"worker-{seed}-{d}"
        code = store.create_enrol_code(worker, "worker", None, dt.timedelta(hours=1))
        pub = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        store.enrol(code, dev, worker, pub, dt.datetime.now(dt.UTC))
        work.append((key, dev, _signed_ops(key, dev, worker, people[d * per_device:(d + 1) * per_device])))
    return work


def _count_bytes(client: CenterClient, sent: dict[str, int], lock: threading.Lock) -> None:
    """Count request and answer bodies as they go over HTTP (compressed, as on the wire, headers left out)."""
    def up(request: httpx.Request) -> None:
        with lock:
            sent["up"] += len(request.content)

    def down(response: httpx.Response) -> None:
        response.read()
        with lock:
            sent["down"] += len(response.content)

    client.http.event_hooks = {"request": [up], "response": [down]}


def _push_all(urls: list[str], work: list[tuple[Any, str, list[Any]]], sent: dict[str, int],
              batch: int = 50) -> tuple[float, list[str]]:
    barrier = threading.Barrier(len(work))
    errors: list[str] = []
    lock = threading.Lock()

    def run(i: int, key: Any, dev: str, ops: list[Any]) -> None:
        client = CenterClient(urls[i % len(urls)], timeout=600)
        _count_bytes(client, sent, lock)
        barrier.wait()
        try:
            for j in range(0, len(ops), batch):
                req = P.PushRequest(protocol_version=P.PROTOCOL_VERSION, device_id=dev, operations=ops[j:j + batch])
                resp = client.call("/v1/push", req, P.PushResponse, key.sign, dev)
                if resp.statuses != "a" * len(req.operations):
                    errors.append(f"{dev}: {resp.statuses[:20]}")
        except Exception as exc:  # reported, never hidden
            errors.append(f"{dev}: {type(exc).__name__}: {exc}")
        finally:
            client.close()

    threads = [threading.Thread(target=run, args=(i, *w)) for i, w in enumerate(work)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.monotonic() - t0, errors


def _centers(schema: _Schema, processes: int) -> tuple[list[str], list[Any]]:
    """URLs of ``processes`` center processes over the schema: this one (a thread) and child processes."""
    center = EmbeddedCenter(store=schema.store)
    urls, handles = [center.start()], [center]
    for _ in range(processes - 1):
        proc = subprocess.Popen([sys.executable, "-c", _SECOND_PROCESS, schema.url, schema.name, str(ROOT)],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        urls.append(proc.stdout.readline().strip())
        handles.append(proc)
    return urls, handles


def _stop(handles: list[Any]) -> None:
    for h in handles:
        if isinstance(h, EmbeddedCenter):
            h.stop()
        else:
            h.stdin.close()
            h.wait(timeout=30)


def bench_push(url: str, devices: int, processes: int, total: int = 5000) -> dict[str, Any]:
    schema = _Schema(url)
    try:
        per = max(50, total // devices)
        work = _devices(schema.store, devices, per, seed=devices * 10 + processes)
        urls, handles = _centers(schema, processes)
        sent = {"up": 0, "down": 0}
        try:
            wall, errors = _push_all(urls, work, sent)
        finally:
            _stop(handles)
        n = sum(len(w[2]) for w in work)
        row = {"devices": devices, "center_processes": processes, "operations": n, "wall_s": round(wall, 2),
               "ops_per_s": round(n / wall, 1), "request_bytes_per_op": round(sent["up"] / n, 1),
               "answer_bytes_per_op": round(sent["down"] / n, 1), "errors": errors[:5]}
        print(json.dumps(row), file=sys.stderr)
        return row
    finally:
        schema.close()


def _preload_log(schema: _Schema, size: int) -> None:
    """``size`` leaves and their stored subtrees, by COPY (what years of operations would have left)."""
    frontier: dict[int, bytes] = {}
    with psycopg.connect(schema.url) as con, con.cursor() as cur:
        cur.execute(f'SET search_path TO "{schema.name}"')
        step = 100_000
        for start in range(0, size, step):
            leaves = [merkle.leaf_hash(b"preload %d" % i) for i in range(start, min(size, start + step))]
            made = merkle.extend(frontier, start, leaves)
            with cur.copy("COPY merkle (idx, leaf) FROM STDIN") as cp:
                for i, leaf in enumerate(leaves):
                    cp.write_row((start + i, leaf.hex()))
            with cur.copy("COPY merkle_nodes (id, hash) FROM STDIN") as cp:
                for key, h in made:
                    cp.write_row((merkle_log.node_id(key), h.hex()))
        con.commit()


def bench_log(url: str, sizes: list[int], devices: int = 50) -> list[dict[str, Any]]:
    out = []
    for size in sizes:
        schema = _Schema(url)
        try:
            t0 = time.monotonic()
            _preload_log(schema, size)
            preload = time.monotonic() - t0
            work = _devices(schema.store, devices, 100, seed=size % 997 + 3)
            urls, handles = _centers(schema, 1)
            try:
                wall, errors = _push_all(urls, work, {"up": 0, "down": 0})
            finally:
                _stop(handles)
            fresh = PgStore(url, schema=schema.name)  # a process that has read nothing yet
            try:
                t1 = time.monotonic()
                proof = fresh.log_proof(size // 3)
                proof_s = time.monotonic() - t1
            finally:
                fresh.close()
            n = devices * 100
            out.append({"preloaded_entries": size, "preload_s": round(preload, 1), "devices": devices,
                        "operations": n, "wall_s": round(wall, 2), "ops_per_s": round(n / wall, 1),
                        "cold_log_proof_ms": round(proof_s * 1000, 1), "tree_size": proof.checkpoint.tree_size,
                        "proof_hashes": len(proof.consistency), "errors": errors[:5]})
            print(json.dumps(out[-1]), file=sys.stderr)
        finally:
            schema.close()
    return out


def bench_cold_pull(url: str, n: int = 10_000) -> dict[str, Any]:
    schema = _Schema(url)
    try:
        people = [p.model_dump(mode="json") for p in _people(n, seed=9)]
        for p in people:
            p["photo_ref"] = None
        store = schema.store
        store.load_people_stream(iter(people), dt.datetime.now(dt.UTC))
        store.assign("puller", [p["person_id"] for p in people], dt.datetime.now(dt.UTC))
        key = Ed25519PrivateKey.generate()
        code = store.create_enrol_code("puller", "worker", None, dt.timedelta(hours=1))
        pub = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        store.enrol(code, "puller-dev", "puller", pub, dt.datetime.now(dt.UTC))
        center = EmbeddedCenter(store=store)
        base = center.start()
        client = CenterClient(base, timeout=600)
        size = {"up": 0, "down": 0}
        _count_bytes(client, size, threading.Lock())
        try:
            since, changes, pages = "0", 0, 0
            t0 = time.monotonic()
            while True:
                req = P.PullRequest(protocol_version=P.PROTOCOL_VERSION, device_id="puller-dev", since=since,
                                    limit=500)
                resp = client.call("/v1/pull", req, P.PullResponse, key.sign, "puller-dev")
                changes += len(resp.changes)
                pages += 1
                since = resp.checkpoint
                if not resp.more:
                    break
            wall = time.monotonic() - t0
        finally:
            client.close()
            center.stop()
        return {"people": n, "changes": changes, "pages": pages, "wall_s": round(wall, 2),
                "people_per_s": round(changes / wall, 1), "answer_bytes": size["down"],
                "bytes_per_person": round(size["down"] / max(1, changes), 1)}
    finally:
        schema.close()


def bench_load(url: str, n: int) -> dict[str, Any]:
    from sync.center import roster

    schema = _Schema(url)
    tmp = Path(tempfile.mkdtemp(prefix="bench-load-"))
    path = tmp / "people.csv"
    try:
        t0 = time.monotonic()
        with open(path, "w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=roster.COLUMNS)
            w.writeheader()
            from outreach.services.seed import _Gen

            gen = _Gen(11, dt.date(2026, 11, 1))
            for _ in range(n):
                w.writerow(roster.to_row({**gen.person().model_dump(mode="json"), "photo_ref": None}))
        made = time.monotonic() - t0
        cmd = [sys.executable, "-m", "outreach.cli.main", "center", "load-people", "--db", url, "--pg-schema",
               schema.name, str(path)]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        t1 = time.monotonic()
        done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        wall = time.monotonic() - t1
        t2 = time.monotonic()
        again = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        rerun = time.monotonic() - t2
        return {"people": n, "csv_bytes": path.stat().st_size, "csv_made_s": round(made, 1),
                "exit": done.returncode, "wall_s": round(wall, 1), "people_per_s": round(n / wall, 1),
                "last_line": done.stdout.strip().splitlines()[-1:] or done.stderr.strip().splitlines()[-1:],
                "rerun_s": round(rerun, 1), "rerun_line": again.stdout.strip().splitlines()[-1:]}
    finally:
        path.unlink(missing_ok=True)
        schema.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pg-url", default=os.environ.get("OUTREACH_TEST_PG_URL"))
    ap.add_argument("--skip-push", action="store_true")
    ap.add_argument("--skip-log", action="store_true")
    ap.add_argument("--skip-pull", action="store_true")
    ap.add_argument("--skip-load", action="store_true")
    ap.add_argument("--load-people", type=int, default=500_000)
    ap.add_argument("--log-sizes", default="1000,100000,1000000")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "center.json"))
    args = ap.parse_args()
    if not args.pg_url:
        print("no PostgreSQL URL (--pg-url or OUTREACH_TEST_PG_URL)", file=sys.stderr)
        return 2
    out = Path(args.out)
    results: dict[str, Any] = json.loads(out.read_text()) if out.exists() else {}
    results["machine"] = "development machine: 2 cores shared with other work, PostgreSQL on the same machine"

    def save(section: str, value: Any) -> None:
        results[section] = {"measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "data": value}
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
        print(json.dumps({section: value}, indent=2, ensure_ascii=False))

    if not args.skip_push:
        save("push", [bench_push(args.pg_url, d, p) for p in (1, 2) for d in (1, 10, 50)])
    if not args.skip_log:
        save("log", bench_log(args.pg_url, [int(s) for s in args.log_sizes.split(",")]))
    if not args.skip_pull:
        save("cold_pull", bench_cold_pull(args.pg_url))
    if not args.skip_load:
        save("load_people", bench_load(args.pg_url, args.load_people))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
