"""Export benchmark: rows per second and peak memory of the supervisor export writers.

The rows come from a synthetic record source (named as such: it stands in for the vault or the center store so
that the figure is the export's own cost: masking, labels, summary, the CSV/XLSX writers, the signed manifest
and the PDF report). Each run is a child process, so its peak memory (ru_maxrss) is its own.

    .venv/bin/python bench/bench_export.py [--rows 100000 1000000] [--formats csv xlsx pdf]

Writes bench/results/export.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

KINDS = ("card.apply", "card.deliver", "card.bank_activate", "card.loss_temporary", "card.unlock")
STATUSES = ("applied", "applied", "applied", "rejected", "pending")
SURNAMES = "王李张刘陈杨黄赵吴周符林"


class SyntheticSource:
    """A stand-in record source (bench only): ``n`` card operations of 500 people, one a minute from
    2026-11-01, in the shape :class:`outreach.exports.vault_source.VaultSource` yields."""

    signer_kind = "device"
    signer_id = "bench-device"

    def __init__(self, n: int) -> None:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        self.n = n
        self._key = Ed25519PrivateKey.generate()
        self.public_key = self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.people = [
            {"name": SURNAMES[i % len(SURNAMES)] + "亚明", "mobile": f"138{i:08d}", "area_code": "460106",
             "document": {"doc_type": "resident_id", "number": f"46010619{50 + i % 40}0101{i % 1000:03d}X"}}
            for i in range(500)
        ]

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message)

    def records(self, dataset: str, flt: Any, since: dict[str, Any] | None) -> Iterator[dict[str, Any]]:
        from outreach.domain.operation import format_hlc

        if dataset != "operations":
            return
        start = int(dt.datetime(2026, 11, 1, 8, tzinfo=dt.UTC).timestamp() * 1000)
        first = int((since or {}).get("seq", 0))
        for seq in range(first + 1, self.n + 1):
            person = seq % len(self.people)
            yield {"op_id": str(uuid.UUID(int=seq)), "seq": seq, "worker_id": f"w-{seq % 20}",
                   "device_id": "bench-device", "kind": KINDS[seq % len(KINDS)], "subject": f"p-{person}",
                   "hlc": format_hlc(start + seq * 60_000, 0), "payload": {"event": {"card_id": f"c-{person}"}},
                   "status": STATUSES[seq % len(STATUSES)], "code": None, "message_zh": None,
                   "person": self.people[person]}

    def checkpoint(self) -> dict[str, Any]:
        return {"seq": self.n}

    def record_full_export(self, payload: dict[str, Any]) -> None:
        pass


def one(rows: int, fmt: str, since: int) -> dict[str, Any]:
    """One export in this process: ``rows`` operations (after ``since``) to ``fmt``."""
    from outreach.exports import ExportRequest, run_export

    source = SyntheticSource(rows)
    request = ExportRequest(datasets=("operations",), formats=(fmt,), today=dt.date(2026, 12, 2),
                            since={"seq": since} if since else None)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        result = run_export(source, request, tmp)
        seconds = time.perf_counter() - t0
        size = sum(f.stat().st_size for f in Path(result.folder).rglob("*") if f.is_file())
    written = result.rows["operations"]
    return {"rows": written, "format": fmt, "seconds": round(seconds, 2),
            "rows_per_s": round(written / seconds) if seconds else None, "bytes": size,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--formats", nargs="+", default=["csv", "xlsx", "pdf"])
    ap.add_argument("--incremental", type=int, default=1000, help="new operations after a full export")
    ap.add_argument("--child", nargs=3, metavar=("ROWS", "FORMAT", "SINCE"), help=argparse.SUPPRESS)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "export.json"))
    args = ap.parse_args()
    if args.child:
        print(json.dumps(one(int(args.child[0]), args.child[1], int(args.child[2]))))
        return 0
    runs: list[dict[str, Any]] = []

    def child(rows: int, fmt: str, since: int = 0) -> dict[str, Any]:
        out = subprocess.run([sys.executable, __file__, "--child", str(rows), fmt, str(since)],
                             capture_output=True, text=True, check=True)
        run = json.loads(out.stdout.strip().splitlines()[-1])
        print(json.dumps(run), flush=True)
        return run

    for rows in args.rows:
        for fmt in args.formats:
            runs.append(child(rows, fmt))
    biggest = max(args.rows)
    incremental = child(biggest + args.incremental, "csv", since=biggest)
    result = {"measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
              "source": "synthetic records (bench only), card operations of 500 people, masked export",
              "runs": runs, "incremental_csv": {**incremental, "after_full_of": biggest}}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
