"""The PostgreSQL center store (psycopg 3): per-subject, per-device and log advisory locks.

Several center processes may share one database; every rule that must hold across them (exactly-once, chain
continuity, one decision per subject at a time, gapless log) is enforced by the database.
"""

from __future__ import annotations

import queue
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import errors as pgerr

from sync.center.factory import SCHEMA_NAME_PATTERN
from sync.center.sqlstore import SqlStore, Tx
from sync.errors import StoreError

_SCHEMA_RE = re.compile(SCHEMA_NAME_PATTERN)


class _PgTx:
    """Statements go through a psycopg pipeline: writes whose result nobody reads (``write``) are queued and sent
    with the next read, so one operation costs a few round trips instead of a dozen.

    Every read gets a cursor of its own. Reading from the cursor the queued writes and lock calls went
    through returned, now and then, one of their results instead of the read's (an advisory-lock row where a
    person row was expected). A bulk transaction (``pipeline`` None) sends statements one at a time and
    stages rows with COPY, which a pipeline does not allow."""

    def __init__(self, con: psycopg.Connection[Any], cur: psycopg.Cursor[Any],
                 pipeline: psycopg.Pipeline | None) -> None:
        self.con = con
        self.cur = cur
        self.pipeline = pipeline
        self.held: set[str] = set()
        self.cache: dict[str, Any] = {}
        self.for_update = " FOR UPDATE"

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self.con.cursor() as cur:
            cur.execute(sql.replace("?", "%s"), params)
            return list(cur.fetchall())

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> int:
        with self.con.cursor() as cur:
            cur.execute(sql.replace("?", "%s"), params)
            if self.pipeline is not None:
                self.pipeline.sync()
            return int(cur.rowcount)

    def write(self, sql: str, params: tuple[Any, ...] = ()) -> None:
        self.cur.execute(sql.replace("?", "%s"), params)

    def lock(self, key: str) -> None:
        if key not in self.held:  # transaction-level advisory locks are held to commit; one call is enough
            self.cur.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (key,))
            self.held.add(key)

    def many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            self.cur.executemany(sql.replace("?", "%s"), rows)

    def stage(self, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if self.pipeline is not None:
            marks = ", ".join(["%s"] * len(columns))
            self.cur.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
            return
        with self.cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


class PgStore(SqlStore):
    dialect = "postgresql"
    #: At most this many operations per transaction: each holds a subject lock to commit, and PostgreSQL's
    #: shared lock table is sized for max_locks_per_transaction (64 by default) per connection on average;
    #: 100 per transaction across many pushing devices at once would run it out ("out of shared memory").
    push_chunk = 50
    late_sequencing = True

    def __init__(self, url: str, *, schema: str | None = None, pool_size: int = 4) -> None:
        super().__init__()
        if schema is not None and not _SCHEMA_RE.match(schema):
            raise StoreError("bad schema name")
        self.url = url
        self.schema = schema
        self._pool: queue.LifoQueue[psycopg.Connection[Any]] = queue.LifoQueue()
        self._pool_size = pool_size

    def _connect(self) -> psycopg.Connection[Any]:
        try:
            con = psycopg.connect(self.url, autocommit=True, connect_timeout=10)
        except psycopg.Error as exc:
            raise StoreError("cannot connect to PostgreSQL") from exc
        if self.schema:
            con.execute(f'SET search_path TO "{self.schema}"')
        return con

    @contextmanager
    def _tx(self, *, bulk: bool = False) -> Iterator[Tx]:
        try:
            con = self._pool.get_nowait()
        except queue.Empty:
            con = self._connect()
        ok = False
        try:
            if bulk:
                with con.transaction(), con.cursor() as cur:
                    yield _PgTx(con, cur, None)
            else:
                with con.pipeline() as pipeline, con.transaction(), con.cursor() as cur:
                    yield _PgTx(con, cur, pipeline)
            ok = True
        finally:
            if (ok or not con.closed) and con.info.transaction_status == psycopg.pq.TransactionStatus.IDLE \
                    and self._pool.qsize() < self._pool_size:
                self._pool.put(con)
            else:
                con.close()

    def _retryable(self, exc: BaseException) -> bool:
        return isinstance(exc, pgerr.DeadlockDetected | pgerr.SerializationFailure | pgerr.UniqueViolation)

    def _prepare_schema(self, tx: Tx) -> None:
        if self.schema:  # under the schema lock: processes starting at once never race to create it
            tx.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')

    def init_schema(self) -> list[str]:
        try:
            return super().init_schema()
        except psycopg.Error as exc:
            raise StoreError(type(exc).__name__) from exc

    def close(self) -> None:
        while True:
            try:
                self._pool.get_nowait().close()
            except queue.Empty:
                return
