"""Creating and opening the vault file: key derivation, the driver, the back-off, migrations.

Both functions return ``(connection, key, salt)`` for :class:`storage.vault.Vault` (:func:`open_file` also
says whether the file is read-only and what the damage check found); on failure they leave nothing behind
(create) or leave the file byte-for-byte unchanged (open). The file is created mode 600 in folders made
700 (:mod:`storage.files`). Opening writes nothing on read-only media, and a damaged file is opened for
reading only (no migration, no back-off reset).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from outreach.domain.operation import GENESIS_HASH
from storage import driver, files, firstpage, guard, integrity, keys, schema
from storage.driver import Connection
from storage.errors import (
    CorruptVaultError,
    DiskFullError,
    FirstPageDamagedError,
    SchemaError,
    VaultError,
    VaultExistsError,
    VaultIOError,
    VaultNotFoundError,
    WrongPassphraseError,
)
from storage.integrity import DamageReport

Opened = tuple[Connection, bytearray, bytes]


@dataclass
class OpenedFile:
    conn: Connection
    key: bytearray
    salt: bytes
    read_only: bool
    damage: DamageReport | None


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
    if path.exists() or path.is_symlink():
        raise VaultExistsError()
    files.make_private_dirs(path.parent)
    salt = keys.new_salt()
    key = keys.derive_key(passphrase, salt)
    conn: Connection = None
    try:
        try:
            files.create_private_file(path)
        except FileExistsError:
            raise VaultExistsError() from None
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
        files.tighten(path)
    except BaseException as exc:
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                Path(str(path) + suffix).unlink()
        keys.wipe(key)
        if isinstance(exc, VaultExistsError):
            raise
        mapped = driver.translate(exc, path)
        if mapped is not None and mapped is not exc:
            raise mapped from None
        raise
    _fsync_dir(path.parent)
    guard.reset(path)
    return conn, key, salt


def open_file(path: Path, passphrase: str, *, read_only: bool = False, check: bool = True) -> OpenedFile:
    """Open an existing vault file; on any failure it is left byte-for-byte unchanged.

    ``read_only``: never write (also chosen by itself when the file or its folder cannot be written).
    ``check``: run SQLCipher's HMAC check of every page first; a damaged vault opens read-only with the
    report in ``damage``.

    Raises:
        VaultNotFoundError: no file.
        TooManyAttemptsError: wrong passphrases recently; wait ``retry_after`` seconds.
        WrongPassphraseError: counted for the back-off; ``retry_after`` is the next wait.
        ForeignFileError / CorruptVaultError: not a vault / truncated or damaged beyond opening.
        FirstPageDamagedError: the passphrase is right but page 1 is damaged (not counted as a failure).
        NotEncryptedError: the driver does not encrypt.
        SchemaError: written by a newer version, or needs an upgrade that read-only media cannot take.
        DiskFullError / VaultIOError: the disk refused.
    """
    if not path.is_file():
        raise VaultNotFoundError()
    read_only = read_only or files.is_read_only(path)
    try:
        salt = keys.precheck(path)
    except OSError as exc:
        raise driver.translate(exc, path) or exc from None
    guard.check(path)
    key = keys.derive_key(passphrase, salt)
    try:
        conn = driver.connect(path, bytes(key), read_only=read_only)
    except Exception as exc:
        if not driver.is_db_error(exc):
            keys.wipe(key)
            raise
        error = _open_failure(exc, path, key, salt)
        keys.wipe(key)
        raise error from None
    damage: DamageReport | None = None
    try:
        page_count = int(conn.execute("PRAGMA page_count").fetchone()[0])
        page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
        keys.check_size(path, page_count, page_size)
        if check:
            damage = integrity.check(conn, path, bytes(key))
            if damage.ok:
                damage = None
        read_only = read_only or damage is not None
        driver.configure(conn, read_only=read_only)
        if read_only:
            if damage is None and _needs_migration(conn):
                raise SchemaError("保险库需要升级，但所在介质只读", "the vault needs an upgrade but its medium is read-only")
        else:
            schema.migrate(conn)
            files.tighten(path)
    except BaseException as exc:
        conn.close()
        keys.wipe(key)
        if driver.is_db_error(exc):
            mapped = driver.translate(exc, path)
            raise (mapped if isinstance(mapped, DiskFullError | VaultIOError) else CorruptVaultError()) from None
        raise
    if not read_only:
        guard.reset(path)
    return OpenedFile(conn, key, salt, read_only, damage)


def _open_failure(exc: BaseException, path: Path, key: bytearray, salt: bytes) -> VaultError:
    """The vault's own error for a connection that failed: a damaged file, a disk error, a damaged first
    page (other pages verify under the key: :mod:`storage.firstpage`) or a wrong passphrase (counted)."""
    if driver.error_code(exc) == driver.SQLITE_CORRUPT:
        return CorruptVaultError()  # page 1 decrypted: right key, damaged file
    if driver.error_code(exc) in (driver.SQLITE_CANTOPEN, driver.SQLITE_IOERR, driver.SQLITE_FULL):
        return driver.translate(exc, path) or CorruptVaultError()
    error = keys.classify_open_failure(path)
    if isinstance(error, WrongPassphraseError):
        first = firstpage.diagnose(path, bytes(key), salt)
        if first is not None:
            return FirstPageDamagedError(first.others, first.intact)
        error.retry_after = guard.delay_for(guard.record_failure(path))
    return error


def _needs_migration(conn: Connection) -> bool:
    try:
        done = set(schema.applied(conn))
    except Exception as exc:  # noqa: BLE001 - no migrations table: a vault this old needs them all
        if not driver.is_db_error(exc):
            raise
        return True
    return any(name not in done for name, _ in schema.MIGRATIONS)
