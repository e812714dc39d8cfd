"""Enrolment throttling that cannot lock out someone else: limits by source address and by worker.

Refused enrolments are counted per source address, per (worker, source) and per worker, over
:data:`WINDOW`. A source that guesses is held (every worker, from that source); the named worker enrolling
from another source is not. Only when a worker's code is guessed at from many sources are that worker's
attempts held from every source that has itself failed lately, so a clean source still gets its code checked.
Migration ``0002_access`` makes its table. There is no center-wide stop: guessing a code (48 random bits) gets nowhere, a few tries per source at a time.

The store counts and records inside one transaction under the ``enrol`` lock, so concurrent guesses (several
center processes on PostgreSQL) never exceed a limit. ``outreach center unlock-enrolment`` clears a hold.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sync.center.store import iso

if TYPE_CHECKING:
    from sync.center.sqlstore import Tx

WINDOW = dt.timedelta(minutes=15)
#: Refused codes in WINDOW after which a source address is held, for any worker.
PER_SOURCE = 10
#: Refused codes in WINDOW for one worker from one source after which that pair is held.
PER_WORKER_SOURCE = 5
#: Refused codes in WINDOW for one worker from all sources after which only sources that failed are held.
PER_WORKER = 20



def held(tx: Tx, worker_id: str, source: str, now: dt.datetime) -> bool:
    """True when an enrolment for ``worker_id`` from ``source`` is not to be checked now. Call under the lock."""
    tx.lock("enrol")
    since = iso(now - WINDOW)
    (src, pair), = tx.rows("SELECT count(*), coalesce(sum(CASE WHEN worker_id = ? THEN 1 ELSE 0 END), 0) "
                        "FROM enrol_guesses WHERE source = ? AND failed_at > ?", (worker_id[:64], source[:64], since))
    if int(src) >= PER_SOURCE or int(pair) >= PER_WORKER_SOURCE:
        return True
    if int(src) == 0:
        return False  # a clean source is never held for someone else's guessing
    (worker,), = tx.rows("SELECT count(*) FROM enrol_guesses WHERE worker_id = ? AND failed_at > ?",
                      (worker_id[:64], since))
    return int(worker) >= PER_WORKER


def failed(tx: Tx, worker_id: str, source: str, now: dt.datetime) -> None:
    """Record one refused code (in the transaction that checked it, under the lock)."""
    tx.lock("enrol")
    tx.execute("DELETE FROM enrol_guesses WHERE failed_at < ?", (iso(now - dt.timedelta(days=1)),))
    tx.execute("INSERT INTO enrol_guesses (worker_id, source, failed_at) VALUES (?, ?, ?)",
         (worker_id[:64], source[:64], iso(now)))


def clear(tx: Tx, worker_id: str | None, source: str | None) -> int:
    """Forget the refused codes of ``worker_id`` and/or ``source`` (both None: all). Returns rows removed."""
    tx.lock("enrol")
    if worker_id is None and source is None:
        return tx.execute("DELETE FROM enrol_guesses")
    if source is None:
        return tx.execute("DELETE FROM enrol_guesses WHERE worker_id = ?", (worker_id,))
    if worker_id is None:
        return tx.execute("DELETE FROM enrol_guesses WHERE source = ?", (source,))
    return tx.execute("DELETE FROM enrol_guesses WHERE worker_id = ? AND source = ?", (worker_id, source))
