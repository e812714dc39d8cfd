"""Sync benchmark.

1. Link: N operations (default 10,000 person registrations) pushed from a real vault through the link emulator
   (tests/sync/faultproxy.py; default 256 kbit/s each way, 200 ms RTT) to an embedded center (SQLite). Reports
   wall time, bytes on the wire per operation, and the floor (compressed request payload / link rate).
2. PostgreSQL: D devices (default 50) pushing at once to a center process on PostgreSQL, then each pulling its
   neighbour's people (assigned to it: a device is not sent back what it pushed); operations and changes per
   second, and the share of the center's time spent signing its answers (Ed25519 over every push answer and
   pull page; throughput without signing = the same work minus that time).

    .venv/bin/python bench/bench_sync.py [--ops 10000] [--devices 50] [--ops-per-device 100] [--skip-link]
        [--skip-pg] [--pg-url URL]   (PostgreSQL URL default: $OUTREACH_TEST_PG_URL)

Writes bench/results/sync.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat  # noqa: E402

from outreach.domain.operation import GENESIS_HASH, Operation, compute_hash, format_hlc  # noqa: E402
from sync import protocol as P  # noqa: E402


def _people(n: int, seed: int = 1) -> list[Any]:
    from outreach.services.seed import _Gen

    gen = _Gen(seed, dt.date(2026, 11, 1))
    return [gen.person() for _ in range(n)]


class _CountingSummary:
    """Counts the compressed request bodies the client hands to the wire (the payload floor)."""

    def __init__(self) -> None:
        self.payload = 0
        self.requests = 0
        self._orig = P.encode_body

    def __enter__(self) -> _CountingSummary:
        def counting(model: Any) -> bytes:
            body = self._orig(model)
            if isinstance(model, P.PushRequest):
                self.payload += len(body)
                self.requests += 1
            return body

        P.encode_body = counting  # type: ignore[assignment]
        import sync.client.client as cc

        cc.P.encode_body = counting  # type: ignore[attr-defined]
        return self

    def __exit__(self, *exc: object) -> None:
        P.encode_body = self._orig  # type: ignore[assignment]


def bench_link(n_ops: int, rate_bps: float, rtt: float, batch: int) -> dict[str, Any]:
    from storage import Vault
    from sync.center.embedded import EmbeddedCenter
    from sync.client.client import enrol, sync_once
    from tests.sync.faultproxy import FaultProxy, Faults

    tmp = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    with EmbeddedCenter(tmp / "center.db") as center:
        v = Vault.create(tmp / "vault.db", "bench passphrase", worker_id="bench")
        code = center.store.create_enrol_code("bench", "worker", None, dt.timedelta(hours=1))
        enrol(v, center.url, code)
        t0 = time.monotonic()
        people = _people(n_ops)
        for i in range(0, n_ops, 1000):
            v.append_many([("person.register", p.person_id, {"person": p.model_dump(mode="json")})
                           for p in people[i:i + 1000]])
        print(f"  prepared {n_ops} operations in {time.monotonic() - t0:.1f} s", file=sys.stderr)
        with FaultProxy(center.port, Faults(rate_bps=rate_bps, rtt=rtt)) as proxy, _CountingSummary() as cnt:
            t0 = time.monotonic()
            s = sync_once(v, proxy.url, batch_size=batch, timeout=120,
                          progress=lambda p: print(f"\r  {p.phase} {p.done}", end="", file=sys.stderr))
            wall = time.monotonic() - t0
            up, down = proxy.bytes_up, proxy.bytes_down
        print(file=sys.stderr)
        v.close()
    floor = cnt.payload * 8 / rate_bps
    return {
        "operations": n_ops, "applied": s.applied, "errors": s.errors, "batch_size": batch,
        "link": {"rate_bit_s": rate_bps, "rtt_s": rtt},
        "wall_s": round(wall, 2), "floor_s": round(floor, 2), "wall_over_floor": round(wall / floor, 3),
        "compressed_payload_bytes": cnt.payload, "payload_bytes_per_op": round(cnt.payload / n_ops, 1),
        "wire_bytes_up": up, "wire_bytes_down": down,
        "wire_bytes_per_op": round((up + down) / n_ops, 1), "wire_up_bytes_per_op": round(up / n_ops, 1),
        "push_requests": cnt.requests,
    }


def _signed_ops(key: Ed25519PrivateKey, device: str, worker: str, people: list[Any]) -> list[Operation]:
    ops, prev = [], GENESIS_HASH
    for i, p in enumerate(people, start=1):
        fields = {"op_id": str(uuid.uuid4()), "device_id": device, "worker_id": worker, "seq": i,
                  "kind": "person.register", "subject": p.person_id, "base_version": 0,
                  "payload": {"person": p.model_dump(mode="json")}, "hlc": format_hlc(int(time.time() * 1000), i),
                  "schema_version": 1, "prev_hash": prev}
        h = compute_hash(fields)
        ops.append(Operation(**fields, hash=h, signature=key.sign(bytes.fromhex(h)).hex()))
        prev = h
    return ops


class _TimedKey:
    """The center's signing key, timing each answer signature (bench only: the signatures are the real ones)."""

    def __init__(self, key: Ed25519PrivateKey | None) -> None:
        self.key = key
        self.seconds = 0.0
        self.count = 0
        self.lock = threading.Lock()

    def sign(self, data: bytes) -> bytes:
        t0 = time.perf_counter()
        sig = self.key.sign(data) if self.key is not None else bytes(64)  # None: the run without signing
        with self.lock:
            self.seconds += time.perf_counter() - t0
            self.count += 1
        return sig


def _timed_signing(center: Any, sign: bool = True) -> _TimedKey:
    timed = _TimedKey(center.signing_key() if sign else None)
    center.signing_key = lambda: timed
    return timed


def bench_pg(pg_url: str, devices: int, per_device: int, batch: int, sign: bool = True) -> dict[str, Any]:
    """``sign=False``: the same run with the center's answers left unsigned (zero bytes; the bench's clients do
    not check them), the "before signing" of the signing cost."""
    import psycopg

    from sync.center.embedded import EmbeddedCenter
    from sync.center.pg_store import PgStore
    from sync.client.client import CenterClient

    schema = "bench_" + secrets.token_hex(4)
    store = PgStore(pg_url, schema=schema, pool_size=8)
    store.init_schema()
    try:
        center = EmbeddedCenter(store=store)
        url = center.start()
        timed = _timed_signing(center.app.state.center, sign)
        people = _people(devices * per_device, seed=2)
        work = []
        for d in range(devices):
            key = Ed25519PrivateKey.generate()
            dev, worker = f"dev-{d}", f"worker-{d}"
            code = store.create_enrol_code(worker, "worker", None, dt.timedelta(hours=1))
            pub = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
            store.enrol(code, dev, worker, pub, dt.datetime.now(dt.UTC))
            work.append((key, dev, _signed_ops(key, dev, worker, people[d * per_device:(d + 1) * per_device])))
        barrier = threading.Barrier(devices)
        errors: list[str] = []

        def run(key: Ed25519PrivateKey, dev: str, ops: list[Operation]) -> None:
            client = CenterClient(url, timeout=300)
            barrier.wait()
            try:
                for i in range(0, len(ops), batch):
                    req = P.PushRequest(protocol_version=P.PROTOCOL_VERSION, device_id=dev, operations=ops[i:i + batch])
                    resp = client.call("/v1/push", req, P.PushResponse, key.sign, dev)
                    if resp.statuses != "a" * len(req.operations):
                        errors.append(f"{dev}: {resp.statuses[:20]} {[r.code for r in resp.results][:3]}")
            except Exception as exc:  # report, do not hide
                errors.append(f"{dev}: {type(exc).__name__}: {exc}")
            finally:
                client.close()

        threads = [threading.Thread(target=run, args=w) for w in work]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.monotonic() - t0
        push_sign, push_answers = timed.seconds, timed.count
        # A device is not sent back what it pushed itself (issue 15), so each one pulls its neighbour's people
        # (assigned to it as well: each person and its visit plan, and its own people once more, which that
        # assignment re-published), so that the pull pages carry changes: 300 per device.
        for d in range(devices):
            neighbour = people[((d + 1) % devices) * per_device:((d + 1) % devices + 1) * per_device]
            store.assign(f"worker-{d}", [p.person_id for p in neighbour], dt.datetime.now(dt.UTC))
        pulled: list[int] = []

        def pull(key: Ed25519PrivateKey, dev: str, _ops: list[Operation]) -> None:
            client = CenterClient(url, timeout=300)
            barrier.wait()
            try:
                since = "0"
                while True:
                    req = P.PullRequest(protocol_version=P.PROTOCOL_VERSION, device_id=dev, since=since, limit=500)
                    resp = client.call("/v1/pull", req, P.PullResponse, key.sign, dev)
                    pulled.append(len(resp.changes))
                    if not resp.changes or resp.checkpoint == since:
                        break
                    since = resp.checkpoint
            except Exception as exc:
                errors.append(f"{dev} pull: {type(exc).__name__}: {exc}")
            finally:
                client.close()

        threads = [threading.Thread(target=pull, args=w) for w in work]
        t1 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        pull_wall = time.monotonic() - t1
        pull_sign, pull_pages = timed.seconds - push_sign, timed.count - push_answers
        center.stop()
        total = sum(store.operation_counts().values())
    finally:
        store.close()
        with psycopg.connect(pg_url, autocommit=True) as con:
            con.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    return {"devices": devices, "ops_per_device": per_device, "batch_size": batch, "operations": int(total),
            "wall_s": round(wall, 2), "ops_per_s": round(int(total) / wall, 1), "errors": errors[:5],
            "push_signing": {"answers": push_answers, "sign_s": round(push_sign, 4),
                             "share_of_wall": round(push_sign / wall, 4),
                             "ops_per_s_without_signing": round(int(total) / (wall - push_sign), 1)},
            "pull": {"changes": sum(pulled), "pages": pull_pages, "wall_s": round(pull_wall, 2),
                     "changes_per_s": round(sum(pulled) / pull_wall, 1), "sign_s": round(pull_sign, 4),
                     "share_of_wall": round(pull_sign / pull_wall, 4),
                     "changes_per_s_without_signing": round(sum(pulled) / (pull_wall - pull_sign), 1)},
            "center": "one process (uvicorn in a thread), PostgreSQL 15 on the same machine, 2 shared cores"}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ops", type=int, default=10_000)
    ap.add_argument("--rate", type=float, default=256_000)
    ap.add_argument("--rtt", type=float, default=0.2)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--devices", type=int, default=50)
    ap.add_argument("--ops-per-device", type=int, default=100)
    ap.add_argument("--skip-link", action="store_true")
    ap.add_argument("--skip-pg", action="store_true")
    ap.add_argument("--pg-url", default=os.environ.get("OUTREACH_TEST_PG_URL"))
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "sync.json"))
    args = ap.parse_args()
    out = Path(args.out)
    results: dict[str, Any] = json.loads(out.read_text()) if out.exists() else {}
    results["measured_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    if not args.skip_link:
        results["link"] = bench_link(args.ops, args.rate, args.rtt, args.batch)
        print(json.dumps(results["link"], indent=2))
    if not args.skip_pg:
        if not args.pg_url:
            print("no PostgreSQL URL (--pg-url or OUTREACH_TEST_PG_URL); skipping", file=sys.stderr)
        else:
            kept = {k: v for k, v in results.get("postgres", {}).items() if k.startswith(("baseline", "pull_before"))}
            results["postgres"] = {**bench_pg(args.pg_url, args.devices, args.ops_per_device, 50), **kept}
            # the same run with unsigned answers, alternated with a second signed one: the machine's noise shows
            unsigned = bench_pg(args.pg_url, args.devices, args.ops_per_device, 50, sign=False)
            again = bench_pg(args.pg_url, args.devices, args.ops_per_device, 50)
            results["postgres"]["unsigned_run"] = {"ops_per_s": unsigned["ops_per_s"],
                                                   "changes_per_s": unsigned["pull"]["changes_per_s"]}
            results["postgres"]["signed_again"] = {"ops_per_s": again["ops_per_s"],
                                                   "changes_per_s": again["pull"]["changes_per_s"]}
            print(json.dumps(results["postgres"], indent=2))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
