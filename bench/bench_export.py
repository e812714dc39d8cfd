"""Export benchmark: rows per second and peak memory of the supervisor export writers.

The rows come from a synthetic record source (named as such: it stands in for the vault or the center store so
that the figure is the export's own cost: masking, labels, summary, the CSV/XLSX writers, the signed manifest
and the PDF report). Each run is a child process, so its peak memory (ru_maxrss) is its own.

    .venv/bin/python bench/bench_export.py [--rows 100000 1000000] [--formats csv xlsx pdf]
        [--visits 200000] [--incremental-base 100000] [--floor-rows 100000 1000000]

Also, from a real supervisor's vault (SQLCipher, visits pulled through ``Vault.apply_pulled``, built by
``tests/exports/scale_vault.py``; the export itself run by ``tests/exports/scale_child.py``, peak memory as
VmHWM): ``--visits`` visits to CSV and to XLSX, and the incremental ("since my last export") CSV export of
1,000 new visits after a full export of ``--incremental-base`` visits. And the xlsxwriter floor: the same cells
(rows our own builder made from the synthetic source, cycled) written by bare xlsxwriter in ``constant_memory``
mode with the same typed calls, so that our XLSX time is stated as a ratio over what the library needs anyway.

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


def floor(rows: int) -> dict[str, Any]:
    """Bare xlsxwriter (constant_memory, typed writes) writing ``rows`` rows of the cells our builder made."""
    import xlsxwriter

    from outreach.exports import ExportRequest
    from outreach.exports.datasets import COLUMNS, RowBuilder
    from outreach.exports.summary import Summary

    request = ExportRequest(datasets=("operations",), formats=("xlsx",), today=dt.date(2026, 12, 2))
    builder = RowBuilder(request.filter, True, request.today or dt.date(2026, 12, 2), Summary(today=dt.date(2026, 12, 2)))
    sample = list(builder.rows("operations", SyntheticSource(1000).records("operations", request.filter, None)))
    width = len(COLUMNS["operations"])
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        book = xlsxwriter.Workbook(str(Path(tmp) / "floor.xlsx"), {"constant_memory": True, "tmpdir": tmp,
                                                                   "strings_to_formulas": False,
                                                                   "strings_to_urls": False})
        fmt_date = book.add_format({"num_format": "yyyy-mm-dd"})
        sheet = book.add_worksheet("floor")
        for c in range(width):
            sheet.write_string(0, c, COLUMNS["operations"][c].zh)
        write_string, write_datetime, write_number = sheet.write_string, sheet.write_datetime, sheet.write_number
        n = len(sample)
        for r in range(1, rows + 1):
            for c, value in enumerate(sample[r % n]):
                if isinstance(value, str):
                    write_string(r, c, value)
                elif isinstance(value, dt.date):
                    write_datetime(r, c, value, fmt_date)
                elif value is not None:
                    write_number(r, c, value)
        book.close()
        seconds = time.perf_counter() - t0
    return {"rows": rows, "format": "xlsx-floor", "seconds": round(seconds, 2),
            "rows_per_s": round(rows / seconds) if seconds else None,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def build_vault(path: str, visits: int) -> None:
    """A supervisor's vault of ``visits`` visits (tests/exports/scale_vault.py), cheap key derivation."""
    import pytest

    from tests.exports import scale_vault
    from tests.support.vaults import use_cheap_kdf

    use_cheap_kdf(pytest.MonkeyPatch())
    scale_vault.build(Path(path), visits)


def add_visits(path: str, start: int, count: int) -> None:
    import pytest

    from storage import Vault
    from tests.exports import scale_vault
    from tests.support.vaults import PASSPHRASE, use_cheap_kdf

    use_cheap_kdf(pytest.MonkeyPatch())
    with Vault.open(Path(path), PASSPHRASE) as vault:
        ids = sorted({v.person_id for v in vault.iter_visits()})
        scale_vault.add_visits(vault, ids, start, count)


def vault_export(vault: str, formats: str, since_last: bool = False) -> dict[str, Any]:
    """One export of the real vault, in a child process (tests/exports/scale_child.py)."""
    with tempfile.TemporaryDirectory() as out:
        run = subprocess.run([sys.executable, "-m", "tests.exports.scale_child", vault, out, formats,
                              *(["--since-last"] if since_last else [])],
                             cwd=ROOT, capture_output=True, text=True, check=True)
        last = json.loads(run.stdout.strip().splitlines()[-1])
        size = sum(f.stat().st_size for f in Path(out).rglob("*") if f.is_file())
    rows = int(last["rows"])
    return {"rows": rows, "format": formats, "seconds": last["seconds"],
            "rows_per_s": round(rows / last["seconds"]) if last["seconds"] else None, "bytes": size,
            "peak_rss_mb": last["peak_rss_mb"], "progress_steps": last["steps"]}


def visits_runs(visits: int, base: int) -> dict[str, Any]:
    def helper(*args: str) -> None:
        subprocess.run([sys.executable, __file__, *args], cwd=ROOT, check=True)

    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        big = str(Path(tmp) / "big.db")
        helper("--child-build", big, str(visits))
        out["visits"] = []
        for fmt in ("csv", "xlsx"):
            run = {**vault_export(big, fmt), "visits_in_vault": visits}
            print(json.dumps(run), flush=True)
            out["visits"].append(run)
        inc = str(Path(tmp) / "inc.db")
        helper("--child-build", inc, str(base))
        full = vault_export(inc, "csv", since_last=True)
        helper("--child-add", inc, str(base), "1000")
        t0 = time.perf_counter()
        new = vault_export(inc, "csv", since_last=True)
        new["wall_seconds"] = round(time.perf_counter() - t0, 2)
        out["incremental_visits_csv"] = {**new, "after_full_of": base, "full_seconds": full["seconds"]}
        print(json.dumps(out["incremental_visits_csv"]), flush=True)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--formats", nargs="+", default=["csv", "xlsx", "pdf"])
    ap.add_argument("--incremental", type=int, default=1000, help="new operations after a full export")
    ap.add_argument("--visits", type=int, default=200_000, help="visits of a real vault to CSV and XLSX (0: skip)")
    ap.add_argument("--incremental-base", type=int, default=100_000,
                    help="visits exported in full before the incremental export of 1,000 new ones")
    ap.add_argument("--floor-rows", type=int, nargs="*", default=None,
                    help="rows for the bare xlsxwriter floor (default: the --rows of the xlsx runs)")
    ap.add_argument("--child", nargs=3, metavar=("ROWS", "FORMAT", "SINCE"), help=argparse.SUPPRESS)
    ap.add_argument("--child-floor", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--child-build", nargs=2, metavar=("PATH", "VISITS"), help=argparse.SUPPRESS)
    ap.add_argument("--child-add", nargs=3, metavar=("PATH", "START", "COUNT"), help=argparse.SUPPRESS)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "export.json"))
    args = ap.parse_args()
    if args.child:
        print(json.dumps(one(int(args.child[0]), args.child[1], int(args.child[2]))))
        return 0
    if args.child_floor:
        print(json.dumps(floor(args.child_floor)))
        return 0
    if args.child_build:
        build_vault(args.child_build[0], int(args.child_build[1]))
        return 0
    if args.child_add:
        add_visits(args.child_add[0], int(args.child_add[1]), int(args.child_add[2]))
        return 0
    runs: list[dict[str, Any]] = []

    def child(rows: int, fmt: str, since: int = 0) -> dict[str, Any]:
        flag = ["--child-floor", str(rows)] if fmt == "xlsx-floor" else ["--child", str(rows), fmt, str(since)]
        out = subprocess.run([sys.executable, __file__, *flag], capture_output=True, text=True, check=True)
        run = json.loads(out.stdout.strip().splitlines()[-1])
        print(json.dumps(run), flush=True)
        return run

    for rows in args.rows:
        for fmt in args.formats:
            runs.append(child(rows, fmt))
    biggest = max(args.rows)
    incremental = child(biggest + args.incremental, "csv", since=biggest)
    floors = []
    ours = {r["rows"]: r for r in runs if r["format"] == "xlsx"}
    for rows in (args.floor_rows if args.floor_rows is not None else sorted(ours)):
        run = child(rows, "xlsx-floor")
        if rows in ours and run["seconds"]:
            run["our_xlsx_over_floor"] = round(ours[rows]["seconds"] / run["seconds"], 2)
        floors.append(run)
    result = {"measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
              "source": "synthetic records (bench only), card operations of 500 people, masked export",
              "runs": runs, "incremental_csv": {**incremental, "after_full_of": biggest}, "xlsx_floor": floors}
    if args.visits:
        result["real_vault"] = {"source": "a supervisor's SQLCipher vault, 2,000 people of 460106, visits pulled "
                                          "from 20 colleagues (tests/exports/scale_vault.py), masked export",
                                **visits_runs(args.visits, args.incremental_base)}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
