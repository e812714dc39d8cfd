"""Loading people into the center in set-based batches: stage the batch (PostgreSQL: COPY), then a few
statements insert or update every staged person, publish their changes and log them.

One batch is one transaction under the log lock only. Every writer of ``subjects`` and ``changes`` holds the
log lock to commit (see :mod:`sync.center.sqlstore`), so no per-person lock is needed: the old load took an
advisory lock per person and ran out of PostgreSQL's lock table ("out of shared memory", 15,000 people).

A person whose stored record is already exactly the loaded one is skipped (no new version, change or log
entry): loading the same file again, or again after an interrupted load, adds nothing twice.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from outreach.domain.operation import canonical_json
from sync import merkle
from sync.center import merkle_log, person_keys
from sync.center.migrations import Dialect
from sync.center.store import LoadCount, iso

if TYPE_CHECKING:
    from sync.center.sqlstore import Tx

STAGE_COLUMNS = ("ord", "subject", "area_code", "person", "leaf")
_STAGE_TABLE = {
    "sqlite": "CREATE TEMP TABLE IF NOT EXISTS load_stage (ord INTEGER NOT NULL, subject TEXT PRIMARY KEY, "
              "area_code TEXT, person TEXT NOT NULL, leaf TEXT NOT NULL)",
    "postgresql": "CREATE TEMP TABLE IF NOT EXISTS load_stage (ord INTEGER NOT NULL, subject TEXT PRIMARY KEY, "
                  "area_code TEXT, person TEXT NOT NULL, leaf TEXT NOT NULL) ON COMMIT DELETE ROWS",
}


def stage_rows(people: list[dict[str, Any]], now: dt.datetime) -> list[tuple[int, str, str, str, str]]:
    """The staged rows of validated people, in input order: the person's text is what ``subjects`` and
    ``changes`` store (so an unchanged person compares equal), the leaf what the log records."""
    at = iso(now)
    rows = []
    for i, data in enumerate(people):
        pid = str(data["person_id"])
        leaf = merkle.leaf_hash(canonical_json(
            {"loaded": pid, "hash": merkle.leaf_hash(canonical_json(data)).hex(), "at": at})).hex()
        rows.append((i, pid, str(data["area_code"]), json.dumps(data), leaf))
    return rows


def load_batch(tx: Tx, dialect: Dialect, rows: list[tuple[int, str, str, str, str]]) -> LoadCount:
    """Insert or replace the staged people in one transaction; unchanged people are skipped."""
    tx.lock("log")
    tx.execute(_STAGE_TABLE[dialect])
    tx.execute("DELETE FROM load_stage")
    tx.stage("load_stage", STAGE_COLUMNS, rows)
    skipped = tx.execute("DELETE FROM load_stage WHERE EXISTS (SELECT 1 FROM subjects s WHERE s.subject = "
                   "load_stage.subject AND s.person = load_stage.person)")
    n = len(rows) - skipped
    if n == 0:
        return LoadCount(loaded=0, skipped=skipped)
    tx.execute("INSERT INTO subjects (subject, version, area_code, person, cards) "
         "SELECT subject, 1, area_code, person, NULL FROM load_stage WHERE true "
         "ON CONFLICT (subject) DO UPDATE SET version = subjects.version + 1, area_code = excluded.area_code, "
         "person = excluded.person")
    # Delete + insert gives each change a new, higher change_seq (under the log lock, so in commit order).
    tx.execute("DELETE FROM changes WHERE type = 'person' AND id IN (SELECT subject FROM load_stage)")
    tx.execute("INSERT INTO changes (type, id, version, data, person_id, owner, area_code, origin) "
         "SELECT 'person', st.subject, s.version, st.person, st.subject, NULL, st.area_code, NULL "
         "FROM load_stage st JOIN subjects s ON s.subject = st.subject ORDER BY st.ord")
    person_keys.record_loaded(tx, [(str(r[0]), str(r[1])) for r in tx.rows("SELECT subject, person FROM load_stage")])
    leaves = [bytes.fromhex(r[0]) for r in tx.rows("SELECT leaf FROM load_stage ORDER BY ord")]
    merkle_log.append(tx, leaves)
    return LoadCount(loaded=n, skipped=skipped)
