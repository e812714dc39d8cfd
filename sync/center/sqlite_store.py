"""The embedded center store: one SQLite file (WAL), writers serialised by ``BEGIN IMMEDIATE``."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sync.center.sqlstore import SqlStore, Tx
from sync.errors import StoreError


class _SqliteTx:
    def __init__(self, con: sqlite3.Connection) -> None:
        self.con = con
        self.cache: dict[str, Any] = {}
        self.for_update = ""  # BEGIN IMMEDIATE: the whole database is the transaction's already

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return list(self.con.execute(sql, params).fetchall())

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> int:
        return self.con.execute(sql, params).rowcount

    def write(self, sql: str, params: tuple[Any, ...] = ()) -> None:
        self.con.execute(sql, params)

    def lock(self, key: str) -> None:
        """Nothing to do: ``BEGIN IMMEDIATE`` already holds the database's single write lock."""

    def many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        self.con.executemany(sql, rows)

    def stage(self, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        marks = ", ".join("?" * len(columns))
        self.con.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def _private_file(path: Path) -> None:
    """The database file mode 600 (its ``-wal`` and ``-shm`` take the main file's mode from SQLite) and a folder
    made for it 700, whatever the umask: it holds every person's name and identity number in plaintext. A
    folder that existed is left as it was; a file an older version made world-readable is tightened."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    for suffix in ("", "-wal", "-shm"):
        target = Path(str(path) + suffix)
        if target.exists() and target.stat().st_mode & 0o077:
            os.chmod(target, 0o600)


class SqliteStore(SqlStore):
    dialect = "sqlite"

    #: One transaction per this many pushed operations: BEGIN IMMEDIATE already serialises writers, and one
    #: fsync per chunk instead of per operation is what makes the embedded center fast enough.
    push_chunk = 250

    def __init__(self, path: Path | str) -> None:
        super().__init__()
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        self.path = str(path)
        if self.path != ":memory:":
            _private_file(Path(self.path))

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=60, isolation_level=None, check_same_thread=False)
        con.execute("PRAGMA busy_timeout = 60000")
        con.execute("PRAGMA synchronous = FULL")
        return con

    @contextmanager
    def _tx(self, *, bulk: bool = False) -> Iterator[Tx]:
        con: sqlite3.Connection | None = getattr(self._local, "con", None)
        if con is None:
            con = self._connect()
            self._local.con = con
            with self._all_lock:
                self._all.append(con)
        con.execute("BEGIN IMMEDIATE")
        try:
            yield _SqliteTx(con)
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")

    def _retryable(self, exc: BaseException) -> bool:
        return isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)

    def _use_wal(self) -> None:
        """Switch the file to WAL (persistent; never inside a transaction). The switch needs the file to
        itself and SQLite answers "locked" at once, without waiting, while another process starts too."""
        con = self._connect()
        try:
            for attempt in range(100):
                try:
                    con.execute("PRAGMA journal_mode = WAL")
                    return
                except sqlite3.OperationalError as exc:
                    if "locked" not in str(exc) or attempt == 99:
                        raise
                    time.sleep(0.05)
        finally:
            con.close()

    def init_schema(self) -> list[str]:
        try:
            self._use_wal()
            return super().init_schema()
        except sqlite3.Error as exc:
            raise StoreError(type(exc).__name__) from exc

    def close(self) -> None:
        with self._all_lock:
            for con in self._all:
                con.close()
            self._all.clear()
        self._local = threading.local()


class MemorySqliteStore(SqliteStore):
    """A center held in memory only, never written to disk: the demo's (``outreach --demo``). On a file, a
    crashed demo left its people, names and identity numbers, in plaintext in the temp folder (issue 9).

    One connection serves every thread, one transaction at a time: what ``BEGIN IMMEDIATE`` gives the file
    store anyway (every transaction of the center takes the write lock), without a shared cache."""

    def __init__(self) -> None:
        super().__init__(":memory:")
        self._one = threading.Lock()
        self._con = self._connect()
        self._all.append(self._con)

    def _use_wal(self) -> None:
        """A database in memory keeps no journal on disk: nothing to switch."""

    @contextmanager
    def _tx(self, *, bulk: bool = False) -> Iterator[Tx]:
        with self._one:
            self._con.execute("BEGIN IMMEDIATE")
            try:
                yield _SqliteTx(self._con)
            except BaseException:
                self._con.execute("ROLLBACK")
                raise
            self._con.execute("COMMIT")
