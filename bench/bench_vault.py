"""Vault benchmark (run on demand, not a test).

Builds a vault of ``--people`` synthetic people and ``--ops`` operations (seed + filler through the bulk path,
each op hashed, signed and chained), exports the same database to plain SQLite (``sqlcipher_export``: same
schema, same rows) and measures, for both:

* open: time to a usable connection (SQLCipher: with and without the Argon2id derivation);
* save: latency of ONE ``Vault.append`` in its own durable transaction (WAL, synchronous=FULL), p50/p99;
* lookup: ``find_people`` by full identity number and by name prefix, p50/p99.

The plain side runs the very same ``Vault`` code over a ``sqlite3`` connection, so the ratio is the cost of
encryption alone. Results: ``bench/results/vault.json`` and a markdown table on stdout.

    .venv/bin/python bench/bench_vault.py                       # 100,000 people, 1,000,000 operations
    .venv/bin/python bench/bench_vault.py --people 5000 --ops 20000   # quick
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from outreach.services.seed import seed_people  # noqa: E402
from storage import Vault, driver, keys  # noqa: E402

PASSPHRASE = "bench-only-passphrase"


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def _ms(values: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(_pct(values, 50) * 1000, 3),
        "p99_ms": round(_pct(values, 99) * 1000, 3),
        "mean_ms": round(statistics.fmean(values) * 1000, 3),
        "n": len(values),
    }


def build(path: Path, people: int, ops: int, seed: int) -> tuple[float, int]:
    started = time.perf_counter()
    vault = Vault.create(path, PASSPHRASE, worker_id="bench")
    last = [0.0]

    def progress(done: int, total: int) -> None:
        if time.perf_counter() - last[0] > 10:
            last[0] = time.perf_counter()
            print(f"  seeded {done}/{total} people", file=sys.stderr, flush=True)

    report = seed_people(vault, people, seed=seed, batch=1000, progress=progress)
    total = report.operations
    ids = [r[0] for r in vault._db().execute("SELECT person_id FROM people").fetchall()]
    rng = random.Random(seed)
    while total < ops:
        n = min(5000, ops - total)
        items: list[tuple[str, str, dict[str, Any]]] = []
        for i in range(n):
            pid = rng.choice(ids)
            if i % 2:
                items.append(("audit.reveal", pid, {"field": "mobile", "screen": "person"}))
            else:
                visit = {"visit_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "person_id": pid,
                         "worker_id": "bench", "day": f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}",
                         "outcome": "nobody_home", "present": [], "notes": "", "op_ids": [], "planned": False}
                items.append(("visit.log", pid, {"visit": visit}))
        total += len(vault.append_many(items))
        if time.perf_counter() - last[0] > 10:
            last[0] = time.perf_counter()
            print(f"  {total}/{ops} operations", file=sys.stderr, flush=True)
    vault.close()
    return time.perf_counter() - started, total


def export_plain(path: Path, plain: Path) -> None:
    key = keys.derive_key(PASSPHRASE, keys.precheck(path))
    conn = driver.connect(path, bytes(key))
    conn.execute(f"ATTACH DATABASE '{plain}' AS plaintext KEY ''")
    conn.execute("SELECT sqlcipher_export('plaintext')")
    conn.execute("DETACH DATABASE plaintext")
    conn.close()
    with sqlite3.connect(plain) as c:
        c.execute("PRAGMA journal_mode = WAL")
    c.close()


def open_plain(plain: Path) -> Vault:
    conn = sqlite3.connect(str(plain), isolation_level=None, check_same_thread=False)
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    driver.configure(conn)
    return Vault(plain, conn, bytearray(32), b"\0" * 16)


def measure(vault: Vault, samples: int, lookups: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    conn = vault._db()
    rows = conn.execute("SELECT person_id, id_number, name FROM people").fetchall()
    picks = [rows[rng.randrange(len(rows))] for _ in range(lookups)]
    save: list[float] = []
    for i in range(samples):
        pid = picks[i % len(picks)][0]
        t = time.perf_counter()
        vault.append("audit.reveal", pid, {"field": "id_number", "screen": "bench"})
        save.append(time.perf_counter() - t)
    for _, number, name in picks[:20]:  # warm the page cache like a worker's first searches do
        vault.find_people(number)
        vault.find_people(name[:2], limit=20)
    by_id: list[float] = []
    by_name: list[float] = []
    for pid, number, name in picks:
        t = time.perf_counter()
        found = vault.find_people(number)
        by_id.append(time.perf_counter() - t)
        assert any(p.person_id == pid for p in found)
        t = time.perf_counter()
        found = vault.find_people(name[:2], limit=20)
        by_name.append(time.perf_counter() - t)
        assert found
    return {"save": _ms(save), "lookup_id": _ms(by_id), "lookup_name_prefix": _ms(by_name)}


def time_open_sqlcipher(path: Path, repeats: int = 5) -> tuple[float, float]:
    totals, no_kdf = [], []
    for _ in range(repeats):
        t = time.perf_counter()
        Vault.open(path, PASSPHRASE).close()
        totals.append(time.perf_counter() - t)
        key = keys.derive_key(PASSPHRASE, keys.precheck(path))
        t = time.perf_counter()
        conn = driver.connect(path, bytes(key))
        driver.configure(conn)
        conn.execute("SELECT value FROM vault_state WHERE key = 'head_seq'").fetchone()
        no_kdf.append(time.perf_counter() - t)
        conn.close()
    return statistics.median(totals), statistics.median(no_kdf)


def time_open_plain(plain: Path, repeats: int = 5) -> float:
    out = []
    for _ in range(repeats):
        t = time.perf_counter()
        conn = sqlite3.connect(str(plain), isolation_level=None)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        driver.configure(conn)
        conn.execute("SELECT value FROM vault_state WHERE key = 'head_seq'").fetchone()
        out.append(time.perf_counter() - t)
        conn.close()
    return statistics.median(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--ops", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=500, help="single-op saves to time")
    parser.add_argument("--lookups", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", type=Path, help="work folder (default: a temporary one, removed)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "vault.json")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(dir=args.dir) as work:
        path, plain = Path(work) / "vault.db", Path(work) / "plain.db"
        print(f"building {args.people} people / {args.ops} operations ...", file=sys.stderr)
        build_s, total_ops = build(path, args.people, args.ops, args.seed)
        export_plain(path, plain)
        open_total, open_no_kdf = time_open_sqlcipher(path)
        open_plain_s = time_open_plain(plain)
        with Vault.open(path, PASSPHRASE) as v:
            enc = measure(v, args.samples, args.lookups, args.seed)
        pv = open_plain(plain)
        try:
            pln = measure(pv, args.samples, args.lookups, args.seed)
        finally:
            pv.close()
        size_mb = path.stat().st_size / 1e6
    result: dict[str, Any] = {
        "params": {"people": args.people, "operations": total_ops, "samples": args.samples, "lookups": args.lookups},
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": _cpus()},
        "build_seconds": round(build_s, 1),
        "vault_mb": round(size_mb, 1),
        "sqlcipher": {"open_ms": round(open_total * 1000, 1), "open_without_kdf_ms": round(open_no_kdf * 1000, 2), **enc},
        "sqlite": {"open_ms": round(open_plain_s * 1000, 2), **pln},
    }
    result["ratios"] = {
        k: round(enc[k]["p50_ms"] / max(pln[k]["p50_ms"], 1e-6), 2) for k in ("save", "lookup_id", "lookup_name_prefix")
    }
    result["targets"] = {
        "save_within_2x": result["ratios"]["save"] <= 2.0,
        "lookups_under_5ms_p50": enc["lookup_id"]["p50_ms"] < 5 and enc["lookup_name_prefix"]["p50_ms"] < 5,
        "lookups_under_5ms_p99": enc["lookup_id"]["p99_ms"] < 5 and enc["lookup_name_prefix"]["p99_ms"] < 5,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(_table(result))
    return 0


def _cpus() -> int:
    import os

    return os.cpu_count() or 0


def _table(r: dict[str, Any]) -> str:
    e, s, ratio = r["sqlcipher"], r["sqlite"], r["ratios"]
    lines = [
        f"Vault benchmark: {r['params']['people']:,} people, {r['params']['operations']:,} operations "
        f"({r['vault_mb']} MB, built in {r['build_seconds']} s)",
        "",
        "| measure | SQLCipher vault | plain SQLite | ratio (p50) |",
        "| --- | --- | --- | --- |",
        f"| open (incl. Argon2id) | {e['open_ms']} ms | - | - |",
        f"| open (connection + key + first read) | {e['open_without_kdf_ms']} ms | {s['open_ms']} ms | "
        f"{round(e['open_without_kdf_ms'] / max(s['open_ms'], 1e-6), 2)} |",
    ]
    for key, label in (("save", "save 1 op (durable) p50 / p99"), ("lookup_id", "lookup identity number p50 / p99"),
                       ("lookup_name_prefix", "lookup name prefix p50 / p99")):
        lines.append(f"| {label} | {e[key]['p50_ms']} / {e[key]['p99_ms']} ms | {s[key]['p50_ms']} / "
                     f"{s[key]['p99_ms']} ms | {ratio[key]} |")
    lines.append("")
    lines.append(f"targets: {r['targets']}")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
