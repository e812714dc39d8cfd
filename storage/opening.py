"""Creating and opening the vault file: key derivation, the driver, the back-off, migrations.

Both functions return ``(connection, key, salt)`` for :class:`storage.vault.Vault`; on failure they leave
nothing behind (create) or leave the file byte-for-byte unchanged (open).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import uuid
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from outreach.domain.operation import GENESIS_HASH
from storage import driver, guard, keys, schema
from storage.driver import Connection
from storage.errors import CorruptVaultError, VaultExistsError, VaultNotFoundError, WrongPassphraseError

Opened = tuple[Connection, bytearray, bytes]


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)



def create_file(path: Path, passphrase: str, *, worker_id: str, device_id: str | None) -> Opened:
    """Create the file, its schema and the device key pair (kept inside the vault).

    Raises:
        VaultExistsError: something already exists at ``path``.
        NotEncryptedError: the driver does not encrypt.
        ValueError: empty passphrase or worker id.
    """
    if not worker_id:
        raise ValueError("worker_id is required")
    if path.exists():
        raise VaultExistsError()
    path.parent.mkdir(parents=True, exist_ok=True)
    salt = keys.new_salt()
    key = keys.derive_key(passphrase, salt)
    conn: Connection = None
    try:
        conn = driver.connect(path, bytes(key), salt, create=True)
        driver.configure(conn)
        schema.migrate(conn)
        signer = Ed25519PrivateKey.generate()
        public = signer.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        private = signer.private_bytes_raw()
        state = {
            "device_id": device_id or str(uuid.uuid4()),
            "worker_id": worker_id,
            "device_private_key": private.hex(),
            "device_public_key": public.hex(),
            "kdf": keys.PROFILE.name,
            "head_seq": "0",
            "head_hash": GENESIS_HASH,
            "last_hlc": "",
            "created_at": _now(),
        }
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT INTO vault_state(key, value) VALUES (?, ?)", list(state.items()))
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except BaseException:
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                Path(str(path) + suffix).unlink()
        keys.wipe(key)
        raise
    _fsync_dir(path.parent)
    guard.reset(path)
    return conn, key, salt


def open_file(path: Path, passphrase: str) -> Opened:
    """Open an existing vault file; on any failure it is left byte-for-byte unchanged.

    Raises:
        VaultNotFoundError: no file.
        TooManyAttemptsError: wrong passphrases recently; wait ``retry_after`` seconds.
        WrongPassphraseError: counted for the back-off; ``retry_after`` is the next wait.
        ForeignFileError / CorruptVaultError: not a vault / truncated or damaged.
        NotEncryptedError: the driver does not encrypt.
        SchemaError: written by a newer version.
    """
    if not path.is_file():
        raise VaultNotFoundError()
    salt = keys.precheck(path)
    guard.check(path)
    key = keys.derive_key(passphrase, salt)
    try:
        conn = driver.connect(path, bytes(key))
    except Exception as exc:
        keys.wipe(key)
        if not driver.is_db_error(exc):
            raise
        if getattr(exc, "sqlite_errorcode", 0) & 0xFF == driver.SQLITE_CORRUPT:
            raise CorruptVaultError() from None  # page 1 decrypted: right key, damaged file
        error = keys.classify_open_failure(path)
        if isinstance(error, WrongPassphraseError):
            error.retry_after = guard.delay_for(guard.record_failure(path))
        raise error from None
    try:
        page_count = int(conn.execute("PRAGMA page_count").fetchone()[0])
        page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
        keys.check_size(path, page_count, page_size)
        driver.configure(conn)
        schema.migrate(conn)
    except BaseException as exc:
        conn.close()
        keys.wipe(key)
        if driver.is_db_error(exc):
            raise CorruptVaultError() from None
        raise
    guard.reset(path)
    return conn, key, salt
