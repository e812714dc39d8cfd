"""Center export benchmark: ``outreach center export`` over a large center store, SQLite and PostgreSQL.

The store is built fast: rows written in bulk through the store's public ``transaction(..., bulk=True)``
(``Tx.stage``: executemany on SQLite, COPY on PostgreSQL), not pushed over HTTP one device at a time. The
rows are what a push records (``operations`` with an ``Operation``-shaped body, ``subjects`` with the
person's record), but their hashes and signatures are placeholders and the Merkle log is not filled: the
export reads neither, and a signed push of 200,000 operations would take the center's push rate (about 600
operations/s here) times 200,000. What is measured is the export itself: the real command line
(``python -m outreach.cli.main center export``) in a process of its own, its peak memory (``ru_maxrss`` of
that child, from ``os.wait4``), time and rows per second; every file's rows are counted from the signed
manifest and the CSV is read back with the csv module.

    nice -n 10 .venv/bin/python bench/bench_center_export.py [--visits 200000] [--operations 1000000]
        [--backends sqlite postgres] [--formats csv xlsx]

PostgreSQL from ``$OUTREACH_TEST_PG_URL`` (a fresh schema, dropped afterwards). Writes
bench/results/center_export.json.
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
import time
import uuid
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

AREA = "460106"
PEOPLE = 2000
CHUNK = 20_000
DEVICE = "bench-sup"
OUTCOMES = ("done", "done", "nobody_home", "refused", "come_back")
NOTES = ("", "本人在家，已办理", "=HYPERLINK(\"x\") 邻居代收", "电话13812345678，下次再来")
CARD_KINDS = ("card.apply", "card.deliver", "card.bank_activate", "card.loss_temporary", "card.unlock")
STATUSES = ("applied", "applied", "applied", "rejected", "applied_with_conflict")
OP_COLUMNS = ("op_id", "device_id", "seq", "worker_id", "kind", "subject", "hlc", "hash", "body", "status", "code",
              "message_zh", "message_en", "subject_version", "resolves", "received_at", "log_index")


def people() -> list[dict[str, Any]]:
    from tests.support.people import citizen_id, person_payload

    out = []
    for n in range(PEOPLE):
        born = dt.date(1940 + n % 50, 1 + n % 12, 1 + n % 28)
        out.append(person_payload(name="王亚明" if n % 2 else "符春花", number=citizen_id(AREA, born, n, n % 2 == 0),
                                  mobile=f"138{n:08d}", area_code=AREA))
    return out


def _body(i: int, kind: str, subject: str, worker: str, payload: dict[str, Any], hlc: str) -> str:
    """An ``Operation``'s JSON as a push records it (placeholder hash and signature: the export reads neither)."""
    return json.dumps({"op_id": str(uuid.UUID(int=i + 1)), "device_id": f"dev-{worker}", "worker_id": worker,
                       "seq": i + 1, "kind": kind, "subject": subject, "base_version": 1, "payload": payload,
                       "hlc": hlc, "schema_version": 1, "prev_hash": "0" * 64, "hash": f"{i:064x}",
                       "signature": f"{i:0128x}"}, ensure_ascii=False, separators=(",", ":"))


def op_rows(first: int, count: int, ids: list[str], visits: bool) -> Iterator[tuple[Any, ...]]:
    """Operation rows at log positions ``first`` ..: visit logs (``visits``) or card operations."""
    start = int(dt.datetime(2026, 1, 1, 8, tzinfo=dt.UTC).timestamp() * 1000)
    for i in range(first, first + count):
        pid = ids[i % len(ids)]
        worker = f"w-{i % 20}"
        hlc = f"{start + i * 1000:013d}.00000"
        if visits:
            kind = "visit.log"
            payload: dict[str, Any] = {"visit": {
                "visit_id": str(uuid.UUID(int=i + 1)), "person_id": pid, "worker_id": worker,
                "day": (dt.date(2026, 1, 1) + dt.timedelta(days=i % 330)).isoformat(),
                "outcome": OUTCOMES[i % len(OUTCOMES)], "present": ["本人"], "notes": NOTES[i % len(NOTES)],
                "op_ids": [], "planned": False}}
            status, code, zh, en = "applied", None, None, None
        else:
            kind = CARD_KINDS[i % len(CARD_KINDS)]
            payload = {"event": {"card_id": f"c-{pid}"}}
            status = STATUSES[i % len(STATUSES)]
            code, zh, en = (("bad_transition", "当前卡状态不允许此操作", "not allowed in this card state")
                            if status == "rejected" else (None, None, None))
        yield (str(uuid.UUID(int=i + 1)), f"dev-{worker}", i + 1, worker, kind, pid, hlc, f"{i:064x}",
               _body(i, kind, pid, worker, payload, hlc), status, code, zh, en, 1, None,
               "2026-12-01T08:00:00+00:00", i)


def _stage(tx: Any, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    tx.stage(table, columns, rows)


def _device(tx: Any) -> None:
    tx.write("INSERT INTO devices (device_id, worker_id, role, area_code, public_key, enrolled_at, last_hash) "
             "VALUES (?, ?, 'supervisor', ?, ?, ?, ?)",
             (DEVICE, "sup-1", AREA[:4], secrets.token_hex(32), "2026-01-01T00:00:00+00:00", "0" * 64))


def build(store: Any, visits: int, operations: int) -> dict[str, Any]:
    """Fill a migrated, empty store: the people, a city supervisor's device, ``visits`` visit logs, then
    ``operations`` card operations. Returns the seconds each part took."""
    t0 = time.perf_counter()
    folk = people()
    store.transaction(partial(_stage, table="subjects", columns=("subject", "version", "area_code", "person", "cards"),
                              rows=[(p["person_id"], 1, AREA, json.dumps(p, ensure_ascii=False), None) for p in folk]),
                      bulk=True)
    store.transaction(_device)
    store.center_keys()
    ids = [p["person_id"] for p in folk]
    for first in range(0, visits + operations, CHUNK):
        count = min(CHUNK, visits + operations - first)
        rows: list[tuple[Any, ...]] = []
        if first < visits:
            rows += op_rows(first, min(count, visits - first), ids, True)
        if first + count > visits:
            at = max(first, visits)
            rows += op_rows(at, first + count - at, ids, False)
        store.transaction(partial(_stage, table="operations", columns=OP_COLUMNS, rows=rows), bulk=True)
    return {"build_seconds": round(time.perf_counter() - t0, 1)}


def export(db: list[str], dataset: str, fmt: str) -> dict[str, Any]:
    """One ``outreach center export`` in a child process: time, peak RSS, rows (manifest), CSV read back."""
    with tempfile.TemporaryDirectory() as out:
        cmd = [sys.executable, "-m", "outreach.cli.main", "center", "export", *db, "--device", DEVICE,
               "--out", out, "--dataset", dataset, "--format", fmt]
        log = Path(out) / "child.log"
        t0 = time.perf_counter()
        with log.open("w") as fh:  # a file, not a pipe: the progress lines never block the child
            child = subprocess.Popen(cmd, cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT)
            _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - t0
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            raise SystemExit(f"center export failed ({child.returncode}): {log.read_text()[-2000:]}")
        log.unlink()
        (folder,) = [p for p in Path(out).iterdir() if p.is_dir()]
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        rows = int(manifest["rows"][dataset])
        size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
        read_back = None
        if fmt == "csv":
            (path,) = folder.glob(f"*-{dataset}.csv")
            with path.open(encoding="utf-8-sig", newline="") as fh:
                read_back = sum(1 for r in csv.reader(fh) if r and not r[0].startswith("#")) - 1
            assert read_back == rows, (read_back, rows)
    return {"dataset": dataset, "format": fmt, "rows": rows, "seconds": round(seconds, 2),
            "rows_per_s": round(rows / seconds) if seconds else None, "bytes": size,
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1), "csv_rows_read_back": read_back}


def backend_runs(kind: str, visits: int, operations: int, formats: list[str], tmp: Path) -> dict[str, Any]:
    from sync.center.pg_store import PgStore
    from sync.center.sqlite_store import SqliteStore

    schema = None
    if kind == "sqlite":
        path = tmp / "center.db"
        store: Any = SqliteStore(path)
        db = ["--db", str(path)]
    else:
        url = os.environ["OUTREACH_TEST_PG_URL"]
        schema = "bench_" + secrets.token_hex(5)
        store = PgStore(url, schema=schema)
        db = ["--db", url, "--pg-schema", schema]
    try:
        store.init_schema()
        out: dict[str, Any] = {"backend": kind, **build(store, visits, operations)}
        store.close()
        print(json.dumps(out), flush=True)
        out["runs"] = []
        for dataset, n in (("visits", visits), ("operations", operations)):
            if not n:
                continue
            for fmt in formats:
                if dataset == "operations" and fmt == "xlsx" and n > 200_000:
                    continue  # xlsxwriter's own ~13,000 rows/s (bench_export.py): 77 s more per backend
                run = export(db, dataset, fmt)
                print(json.dumps({"backend": kind, **run}), flush=True)
                out["runs"].append(run)
        return out
    finally:
        if schema is not None:
            import psycopg

            with psycopg.connect(os.environ["OUTREACH_TEST_PG_URL"], autocommit=True) as con:
                con.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--visits", type=int, default=200_000)
    ap.add_argument("--operations", type=int, default=1_000_000, help="card operations after the visits (0: none)")
    ap.add_argument("--backends", nargs="+", default=["sqlite", "postgres"], choices=("sqlite", "postgres"))
    ap.add_argument("--formats", nargs="+", default=["csv", "xlsx"], choices=("csv", "xlsx"))
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "center_export.json"))
    args = ap.parse_args()
    result: dict[str, Any] = {
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "source": f"center store built in bulk through transaction(bulk=True): {PEOPLE} people of {AREA}, "
                  f"{args.visits} visit logs of 20 workers, then {args.operations} card operations; the export "
                  "by a supervisor's device of 4601 (masked), `outreach center export` in a child process",
        "nice": os.nice(0), "load_average": [round(x, 2) for x in os.getloadavg()], "backends": []}
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.backends:
            result["backends"].append(backend_runs(kind, args.visits, args.operations, args.formats, Path(tmp)))
    result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
