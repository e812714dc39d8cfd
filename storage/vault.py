"""The vault: one SQLCipher file holding the signed operation log, its projections and attachments.

See :mod:`storage.keys` (Argon2id raw key, salt in the file), :mod:`storage.driver` (the one place that
connects; WAL + ``synchronous=FULL`` durability), :mod:`storage.guard` (wrong-passphrase back-off),
:mod:`storage.schema` (migrations), :mod:`storage.oplog` (chain, signatures, verification) and
:mod:`storage.projections` (people, cards, visits, versions, outbox, updated in the append transaction).

A :class:`Vault` is safe to share between threads (one lock around the one connection).

Every driver error is turned into the vault's own (:func:`storage.driver.translate`): a damaged page gives
:class:`DamagedVaultError`, a full disk :class:`DiskFullError` (the transaction is rolled back whole, so
nothing saved before is lost), read-only media :class:`ReadOnlyVaultError`. A vault whose damage check
failed at opening (or whose pages fail later) is read-only from then on: it refuses every write, and
:meth:`Vault.salvage` copies every operation that verifies into a fresh vault (:mod:`storage.salvage`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hmac
import json
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
from storage import (
    driver,
    files,
    firstpage,
    guard,
    integrity,
    keys,
    opening,
    oplog,
    projections,
    queries,
    salvage,
    schema,
)
from storage.driver import Connection
from storage.errors import (
    AttachmentNotFoundError,
    BadInputError,
    CorruptVaultError,
    DamagedVaultError,
    FirstPageDamagedError,
    ForeignFileError,
    LogAppendError,
    ReadOnlyVaultError,
    VaultError,
    VaultExistsError,
    VaultLockedError,
    WrongPassphraseError,
)
from storage.integrity import DamageReport
from storage.oplog import LogVerdict
from storage.salvage import Salvaged

#: Wall clock in milliseconds for the HLC (tests replace it to move time backwards).
wall_clock_ms: Callable[[], int] = lambda: int(time.time() * 1000)  # noqa: E731

PULL_CHECKPOINT = "pull_checkpoint"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Vault:
    """An open vault. Build one with :meth:`create` or :meth:`open`; end with :meth:`lock` or :meth:`close`.

    Every method that reads or writes raises :class:`VaultLockedError` once the vault is locked or closed.
    """

    def __init__(
        self,
        path: Path,
        conn: Connection,
        key: bytearray,
        salt: bytes,
        *,
        read_only: bool = False,
        damage: DamageReport | None = None,
    ) -> None:
        self.path = path
        self._conn: Connection | None = conn
        self._key: bytearray | None = key
        self._salt = salt
        self._mutex = threading.RLock()
        self._read_only = read_only
        self._damage = damage
        self._damaged = damage is not None
        try:
            try:
                state = self._state()
            except Exception as exc:
                if driver.translate(exc) is None:
                    raise
                raise DamagedVaultError(damage) from None
            self._device_id = state["device_id"]
            self._worker_id = state["worker_id"]
            self._public_key = bytes.fromhex(state["device_public_key"])
            self._signer: Ed25519PrivateKey | None = Ed25519PrivateKey.from_private_bytes(
                bytes.fromhex(state["device_private_key"])
            )
        except (KeyError, ValueError):  # an SQLCipher database of some other program
            self.lock()
            raise ForeignFileError() from None
        except DamagedVaultError:  # the device keys are on a damaged page: nothing can be signed
            self.lock()
            raise

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
    def open(cls, path: Path | str, passphrase: str, *, read_only: bool = False) -> Vault:
        """Open an existing vault. On any failure the file is left byte-for-byte unchanged.

        Opening checks every page's HMAC first. A damaged vault still opens, read-only, with
        :attr:`damage` saying what is damaged; a vault on read-only media (or ``read_only``) opens
        without writing anything, not even the attempts file.

        Raises:
            VaultNotFoundError: no file.
            TooManyAttemptsError: wrong passphrases recently; wait ``retry_after`` seconds.
            WrongPassphraseError: (counted for the back-off; ``retry_after`` is the next wait).
            ForeignFileError / CorruptVaultError: not a vault / truncated or damaged.
            NotEncryptedError: the driver does not encrypt.
            SchemaError: written by a newer version.
            DamagedVaultError: damaged where the device keys are (nothing can be read or signed).
            DiskFullError / VaultIOError: the disk refused.
        """
        path = Path(path)
        opened = opening.open_file(path, passphrase, read_only=read_only)
        return cls(path, opened.conn, opened.key, opened.salt, read_only=opened.read_only, damage=opened.damage)

    def change_passphrase(self, old: str, new: str) -> None:
        """Re-encrypt the whole vault under ``new`` (atomic ``PRAGMA rekey``); ``old`` then fails.

        Raises:
            TooManyAttemptsError: wrong passphrases recently (same back-off as :meth:`open`).
            WrongPassphraseError: ``old`` is not the current passphrase (nothing changed).
            ValueError: empty new passphrase.
            VaultLockedError: the vault is locked.
        """
        with self._reading():
            self._refuse_writes()
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
                if not self._read_only:
                    with contextlib.suppress(Exception):
                        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                with contextlib.suppress(Exception):
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
    def read_only(self) -> bool:
        """True on read-only media, when opened read-only, and once damage was found."""
        return self._read_only or self._damaged

    @property
    def damage(self) -> DamageReport | None:
        """What the damage check at opening found (None: no damage found)."""
        return self._damage

    @property
    def damaged(self) -> bool:
        """Damage was found at opening or by a read since."""
        return self._damaged

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
        with self._reading():
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
    def _reading(self) -> Iterator[None]:
        """Hold the lock and turn driver errors into the vault's own (a damaged page marks the vault)."""
        with self._mutex:
            try:
                yield
            except VaultError:
                raise
            except Exception as exc:
                mapped = driver.translate(exc, self.path)
                if mapped is None:
                    raise
                if isinstance(mapped, DamagedVaultError):
                    self._damaged = True
                    mapped.report = self._damage
                raise mapped from None

    def _refuse_writes(self) -> None:
        if self._damaged:
            raise DamagedVaultError(self._damage)
        if self._read_only:
            raise ReadOnlyVaultError()

    @contextlib.contextmanager
    def _tx(self) -> Iterator[Connection]:
        with self._reading():
            self._refuse_writes()
            conn = self._db()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                with contextlib.suppress(Exception):  # a full disk may have rolled it back already
                    conn.execute("ROLLBACK")
                raise
            try:
                conn.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(Exception):
                    conn.execute("ROLLBACK")
                raise

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
            with self._reading():
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
        with self._reading():
            return oplog.by_ids(self._db(), list(op_ids))

    def verify_log(self) -> LogVerdict:
        """Check the whole chain (hashes, links, seq, signatures, recorded head); see :func:`oplog.verify`."""
        with self._reading():
            state = self._state()
            head = (int(state["head_seq"]), state["head_hash"])
            gaps = json.loads(state.get(salvage.GAPS_KEY) or "[]")
            return oplog.verify(self._db(), self._public_key, self._device_id, head, gaps)

    # ------------------------------------------------------------------ damage
    def check_integrity(self, *, full: bool = True) -> DamageReport:
        """Check every page's HMAC (and, ``full``, the b-tree structure); a damaged result makes the vault
        refuse writes from now on.

        Raises:
            VaultLockedError: the vault is locked.
        """
        with self._reading():
            if self._key is None:
                raise VaultLockedError()
            report = integrity.check(self._db(), self.path, bytes(self._key), full=full)
        if not report.ok:
            self._damage, self._damaged = report, True
        return report

    def salvage(self, target: Path | str, passphrase: str) -> salvage.Salvaged:
        """Copy every operation that still verifies (and the readable photos, sync settings and outcomes)
        into a fresh vault at ``target`` under ``passphrase``, with this device's identity; its projections
        are rebuilt from the operations. This vault is only read. Returns what was recovered.

        Raises:
            VaultExistsError: something exists at ``target``.
            DamagedVaultError: the device keys are unreadable.
            DiskFullError / VaultIOError: the target's disk refused (the target is removed).
        """
        target = Path(target)
        with self._reading():
            if self._key is None:
                raise VaultLockedError()
            found = salvage.read(self.path, bytes(self._key))
        _write_salvaged(target, passphrase, found)
        return found

    @classmethod
    def salvage_first_page(cls, path: Path | str, passphrase: str, target: Path | str,
                           new_passphrase: str | None = None) -> Salvaged:
        """:meth:`salvage` for a vault that does not open because its first page is damaged
        (:class:`FirstPageDamagedError`): page 1 is repaired in an encrypted copy beside ``target``
        (:mod:`storage.firstpage`, removed afterwards) and every operation of the copy that verifies is
        saved. The damaged file is only read.

        Raises:
            CorruptVaultError: the repaired copy still cannot be read (the table of contents on page 1 is
                garbled, or the device keys are damaged too): nothing was created.
            WrongPassphraseError / TooManyAttemptsError / the errors of :meth:`open`: page 1 is not
                damaged after all, or the passphrase is wrong.
            VaultExistsError: something exists at ``target`` (or at the copy's place).
            DamagedVaultError: the device keys are unreadable.
        """
        path, target = Path(path), Path(target)
        if target.exists() or target.is_symlink():
            raise VaultExistsError()
        try:
            intact = opening.open_file(path, passphrase, read_only=True, check=False)
        except FirstPageDamagedError as exc:
            damaged = exc
        else:
            intact.conn.close()
            keys.wipe(intact.key)
            raise CorruptVaultError("第 1 页完好：请用 outreach vault salvage 的常规方式",
                                    "the first page is intact: salvage the ordinary way")
        salt = keys.precheck(path)
        key = keys.derive_key(passphrase, salt)
        copy = target.with_name(target.name + ".page1-repair")
        try:
            files.make_private_dirs(target.parent)
            try:
                firstpage.repaired_copy(path, bytes(key), salt, copy)
            except FileExistsError:
                raise VaultExistsError() from None
            except OSError as exc:
                raise driver.translate(exc, target) or exc from None
            try:
                found = salvage.read(copy, bytes(key))
            except VaultError:
                found = None
            if found is None or (not found.operations and found.head_seq):
                raise CorruptVaultError(
                    f"第 1 页上的数据库结构目录本身已损坏，本机无法恢复（其余 {damaged.others} 页中 {damaged.intact} 页"
                    "完好）；已同步到中心的操作在中心完好。请保留原文件并联系主管，未作任何改动",
                    f"the table of contents on the first page is itself damaged and cannot be recovered on this "
                    f"laptop ({damaged.intact} of the other {damaged.others} pages are intact); what was synced is "
                    "safe at the center. Keep the file and call your supervisor; nothing was changed") from None
        finally:
            keys.wipe(key)
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(OSError):
                    Path(str(copy) + suffix).unlink()
        _write_salvaged(target, new_passphrase or passphrase, found)
        return found

    # ------------------------------------------------------------------ sync-facing
    def pending_operations(self, limit: int = 500) -> list[Operation]:
        """Operations still in the outbox, in device order."""
        with self._reading():
            return oplog.pending(self._db(), limit)

    def pending_count(self) -> int:
        with self._reading():
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
        with self._reading():
            return queries.op_outcomes(self._db(), open_only)

    def center_sessions(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Session records pulled from the center (plan, masked roster, progress, close report), by session."""
        with self._reading():
            return queries.center_sessions(self._db())

    def center_sessions_mark(self) -> tuple[int, str, float]:
        """A value that changes whenever a pull keeps a session record (see :func:`queries.center_sessions_mark`)."""
        with self._reading():
            return queries.center_sessions_mark(self._db())

    def center_devices(self) -> list[dict[str, Any]]:
        """The device roster the center published to this supervisor's laptop (their area's devices)."""
        with self._reading():
            return queries.center_devices(self._db())

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
        with self._reading():
            row = self._db().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self._tx() as conn:
            conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, str(value)))

    # ------------------------------------------------------------------ queries
    def find_people(self, text: str, limit: int = 50) -> list[Person]:
        with self._reading():
            return queries.find_people(self._db(), text, limit)

    def get_person(self, person_id: str) -> Person | None:
        with self._reading():
            return queries.get_person(self._db(), person_id)

    def person_cards(self, person_id: str) -> PersonCards | None:
        with self._reading():
            return queries.person_cards(self._db(), person_id)

    def cards_needing_attention(
        self, today: date, horizon_days: int = 30, overdue_days: int = 90, limit: int | None = None
    ) -> list[CardState]:
        """Candidate cards, across the vault, whose deadlines may come due (see
        :func:`storage.queries.cards_needing_attention`); exact dates are the domain's to compute."""
        with self._reading():
            return queries.cards_needing_attention(self._db(), today, horizon_days, overdue_days, limit)

    def card_sources(self, person_id: str) -> list[dict[str, Any]]:
        """Per card of the person: ``source`` ("provisional" or "center") and ``synced_at``."""
        with self._reading():
            return queries.card_sources(self._db(), person_id)

    def subject_version(self, person_id: str) -> int:
        with self._reading():
            return projections.subject_version(self._db(), person_id)

    def visits(self, day: date | str | None = None, person_id: str | None = None) -> list[Visit]:
        """Visits (planned, logged here, or logged by colleagues and pulled), by day."""
        with self._reading():
            return queries.visits(self._db(), day, person_id)

    def iter_visits(self, batch: int = 2000) -> Iterator[Visit]:
        """Every visit, by day then id, read in pages of ``batch`` (each page one short read): what an export
        of a whole area streams, so memory stays bounded however many visits the vault holds. A visit
        written meanwhile is read if it sorts after the page being read.

        Raises:
            VaultLockedError: the vault is (or gets) locked.
        """
        after: tuple[str, str] | None = None
        while True:
            with self._reading():
                page = queries.visits_after(self._db(), after, max(1, batch))
            if not page:
                return
            yield from page
            last = page[-1]
            after = (last.day.isoformat(), last.visit_id)

    def migrations(self) -> list[str]:
        with self._reading():
            return schema.applied(self._db())

    # ------------------------------------------------------------------ attachments
    def put_attachment(self, data: bytes, mime: str) -> str:
        """Store a photo (or any blob) inside the encrypted vault; returns its reference."""
        with self._tx() as conn:
            return queries.put_attachment(conn, data, mime, _now())

    def attachment_info(self, ref: str) -> tuple[str, str, int] | None:
        """(mime, stored at, size in bytes) of a stored photo, or None: what the worker is shown instead of
        the reference."""
        with self._reading():
            return queries.attachment_info(self._db(), ref)

    def get_attachment(self, ref: str) -> bytes:
        """Raises: AttachmentNotFoundError."""
        with self._reading():
            data = queries.get_attachment(self._db(), ref)
        if data is None:
            raise AttachmentNotFoundError()
        return data

    # ------------------------------------------------------------------ drafts (half-filled forms)
    def put_draft(self, draft_key: str, kind: str, person_id: str | None, values: dict[str, Any]) -> None:
        """Keep (or replace) the typed values of one open form, inside the encrypted file.

        Raises:
            BadInputError: values that are not JSON (nothing written).
        """
        try:
            data = json.dumps(values, ensure_ascii=False, sort_keys=True)
        except (TypeError, ValueError) as exc:
            raise BadInputError() from exc
        with self._tx() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO drafts(draft_key, kind, person_id, data, updated_at) VALUES (?, ?, ?, ?, ?)",
                (draft_key, kind, person_id, data, _now()),
            )

    def drafts(self) -> list[dict[str, Any]]:
        """Every kept draft, the newest first: ``draft_key``, ``kind``, ``person_id``, ``values``, ``updated_at``."""
        with self._mutex:
            rows = self._db().execute(
                "SELECT draft_key, kind, person_id, data, updated_at FROM drafts ORDER BY updated_at DESC, rowid DESC"
            ).fetchall()
        return [
            {"draft_key": k, "kind": kind, "person_id": pid, "values": json.loads(data), "updated_at": at}
            for k, kind, pid, data, at in rows
        ]

    def drop_draft(self, draft_key: str) -> None:
        """Forget one draft (saved as an operation, or discarded by the worker). Unknown keys are ignored."""
        with self._tx() as conn:
            conn.execute("DELETE FROM drafts WHERE draft_key = ?", (draft_key,))


__all__ = ["LogVerdict", "Vault", "VaultError"]


def _write_salvaged(target: Path, passphrase: str, found: Salvaged) -> None:
    """Create the fresh vault at ``target`` holding ``found``; on any failure nothing is left there."""
    conn, key, _ = opening.create_file(target, passphrase, worker_id=found.state["worker_id"],
                                       device_id=found.state["device_id"])
    try:
        salvage.write_vault(conn, found, _now())
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except BaseException as exc:
        with contextlib.suppress(Exception):
            conn.close()
        keys.wipe(key)
        for suffix in ("", "-wal", "-shm", ".attempts.json"):
            with contextlib.suppress(OSError):
                Path(str(target) + suffix).unlink()
        mapped = driver.translate(exc)
        if mapped is not None and mapped is not exc:
            raise mapped from None
        raise
    conn.close()
    keys.wipe(key)
