"""The center's store: the interface every backend (PostgreSQL, embedded SQLite) implements.

The database is the single source of truth and the only coordinator: several stateless center processes may
run over one store at once, so deduplication (unique op_id, unique (device_id, seq)), chain continuity and
per-subject decisions are enforced inside database transactions, never in process memory.
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from outreach.domain.operation import Operation
from sync.protocol import Change, LogProof, OpResult


def iso(t: dt.datetime) -> str:
    """The center's one time format: UTC, ISO 8601, milliseconds (text compares in time order)."""
    return t.astimezone(dt.UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Device:
    device_id: str
    worker_id: str
    role: str
    area_code: str | None
    public_key: bytes
    revoked: bool
    #: An employer host's employer (统一社会信用代码); None for every other role.
    employer: str | None = None


@dataclass(frozen=True)
class RecordedOperation:
    """A device's operation as the center recorded it, with the answer it decided."""

    op_id: str
    device_id: str
    seq: int
    hash: str
    status: str


@dataclass(frozen=True)
class LoadCount:
    """What a load of people did: how many were inserted or replaced, how many were already loaded as is."""

    loaded: int
    skipped: int


@dataclass(frozen=True)
class CenterKeys:
    """The center's private keys (raw 32 bytes each): Ed25519 for signing, X25519 for transfer files."""

    sign_private: bytes
    box_private: bytes


class Store(abc.ABC):
    """Persistent state of the center."""

    @abc.abstractmethod
    def init_schema(self) -> list[str]:
        """Bring the schema up to date: apply the missing migrations (:mod:`sync.center.migrations`), each in
        its own transaction; a database made before migrations existed is adopted. Idempotent, and safe when
        several processes start at once. Returns the names of the migrations applied now.

        Raises:
            SchemaTooNew: the database records a migration this code does not know (a newer version wrote it).
            MigrationFailed: a migration failed (that step changed nothing).
            StoreError: the database cannot be reached or is not a database.
        """

    @abc.abstractmethod
    def applied_migrations(self) -> list[str]:
        """Names of the migrations the database records, in order.

        Raises:
            StoreError: the database fails.
        """

    @abc.abstractmethod
    def close(self) -> None:
        """Release connections. The store is unusable afterwards."""

    @abc.abstractmethod
    def use_key_file(self, path: Path) -> None:
        """Keep the center's private keys in ``path`` (mode 600, shared by the center's processes) instead of
        the database. Nothing is read until :meth:`center_keys`, which moves the database's keys into a
        new file and refuses a file others can read or whose keys differ from the database's."""

    @abc.abstractmethod
    def center_keys(self) -> CenterKeys:
        """The center's keys, created once on first use and shared by every process.

        Raises:
            KeyFileError: the key file is refused (readable by others, or other keys than the database's).
            StoreError: the database fails.
        """

    @abc.abstractmethod
    def create_enrol_code(self, worker_id: str, role: str, area_code: str | None, ttl: dt.timedelta, *,
                          employer: str | None = None) -> str:
        """Make a one-time enrolment code; only its SHA-256 is stored, with its expiry. An ``employer_host``
        code binds the device to ``employer`` (a 统一社会信用代码, required for that role and refused for others).

        Raises:
            InvalidInput: unknown role, empty worker, a bad area code, or a missing/invalid/unexpected employer.
        """

    @abc.abstractmethod
    def enrol(self, code: str, device_id: str, worker_id: str, public_key: bytes, now: dt.datetime, *,
              source: str = "") -> Device:
        """Consume ``code`` and record the device for the code's worker, role and area. ``source`` is the
        requesting address; refused codes are counted by source and worker (:mod:`sync.center.throttle`).

        Raises:
            EnrolmentThrottled: too many refused codes lately from this source (or for this worker from
                sources that failed); the code was not checked.
            EnrolmentRefused: the code is unknown, used, expired, or for another worker; or the device id is
                already enrolled with another key.
        """

    @abc.abstractmethod
    def clear_enrolment_holds(self, worker_id: str | None = None, source: str | None = None) -> int:
        """Forget the refused enrolments of a worker and/or a source address (both None: all), lifting holds.
        Returns how many were forgotten."""

    @abc.abstractmethod
    def revoke(self, device_id: str, now: dt.datetime) -> bool:
        """Revoke a device at once. Returns False when the device is unknown."""

    @abc.abstractmethod
    def device(self, device_id: str) -> Device | None:
        """The device record (revoked ones included), or None."""

    @abc.abstractmethod
    def record_sync(self, device: Device, now: dt.datetime) -> None:
        """Note that ``device`` pushed or pulled at ``now``: its last sync, on the roster its area's supervisors
        pull (:mod:`sync.center.device_roster`; republished at most every few minutes).

        Raises:
            StoreError: the database fails.
        """

    @abc.abstractmethod
    def remember_nonce(self, device_id: str, nonce: str, now: dt.datetime) -> None:
        """Record a request nonce; forget ones older than the replay window.

        Raises:
            ReplayedRequest: the nonce was already used by this device.
        """

    @abc.abstractmethod
    def push(self, device: Device, ops: list[Operation], today: dt.date, now: dt.datetime) -> list[OpResult]:
        """Check and record ``ops`` (device order), one answer each, in the same order.

        Operations are handled in transactions of several (``push_chunk``) under locks on the device and each
        subject: duplicate by op_id; authenticity (hash, signature, worker/device match, chain, seq); then the
        domain decides card operations against the center's state. Recorded operations and outcomes go to the
        Merkle log (on PostgreSQL in one sequencing step at the end of each transaction, under the log lock).

        Raises:
            StoreError: the database fails (operations already committed stay committed).
        """

    @abc.abstractmethod
    def pull(self, device: Device, since: int, limit: int) -> tuple[list[Change], int, bool]:
        """Changes visible to the device after checkpoint ``since``: (changes, new checkpoint, more pages).

        Raises:
            StoreError: the database fails.
        """

    @abc.abstractmethod
    def apply_due(self, today: dt.date, now: dt.datetime) -> int:
        """Apply time-driven events (temporary loss lifting itself, recall) due by ``today`` as center
        operations with deterministic ids. Idempotent across processes. Returns how many were applied."""

    @abc.abstractmethod
    def center_event(self, person_id: str, event: dict[str, Any], today: dt.date, now: dt.datetime) -> OpResult:
        """Record a card event decided at the center (e.g. ``card.issue`` from the provincial system), checked
        with the same rules; its op id is deterministic, so recording it twice is a duplicate.

        Raises:
            StoreError: the database fails.
        """

    @abc.abstractmethod
    def load_people(self, people: list[dict[str, Any]], now: dt.datetime) -> int:
        """Insert or replace people (validated ``Person`` dumps) all at once or not at all.

        Raises:
            InvalidInput: a record is not a valid person.
        """

    @abc.abstractmethod
    def load_people_stream(self, people: Iterable[dict[str, Any]], now: dt.datetime, *, batch: int = 5000,
                           progress: Callable[[LoadCount], None] | None = None) -> LoadCount:
        """Insert or replace people (validated ``Person`` dumps) in batches of ``batch``, each committed on its
        own, so memory stays bounded and an interrupted load keeps what it committed. A person already stored
        exactly as given is skipped, so a rerun loads only what is missing and never duplicates. ``progress``
        gets the running count after each batch.

        Raises:
            InvalidInput: a record is not a valid person (the batches before it stay loaded).
            StoreError: the database fails (the batches before it stay loaded).
        """

    @abc.abstractmethod
    def assign(self, worker_id: str, person_ids: list[str], now: dt.datetime) -> int:
        """Put people on a worker's visit plan. Returns the number newly assigned.

        Raises:
            InvalidInput: a person id is unknown.
        """

    @abc.abstractmethod
    def people_in_area(self, area_prefix: str) -> list[str]:
        """Person ids whose area code starts with ``area_prefix`` (digits; never a pattern).

        Raises:
            InvalidInput: ``area_prefix`` is empty or not digits.
        """

    @abc.abstractmethod
    def log_proof(self, known_size: int) -> LogProof:
        """A freshly signed checkpoint and the consistency proof from ``known_size`` (0 when larger than
        the log: the client will then refuse the center)."""

    @abc.abstractmethod
    def status(self) -> dict[str, Any]:
        """Operations held per device, open conflicts/rejections, latest checkpoint."""

    # -- reading what the center holds (supervision, checks) -----------------------------------------
    @abc.abstractmethod
    def operations(self, device_id: str | None = None) -> list[RecordedOperation]:
        """The devices' operations the center recorded (its own decisions left out), in log order; only
        ``device_id``'s when given (then in device sequence).

        Raises:
            StoreError: the database fails.
        """

    @abc.abstractmethod
    def operation_counts(self) -> dict[str, int]:
        """How many operations the center recorded per answer (``applied``, ``rejected`` ...), its own included.

        Raises:
            StoreError: the database fails.
        """

    @abc.abstractmethod
    def center_cards(self, person_id: str) -> dict[str, Any] | None:
        """The center's card state of a person (a ``PersonCards`` dump), or None when it has none.

        Raises:
            StoreError: the database fails.
        """

    @abc.abstractmethod
    def chain_head(self, device_id: str) -> tuple[int, str] | None:
        """The last sequence number and hash the center accepted from a device, or None for an unknown one.

        Raises:
            StoreError: the database fails.
        """

    @abc.abstractmethod
    def session_check(self, session_id: str) -> dict[str, Any] | None:
        """How the close manifests of a session compare with the operations the center holds for it
        (:func:`sync.center.sessions.check_report`); None for a session the center does not know.

        Raises:
            StoreError: the database fails.
        """

    @abc.abstractmethod
    def database_keys(self) -> CenterKeys | None:
        """The private keys the database itself holds; None once they live in a key file only.

        Raises:
            StoreError: the database fails.
        """

    @abc.abstractmethod
    def receipt_lookup(self, op_prefix: str) -> list[dict[str, Any]]:
        """Operations whose id is ``op_prefix`` or starts with it (at most 10), for checking a receipt:
        ``{op_id, device_id, kind, hlc, hash, status, code, message_zh, message_en}``; no payload.

        Raises:
            StoreError: the database fails.
        """
