"""The one module that binds the SQLite driver (SQLCipher through ``sqlcipher3``).

Nothing connects at import time. :func:`connect` opens a file, hands SQLCipher the raw 256-bit key with
``PRAGMA key = "x'...'"`` as its very first statement, and refuses to go on unless the driver really
encrypts (``PRAGMA cipher_version`` is non-empty). Tests simulate an unencrypted build by replacing
:data:`dbapi` with the standard :mod:`sqlite3` module.

Connection settings (see :func:`configure`):

* ``journal_mode=WAL`` + ``synchronous=FULL``: every commit appends its pages and a commit frame to the
  write-ahead log and ``fsync``\\ s the log *before* the commit call returns. After a power cut or ``kill -9``
  SQLite rebuilds the database from the main file plus the valid prefix of the log (each frame carries a
  checksum chained over the frames before it and the log's salt), so a transaction that returned is
  present in full and one that did not is absent in full. Checkpoints ``fsync`` the log before copying
  pages into the main file and ``fsync`` the main file before the log is reused.
* ``temp_store=MEMORY``: sorts, temporary tables and indices never spill plaintext into temp files.
* ``foreign_keys=ON``; ``busy_timeout`` so that a second process waits instead of failing.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from types import ModuleType
from typing import Any

from sqlcipher3 import dbapi2 as _sqlcipher

from storage.errors import (
    DamagedVaultError,
    DiskFullError,
    LogAppendError,
    NotEncryptedError,
    ReadOnlyVaultError,
    VaultBusyError,
    VaultError,
    VaultIOError,
)
from storage.files import nearly_full

#: The DB-API module used to connect. Only ever replaced by tests.
dbapi: ModuleType = _sqlcipher

#: SQLCipher 4 page size (bytes); a vault file is always a whole number of pages.
PAGE_SIZE = 4096
#: Size of the per-file random salt SQLCipher keeps in the first bytes of the file.
SALT_SIZE = 16
#: SQLite primary result codes the vault turns into its own errors (see :func:`translate`).
SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, SQLITE_IOERR, SQLITE_CORRUPT = 5, 6, 8, 10, 11
SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_CONSTRAINT, SQLITE_NOTADB = 13, 14, 19, 26

Connection = Any
"""A DB-API connection of :data:`dbapi` (``sqlcipher3`` ships no type information)."""


def is_db_error(exc: BaseException) -> bool:
    """True if ``exc`` is a database error of either driver (SQLCipher or plain sqlite3)."""
    return isinstance(exc, _sqlcipher.DatabaseError | sqlite3.DatabaseError)


def error_code(exc: BaseException) -> int:
    """The SQLite primary result code of a driver error (0 when it carries none)."""
    return int(getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF


def translate(exc: BaseException, path: Path | None = None) -> VaultError | None:
    """The vault's own error for a driver error (``DatabaseError``, ``OperationalError`` ...) or an
    ``OSError`` of the disk; None for anything else. Messages carry no data (the driver's text is dropped).
    ``path``: the vault, so that an I/O error on a disk with no space left is named a full disk."""
    mapped = _translate(exc)
    if isinstance(mapped, VaultIOError) and path is not None and nearly_full(path):
        return DiskFullError()
    return mapped


def _translate(exc: BaseException) -> VaultError | None:
    if isinstance(exc, VaultError):
        return exc
    if isinstance(exc, OSError):
        import errno

        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return DiskFullError()
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return ReadOnlyVaultError()
        return VaultIOError()
    if not is_db_error(exc):
        return None
    code = error_code(exc)
    text = str(exc).lower()
    if code in (SQLITE_CORRUPT, SQLITE_NOTADB) or "malformed" in text:
        return DamagedVaultError()
    if code == SQLITE_FULL or "database or disk is full" in text:
        return DiskFullError()
    if code == SQLITE_READONLY or "readonly database" in text:
        return ReadOnlyVaultError()
    if code in (SQLITE_BUSY, SQLITE_LOCKED) or "database is locked" in text:
        return VaultBusyError()
    if code in (SQLITE_IOERR, SQLITE_CANTOPEN) or "disk i/o" in text:
        return VaultIOError()
    if code == SQLITE_CONSTRAINT:
        return LogAppendError()
    return VaultError("保险库操作失败，未作任何改动", "a vault operation failed; nothing was changed")


def connect(
    path: Path, key: bytes, salt: bytes | None = None, *, create: bool = False, read_only: bool = False
) -> Connection:
    """Open ``path`` with the raw 32-byte ``key`` and return the connection (not yet configured).

    ``salt`` (16 bytes) is only given when creating: SQLCipher then writes it as the file's salt.
    The key is verified by reading the schema; the file is not written on failure.
    ``read_only``: never write, not even the WAL index: on read-only media a vault without WAL frames is
    opened ``immutable`` (nothing else can change it there); one with frames needs its ``-shm`` beside it.

    Raises:
        NotEncryptedError: the driver is not SQLCipher (``cipher_version`` empty).
        sqlite3/sqlcipher3 DatabaseError: the key does not decrypt page 1 (wrong key or not a vault);
            callers classify it (see :mod:`storage.keyfile`).
    """
    if len(key) != 32 or (salt is not None and len(salt) != SALT_SIZE):
        raise ValueError("key must be 32 bytes and salt 16 bytes")
    mode = "rwc" if create else "rw"
    if read_only:
        wal = path.with_name(path.name + "-wal")
        has_frames = wal.exists() and wal.stat().st_size > 32
        mode = "ro" if has_frames else "ro&immutable=1"
    conn = dbapi.connect(
        f"file:{path.as_posix()}?mode={mode}", uri=True, isolation_level=None, check_same_thread=False
    )
    try:
        blob = key.hex() + (salt.hex() if salt is not None else "")
        try:
            conn.execute("PRAGMA cipher_log_level = NONE")
        except Exception:  # noqa: BLE001 - an older build without the pragma only logs more
            pass
        conn.execute(f"PRAGMA key = \"x'{blob}'\"")
        del blob
        row = conn.execute("PRAGMA cipher_version").fetchone()
        if not row or not row[0]:
            raise NotEncryptedError()
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except BaseException:
        conn.close()
        raise
    return conn


def configure(conn: Connection, *, read_only: bool = False) -> None:
    """Apply the durability and privacy settings described in the module docstring (``read_only``: those
    that write nothing)."""
    conn.execute("PRAGMA temp_store = MEMORY")
    if read_only:
        conn.execute("PRAGMA query_only = ON")
        return
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 5000")


def rekey(conn: Connection, new_key: bytes) -> None:
    """Re-encrypt every page with ``new_key`` in one transaction (SQLCipher ``PRAGMA rekey``).

    The file's salt is kept; a crash during the rekey leaves the old key valid (the pages are rewritten
    inside one WAL transaction that either commits or is discarded).
    """
    if len(new_key) != 32:
        raise ValueError("key must be 32 bytes")
    conn.execute(f"PRAGMA rekey = \"x'{new_key.hex()}'\"")
