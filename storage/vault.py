"""The vault: one SQLCipher file holding the signed operation log, its projections and attachments.

See :mod:`storage.keys` (Argon2id raw key, salt in the file), :mod:`storage.driver` (the one place that
connects; WAL + ``synchronous=FULL`` durability), :mod:`storage.guard` (wrong-passphrase back-off),
:mod:`storage.schema` (migrations), :mod:`storage.oplog` (chain, signatures, verification) and
:mod:`storage.projections` (people, cards, visits, versions, outbox, updated in the append transaction).

A :class:`Vault` is safe to share between threads (one lock around the one connection).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hmac
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from outreach.domain.models import CardState, Person, PersonCards, Visit
from outreach.domain.operation import KINDS, Operation
from storage import driver, guard, keys, opening, oplog, projections, queries, schema
from storage.driver import Connection
from storage.errors import (
    AttachmentNotFoundError,
    BadInputError,
    ForeignFileError,
    LogAppendError,
    VaultError,
    VaultLockedError,
    WrongPassphraseError,
)
from storage.oplog import LogVerdict

#: Wall clock in milliseconds for the HLC (tests replace it to move time backwards).
wall_clock_ms: Callable[[], int] = lambda: int(time.time() * 1000)  # noqa: E731

PULL_CHECKPOINT = "pull_checkpoint"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Vault:
    """An open vault. Build one with :meth:`create` or :meth:`open`; end with :meth:`lock` or :meth:`close`.

    Every method that reads or writes raises :class:`VaultLockedError` once the vault is locked or closed.
    """

    def __init__(self, path: Path, conn: Connection, key: bytearray, salt: bytes) -> None:
        self.path = path
        self._conn: Connection | None = conn
        self._key: bytearray | None = key
        self._salt = salt
        self._mutex = threading.RLock()
        try:
            state = self._state()
            self._device_id = state["device_id"]
            self._worker_id = state["worker_id"]
            self._public_key = bytes.fromhex(state["device_public_key"])
            self._signer: Ed25519PrivateKey | None = Ed25519PrivateKey.from_private_bytes(
                bytes.fromhex(state["device_private_key"])
            )
        except (KeyError, ValueError):  # an SQLCipher database of some other program
            self.lock()
            raise ForeignFileError() from None

    # ------------------------------------------------------------------ lifecycle
    @classmethod
    def create(cls, path: Path | str, passphrase: str, *, worker_id: str, device_id: str | None = None) -> Vault:
        """Create a new vault file with a fresh device key pair.

        Raises:
            VaultExistsError: something already exists at ``path``.
            NotEncryptedError: the driver does not encrypt.
            ValueError: empty passphrase or worker id.
        """
        path = Path(path)
        conn, key, salt = opening.create_file(path, passphrase, worker_id=worker_id, device_id=device_id)
        return cls(path, conn, key, salt)

    @classmethod
    def open(cls, path: Path | str, passphrase: str) -> Vault:
        """Open an existing vault. On any failure the file is left byte-for-byte unchanged.

        Raises:
            VaultNotFoundError: no file.
            TooManyAttemptsError: wrong passphrases recently; wait ``retry_after`` seconds.
            WrongPassphraseError: (counted for the back-off; ``retry_after`` is the next wait).
            ForeignFileError / CorruptVaultError: not a vault / truncated or damaged.
            NotEncryptedError: the driver does not encrypt.
            SchemaError: written by a newer version.
        """
        path = Path(path)
        conn, key, salt = opening.open_file(path, passphrase)
        return cls(path, conn, key, salt)

    def change_passphrase(self, old: str, new: str) -> None:
        """Re-encrypt the whole vault under ``new`` (atomic ``PRAGMA rekey``); ``old`` then fails.

        Raises:
            TooManyAttemptsError: wrong passphrases recently (same back-off as :meth:`open`).
            WrongPassphraseError: ``old`` is not the current passphrase (nothing changed).
            ValueError: empty new passphrase.
            VaultLockedError: the vault is locked.
        """
        with self._mutex:
            conn = self._db()
            guard.check(self.path)
            current = self._key
            candidate = keys.derive_key(old, self._salt)
            if current is None or not hmac.compare_digest(bytes(candidate), bytes(current)):
                keys.wipe(candidate)
                error = WrongPassphraseError()
                error.retry_after = guard.delay_for(guard.record_failure(self.path))
                raise error
            keys.wipe(candidate)
            guard.reset(self.path)
            new_key = keys.derive_key(new, self._salt)
            driver.rekey(conn, bytes(new_key))
            conn.execute("INSERT OR REPLACE INTO vault_state(key, value) VALUES ('kdf', ?)", (keys.PROFILE.name,))
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            keys.wipe(current)
            self._key = new_key

    def lock(self) -> None:
        """Close the connection and drop the key and the device signing key from memory."""
        with self._mutex:
            conn, self._conn = self._conn, None
            if conn is not None:
                with contextlib.suppress(Exception):
                    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                conn.close()
            keys.wipe(self._key)
            self._key = None
            self._signer = None

    def close(self) -> None:
        """Same as :meth:`lock`; the object cannot be used afterwards."""
        self.lock()

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def is_open(self) -> bool:
        return self._conn is not None

    @property
    def device_id(self) -> str:
        return self._device_id

    @property
    def worker_id(self) -> str:
        return self._worker_id

    @property
    def public_key(self) -> bytes:
        return self._public_key

    def sign(self, message: bytes) -> bytes:
        """Ed25519 signature by the device key (for sync requests); the key never leaves the vault.

        Exactly-32-byte messages are refused: those are what operation signatures cover (raw SHA-256),
        so nothing signed here can pass for an operation signature.

        Raises:
            ValueError: a 32-byte message.
            VaultLockedError: the vault is locked.
        """
        if len(message) == 32:
            raise ValueError("32-byte messages are reserved for operation hashes")
        with self._mutex:
            if self._signer is None:
                raise VaultLockedError()
            return self._signer.sign(bytes(message))

    # ------------------------------------------------------------------ internals
    def _db(self) -> Connection:
        if self._conn is None:
            raise VaultLockedError()
        return self._conn

    def _state(self) -> dict[str, str]:
        rows = self._db().execute("SELECT key, value FROM vault_state").fetchall()
        return {str(k): str(v) for k, v in rows}

    @contextlib.contextmanager
    def _tx(self) -> Iterator[Connection]:
        with self._mutex:
            conn = self._db()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _append_in_tx(
        self, conn: Connection, kind: str, subject: str, payload: dict[str, Any], base_version: int | None
    ) -> Operation:
        if kind not in KINDS:
            raise LogAppendError(f"未知的操作类型：{kind}", f"unknown operation kind: {kind}")
        if not subject or not isinstance(payload, dict):
            raise LogAppendError("操作缺少对象或内容", "operation without subject or payload")
        if self._signer is None:
            raise VaultLockedError()
        head = dict(
            conn.execute("SELECT key, value FROM vault_state WHERE key IN ('head_seq','head_hash','last_hlc')")
        )
        seq = int(head["head_seq"]) + 1
        hlc = oplog.next_hlc(head["last_hlc"] or None, wall_clock_ms())
        version = projections.subject_version(conn, subject) if base_version is None else base_version
        try:
            op = oplog.build(
                self._signer,
                op_id=str(uuid.uuid4()),
                device_id=self._device_id,
                worker_id=self._worker_id,
                seq=seq,
                kind=kind,
                subject=subject,
                base_version=version,
                payload=payload,
                hlc=hlc,
                prev_hash=head["head_hash"],
            )
        except (ValueError, TypeError) as exc:  # pydantic.ValidationError; non-JSON values (dates, bytes)
            raise LogAppendError("操作内容无效", "invalid operation content") from exc
        oplog.insert(conn, op)
        projections.record_base(conn, op.op_id, kind, subject)
        projections.apply_op(conn, op)
        conn.executemany(
            "UPDATE vault_state SET value = ? WHERE key = ?",
            [(str(seq), "head_seq"), (op.hash, "head_hash"), (hlc, "last_hlc")],
        )
        return op

    # ------------------------------------------------------------------ the log
    def append(
        self, kind: str, subject: str, payload: dict[str, Any], *, base_version: int | None = None
    ) -> Operation:
        """Append one operation; durable (fsynced) when this returns, projections and outbox updated.

        ``base_version`` defaults to the subject's current version.

        Raises:
            LogAppendError: unknown kind, empty subject, payload not encodable. Nothing is written.
            VaultLockedError: the vault is locked.
        """
        with self._tx() as conn:
            return self._append_in_tx(conn, kind, subject, payload, base_version)

    def append_many(self, items: Iterable[tuple[str, str, dict[str, Any]]]) -> list[Operation]:
        """Bulk path (seeding, imports): append ``(kind, subject, payload)`` items in ONE transaction.

        Each operation is still hashed, signed and chained exactly as by :meth:`append`; all or none.

        Raises:
            LogAppendError: one item is invalid (nothing of the batch is written).
        """
        with self._tx() as conn:
            return [self._append_in_tx(conn, k, s, p, None) for k, s, p in items]

    def operations(self, after_seq: int = 0, *, subject: str | None = None) -> Iterator[Operation]:
        """This device's operations with ``seq > after_seq``, in order (read in locked batches);
        ``subject``: only that person's operations (indexed; use it for a person's history).

        Raises:
            VaultLockedError: the vault is (or gets) locked.
        """
        last = after_seq
        while True:
            with self._mutex:
                batch = list(oplog.iterate(self._db(), last, batch=1000, limit=1000, subject=subject))
            if not batch:
                return
            yield from batch
            last = batch[-1].seq

    def operations_by_id(self, op_ids: Iterable[str]) -> dict[str, Operation]:
        """The operations with these ids, looked up by index (e.g. the rejected ones a screen lists).

        Raises:
            VaultLockedError: the vault is locked.
        """
        with self._mutex:
            return oplog.by_ids(self._db(), list(op_ids))

    def verify_log(self) -> LogVerdict:
        """Check the whole chain (hashes, links, seq, signatures, recorded head); see :func:`oplog.verify`."""
        with self._mutex:
            state = self._state()
            head = (int(state["head_seq"]), state["head_hash"])
            return oplog.verify(self._db(), self._public_key, self._device_id, head)

    # ------------------------------------------------------------------ sync-facing
    def pending_operations(self, limit: int = 500) -> list[Operation]:
        """Operations still in the outbox, in device order."""
        with self._mutex:
            return oplog.pending(self._db(), limit)

    def pending_count(self) -> int:
        with self._mutex:
            return int(self._db().execute("SELECT count(*) FROM outbox").fetchone()[0])

    def record_push_results(self, results: list[dict[str, Any]]) -> None:
        """Take pushed operations out of the outbox and keep their outcomes (one transaction).

        Raises:
            BadInputError: a result without op_id or with an unknown status (nothing recorded).
        """
        now = _now()
        try:
            with self._tx() as conn:
                for result in results:
                    projections.record_push_result(conn, result, now)
        except (ValueError, TypeError, AttributeError) as exc:
            raise BadInputError() from exc

    def op_outcomes(self, open_only: bool = False) -> list[dict[str, Any]]:
        """Push outcomes; ``open_only``: rejected/conflicting ones no ``conflict.resolve`` closed yet."""
        with self._mutex:
            return queries.op_outcomes(self._db(), open_only)

    def apply_pulled(self, changes: list[dict[str, Any]], checkpoint: str) -> None:
        """Apply center changes and store ``checkpoint`` (meta ``pull_checkpoint``) in ONE transaction.

        Raises:
            BadInputError: a malformed change (nothing applied, checkpoint unchanged).
        """
        now = _now()
        try:
            with self._tx() as conn:
                for change in changes:
                    projections.apply_change(conn, change, now)
                conn.execute(
                    "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (PULL_CHECKPOINT, str(checkpoint))
                )
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise BadInputError() from exc

    def pull_checkpoint(self) -> str | None:
        """Where the last pull stopped (stored by :meth:`apply_pulled`); None before the first pull."""
        return self.get_meta(PULL_CHECKPOINT)

    def get_meta(self, key: str) -> str | None:
        with self._mutex:
            row = self._db().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self._tx() as conn:
            conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, str(value)))

    # ------------------------------------------------------------------ queries
    def find_people(self, text: str, limit: int = 50) -> list[Person]:
        with self._mutex:
            return queries.find_people(self._db(), text, limit)

    def get_person(self, person_id: str) -> Person | None:
        with self._mutex:
            return queries.get_person(self._db(), person_id)

    def person_cards(self, person_id: str) -> PersonCards | None:
        with self._mutex:
            return queries.person_cards(self._db(), person_id)

    def cards_needing_attention(
        self, today: date, horizon_days: int = 30, overdue_days: int = 90, limit: int | None = None
    ) -> list[CardState]:
        """Candidate cards, across the vault, whose deadlines may come due (see
        :func:`storage.queries.cards_needing_attention`); exact dates are the domain's to compute."""
        with self._mutex:
            return queries.cards_needing_attention(self._db(), today, horizon_days, overdue_days, limit)

    def card_sources(self, person_id: str) -> list[dict[str, Any]]:
        """Per card of the person: ``source`` ("provisional" or "center") and ``synced_at``."""
        with self._mutex:
            return queries.card_sources(self._db(), person_id)

    def subject_version(self, person_id: str) -> int:
        with self._mutex:
            return projections.subject_version(self._db(), person_id)

    def visits(self, day: date | str | None = None, person_id: str | None = None) -> list[Visit]:
        """Visits (planned, logged here, or logged by colleagues and pulled), by day."""
        with self._mutex:
            return queries.visits(self._db(), day, person_id)

    def migrations(self) -> list[str]:
        with self._mutex:
            return schema.applied(self._db())

    # ------------------------------------------------------------------ attachments
    def put_attachment(self, data: bytes, mime: str) -> str:
        """Store a photo (or any blob) inside the encrypted vault; returns its reference."""
        with self._tx() as conn:
            return queries.put_attachment(conn, data, mime, _now())

    def get_attachment(self, ref: str) -> bytes:
        """Raises: AttachmentNotFoundError."""
        with self._mutex:
            data = queries.get_attachment(self._db(), ref)
        if data is None:
            raise AttachmentNotFoundError()
        return data


__all__ = ["LogVerdict", "Vault", "VaultError"]
