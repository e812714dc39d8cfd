"""Named, transactional, recorded schema migrations of the center, per dialect (``sqlite``, ``postgresql``).

The pattern is the vault's (:mod:`storage.schema`): each :class:`Migration` in :data:`MIGRATIONS` has a unique
name and its statements for each dialect; it runs in its own transaction together with the row that records
it in ``schema_migrations``, so a migration is either fully applied and recorded or not at all. Every
transaction takes the ``schema`` lock first and reads what is recorded again, so several processes starting
at once on one database apply each migration once (PostgreSQL: an advisory lock; SQLite: ``BEGIN
IMMEDIATE``). A database that records a migration this code does not know was written by a newer version and
is refused.

Migration ``0001_initial`` is the schema of the center before migrations existed, statement for statement,
written with ``IF NOT EXISTS``: a database created then (tables, but no ``schema_migrations``) is adopted by
it (0001 completes nothing or what is missing, as the old start-up did, and is recorded), then upgraded by
the later ones. Later migrations are written plainly: they only ever run once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol, TypeVar

from sync.center import device_roster, person_keys
from sync.center.sessions_schema import SESSION_OPERATORS_MIGRATION, SESSIONS_MIGRATION
from sync.errors import MigrationFailed, SchemaTooNew, SyncError

if TYPE_CHECKING:
    from sync.center.sqlstore import Tx

T = TypeVar("T")
Dialect = Literal["sqlite", "postgresql"]
DIALECTS: tuple[Dialect, ...] = ("sqlite", "postgresql")


class Runner(Protocol):
    """Runs a function in one write transaction (retrying it after a lock timeout or deadlock)."""

    def __call__(self, fn: Callable[[Tx], T]) -> T: ...


@dataclass(frozen=True)
class Migration:
    """One named step of the schema: its statements for each dialect, run in order in one transaction."""

    name: str
    sqlite: tuple[str, ...]
    postgresql: tuple[str, ...]
    #: Run after the statements, in the same transaction: data the statements cannot derive (e.g. hashes).
    backfill: Callable[[Tx], None] | None = None

    @classmethod
    def same(cls, name: str, *statements: str, backfill: Callable[[Tx], None] | None = None) -> Migration:
        """A migration whose statements are the same text on both dialects."""
        return cls(name, statements, statements, backfill)

    def statements(self, dialect: Dialect) -> tuple[str, ...]:
        return self.sqlite if dialect == "sqlite" else self.postgresql


def _initial(changes_key: str) -> tuple[str, ...]:
    return (
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS enrol_codes (code_hash TEXT PRIMARY KEY, worker_id TEXT NOT NULL, "
        "role TEXT NOT NULL, area_code TEXT, expires_at TEXT NOT NULL, used_at TEXT, device_id TEXT)",
        "CREATE TABLE IF NOT EXISTS devices (device_id TEXT PRIMARY KEY, worker_id TEXT NOT NULL, "
        "role TEXT NOT NULL, area_code TEXT, public_key TEXT NOT NULL, enrolled_at TEXT NOT NULL, "
        "revoked_at TEXT, last_seq BIGINT NOT NULL DEFAULT 0, last_hash TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS nonces (device_id TEXT NOT NULL, nonce TEXT NOT NULL, seen_at TEXT NOT NULL, "
        "PRIMARY KEY (device_id, nonce))",
        "CREATE TABLE IF NOT EXISTS operations (op_id TEXT PRIMARY KEY, device_id TEXT NOT NULL, seq BIGINT, "
        "worker_id TEXT NOT NULL, kind TEXT NOT NULL, subject TEXT NOT NULL, hlc TEXT NOT NULL, "
        "hash TEXT NOT NULL, body TEXT NOT NULL, status TEXT NOT NULL, code TEXT, message_zh TEXT, "
        "message_en TEXT, subject_version BIGINT, resolves TEXT, received_at TEXT NOT NULL, "
        "log_index BIGINT NOT NULL UNIQUE, UNIQUE (device_id, seq))",
        "CREATE INDEX IF NOT EXISTS operations_subject ON operations (subject, subject_version)",
        "CREATE INDEX IF NOT EXISTS operations_worker ON operations (worker_id, subject)",
        "CREATE TABLE IF NOT EXISTS subjects (subject TEXT PRIMARY KEY, version BIGINT NOT NULL, area_code TEXT, "
        "person TEXT, cards TEXT)",
        f"CREATE TABLE IF NOT EXISTS changes (change_seq {changes_key}, type TEXT NOT NULL, id TEXT NOT NULL, "
        "version BIGINT NOT NULL, data TEXT NOT NULL, person_id TEXT NOT NULL, owner TEXT, area_code TEXT, "
        "UNIQUE (type, id))",
        "CREATE TABLE IF NOT EXISTS assignments (worker_id TEXT NOT NULL, person_id TEXT NOT NULL, "
        "assigned_at TEXT NOT NULL, PRIMARY KEY (worker_id, person_id))",
        "CREATE TABLE IF NOT EXISTS merkle (idx BIGINT PRIMARY KEY, leaf TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS enrol_failures (worker_id TEXT NOT NULL, failed_at TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS enrol_failures_worker ON enrol_failures (worker_id, failed_at)",
        "CREATE INDEX IF NOT EXISTS enrol_failures_at ON enrol_failures (failed_at)",
    )


#: Every migration, in order. Append only; never rename or edit one that has shipped.
MIGRATIONS: list[Migration] = [
    # change_seq must never be reused (a pull checkpoint is a change_seq): AUTOINCREMENT on SQLite.
    Migration("0001_initial", sqlite=_initial("INTEGER PRIMARY KEY AUTOINCREMENT"),
              postgresql=_initial("BIGSERIAL PRIMARY KEY")),
    # Enrolment guesses by source and worker (throttle.py); people a worker registered are on their plan
    # (access.py: visibility comes from assignment and area only, no longer from having pushed something).
    Migration.same(
        "0002_access",
        "CREATE TABLE enrol_guesses (worker_id TEXT NOT NULL, source TEXT NOT NULL, failed_at TEXT NOT NULL)",
        "CREATE INDEX enrol_guesses_source ON enrol_guesses (source, failed_at)",
        "CREATE INDEX enrol_guesses_worker ON enrol_guesses (worker_id, failed_at)",
        "DROP TABLE enrol_failures",
        "INSERT INTO assignments (worker_id, person_id, assigned_at) SELECT worker_id, subject, min(received_at) "
        "FROM operations WHERE kind = 'person.register' AND status IN ('applied', 'applied_with_conflict') "
        "GROUP BY worker_id, subject ON CONFLICT DO NOTHING",
    ),
    # The Merkle log's perfect subtrees (merkle_log.py): O(log n) appends and proofs. Derived from the
    # leaves; an existing log's are built from its leaves when first needed.
    Migration.same("0003_merkle_nodes", "CREATE TABLE merkle_nodes (id BIGINT PRIMARY KEY, hash TEXT NOT NULL)"),
    # A push records its operations first and gives them log positions in its short sequencing step
    # (oplogic.sequence, PostgreSQL only): until then, inside its transaction, a row has none.
    Migration("0004_late_log_index", sqlite=(),
              postgresql=("ALTER TABLE operations ALTER COLUMN log_index DROP NOT NULL",)),
    # The device whose operation made a change's state exactly (oplogic._change): its pull skips the row.
    Migration.same("0005_change_origin", "ALTER TABLE changes ADD COLUMN origin TEXT"),
    # Employer bulk activation days (sync/center/sessions.py): an employer host is bound to one employer.
    Migration.same("0006_sessions", *SESSIONS_MIGRATION),
    # One person, one record (Art. 3, 5): the person keys each subject holds, unique; filled from the people
    # the center holds (sync/center/person_keys.py).
    Migration.same("0007_person_keys", *person_keys.MIGRATION, backfill=person_keys.backfill),
    # A person's published rows, found again when they move area or are assigned (oplogic._follow_area).
    Migration.same("0008_changes_person", "CREATE INDEX changes_person ON changes (person_id, type)"),
    # Operators sharing a session (sync/center/sessions.py): the plan's workers pull its state.
    Migration.same("0009_session_operators", *SESSION_OPERATORS_MIGRATION),
    # The device roster a supervisor pulls (device_roster.py): each device's last sync, and the roster of the
    # devices enrolled before it.
    Migration("0010_device_roster", sqlite=device_roster.MIGRATION_SQLITE,
              postgresql=device_roster.MIGRATION_POSTGRESQL),
]

_RECORD_TABLE = "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"


def recorded(tx: Tx) -> list[str]:
    """Names of the migrations the database records, in order."""
    return [str(r[0]) for r in tx.rows("SELECT name FROM schema_migrations ORDER BY name")]


def migrate(run: Runner, dialect: Dialect,
            prepare: Callable[[Tx], None] = lambda tx: None,
            migrations: list[Migration] | None = None) -> list[str]:
    """Apply the missing migrations, each in its own transaction run by ``run``; return the names applied now.

    ``prepare`` runs first in the first transaction, under the schema lock (PostgreSQL: create the schema).

    Raises:
        SchemaTooNew: the database records a migration this code does not know.
        MigrationFailed: a migration failed; it changed nothing, the ones before it stay applied.
    """
    steps = MIGRATIONS if migrations is None else migrations
    known = {m.name for m in steps}

    def start(tx: Tx) -> None:
        tx.lock("schema")
        prepare(tx)
        tx.execute(_RECORD_TABLE)
        if any(name not in known for name in recorded(tx)):
            raise SchemaTooNew()

    run(start)
    now_applied: list[str] = []
    for m in steps:
        def step(tx: Tx, m: Migration = m) -> bool:
            tx.lock("schema")
            if m.name in recorded(tx):
                return False  # another process applied it meanwhile
            for stmt in m.statements(dialect):
                tx.execute(stmt)
            if m.backfill is not None:
                m.backfill(tx)
            tx.execute("INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                 (m.name, dt.datetime.now(dt.UTC).isoformat(timespec="seconds")))
            return True

        try:
            if run(step):
                now_applied.append(m.name)
        except SyncError:
            raise
        except Exception as exc:
            raise MigrationFailed(m.name) from exc
    return now_applied
