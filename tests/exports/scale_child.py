"""One export of a supervisor's vault in a process of its own, so that its peak memory (ru_maxrss) is the
export's: run by tests/exports/test_scale.py (and bench/bench_export.py) as

    python -m tests.exports.scale_child VAULT OUT FORMAT[,FORMAT] [--cancel-at ROWS] [--since-last]

The vault is one made by :mod:`tests.exports.scale_vault` (the tests' cheap key derivation). Prints one JSON line per progress step (``{"progress": rows}``) and a last line with the result: rows,
progress steps, cancelled, seconds, peak RSS in MB, the folder written.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import pytest


def peak_rss_mb() -> float:
    """This process's peak resident memory since it started its program: VmHWM (reset by exec), not
    ru_maxrss, which keeps the high-water mark of the forked copy of a big parent (e.g. pytest)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("vault")
    ap.add_argument("out")
    ap.add_argument("formats")
    ap.add_argument("--cancel-at", type=int, default=0)
    ap.add_argument("--since-last", action="store_true")
    args = ap.parse_args()

    from outreach.exports import ExportCancelled, ExportRequest, run_export
    from outreach.exports.vault_source import VaultSource
    from storage import Vault
    from tests.support.vaults import PASSPHRASE, use_cheap_kdf

    use_cheap_kdf(pytest.MonkeyPatch())  # the vault was made with the tests' cheap key derivation
    steps: list[int] = []

    def progress(dataset: str, rows: int) -> None:
        steps.append(rows)
        print(json.dumps({"progress": rows, "dataset": dataset}), flush=True)

    def cancel() -> bool:
        return bool(args.cancel_at) and bool(steps) and steps[-1] >= args.cancel_at

    with Vault.open(Path(args.vault), PASSPHRASE) as vault:
        source = VaultSource(vault)
        since = source.load_checkpoint() if args.since_last else None
        request = source.authorise(ExportRequest(datasets=("visits",), formats=tuple(args.formats.split(",")),
                                                 since=since))
        t0 = time.perf_counter()
        try:
            result = run_export(source, request, Path(args.out), progress=progress, cancel=cancel)
        except ExportCancelled:
            result = None
        seconds = time.perf_counter() - t0
        if result is not None:
            source.save_checkpoint(result.checkpoint)
    print(json.dumps({
        "rows": result.rows["visits"] if result is not None else None, "steps": len(steps),
        "last_step": steps[-1] if steps else 0, "cancelled": result is None, "seconds": round(seconds, 2),
        "peak_rss_mb": peak_rss_mb(),
        "folder": str(result.folder) if result is not None else None}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
