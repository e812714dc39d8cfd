"""Crash safety: SIGKILL a process that keeps appending; every op it reported saved must survive."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from storage import Vault
from tests.support.vaults import PASSPHRASE

CHILD = r"""
import sys, uuid
from storage import Vault
vault = Vault.open(sys.argv[1], sys.argv[2])
print("OPEN", flush=True)
i = 0
while True:
    pid = str(uuid.uuid4())
    kind = "visit.log" if i % 3 else "audit.reveal"
    payload = ({"visit": {"visit_id": pid, "person_id": pid, "worker_id": "w", "day": "2026-11-27",
                          "outcome": "done", "present": [], "notes": "x" * (i % 500), "op_ids": [], "planned": False}}
               if kind == "visit.log" else {"field": "mobile", "screen": "crash"})
    if i % 7 == 0:
        vault.append_many([(kind, pid, payload), ("audit.reveal", pid, {"field": "id_number", "screen": "x"})])
        print("BATCH", flush=True)
    else:
        op = vault.append(kind, pid, payload)
        print(op.op_id, flush=True)
    i += 1
"""


@pytest.mark.slow
def test_sigkill_never_loses_a_saved_operation(tmp_path: Path) -> None:
    path = tmp_path / "vault.db"
    Vault.create(path, PASSPHRASE, worker_id="w").close()
    rng = random.Random(1234)
    saved: list[str] = []
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    for _round in range(25):
        proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(path), PASSPHRASE],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "OPEN", proc.stderr.read() if proc.stderr else ""
        time.sleep(rng.uniform(0.05, 0.6))
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate(timeout=30)
        saved += [line for line in out.splitlines() if line and line not in ("BATCH",) and len(line) == 36]
        with Vault.open(path, PASSPHRASE) as v:
            verdict = v.verify_log()
            assert verdict.ok, verdict
            present = {op.op_id for op in v.operations()}
            missing = [op_id for op_id in saved if op_id not in present]
            assert not missing, f"round {_round}: {len(missing)} saved operations lost"
            assert v.pending_count() == verdict.checked
    assert len(saved) > 25
