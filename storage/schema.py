"""Named, transactional, recorded schema migrations.

Each migration is a function ``(conn) -> None`` listed in :data:`MIGRATIONS` under a unique name. Each
runs in its own ``BEGIN IMMEDIATE`` transaction together with the row that records it in
``schema_migrations``, so a migration is either fully applied and recorded or not at all. A vault that
records a migration this code does not know was written by a newer version and is refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from storage.driver import Connection
from storage.errors import SchemaError

Migration = Callable[[Connection], None]


def _m0001_core(conn: Connection) -> None:
    for stmt in _CORE:
        conn.execute(stmt)


_CORE = [
    # Internal state: device keys, chain head, HLC, KDF profile. Never exposed through get_meta.
    "CREATE TABLE vault_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    # Free key/value for other layers (sync checkpoint, enrolment ...).
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE oplog (
        seq INTEGER PRIMARY KEY,
        op_id TEXT NOT NULL UNIQUE,
        device_id TEXT NOT NULL,
        worker_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        subject TEXT NOT NULL,
        base_version INTEGER NOT NULL,
        payload TEXT NOT NULL,
        hlc TEXT NOT NULL,
        schema_version INTEGER NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL,
        signature TEXT NOT NULL
    )""",
    "CREATE INDEX oplog_subject ON oplog(subject, seq)",
    """CREATE TRIGGER oplog_no_update BEFORE UPDATE ON oplog
       BEGIN SELECT RAISE(ABORT, 'oplog is append-only'); END""",
    """CREATE TRIGGER oplog_no_delete BEFORE DELETE ON oplog
       BEGIN SELECT RAISE(ABORT, 'oplog is append-only'); END""",
    """CREATE TABLE people (
        person_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        initials TEXT NOT NULL,
        id_number TEXT,
        id_rev TEXT,
        mobile TEXT,
        mobile_rev TEXT,
        area_code TEXT,
        source TEXT NOT NULL,
        synced_at TEXT,
        data TEXT NOT NULL
    )""",
    "CREATE INDEX people_name ON people(name)",
    "CREATE INDEX people_initials ON people(initials)",
    "CREATE INDEX people_id_number ON people(id_number)",
    "CREATE INDEX people_id_rev ON people(id_rev)",
    "CREATE INDEX people_mobile_rev ON people(mobile_rev)",
    """CREATE TABLE cards (
        card_id TEXT PRIMARY KEY,
        person_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        status TEXT NOT NULL,
        card_number TEXT,
        source TEXT NOT NULL CHECK (source IN ('provisional', 'center')),
        synced_at TEXT,
        data TEXT NOT NULL
    )""",
    "CREATE INDEX cards_person ON cards(person_id, position)",
    "CREATE INDEX cards_number ON cards(card_number)",
    """CREATE TABLE visits (
        visit_id TEXT PRIMARY KEY,
        person_id TEXT NOT NULL,
        day TEXT NOT NULL,
        outcome TEXT,
        planned INTEGER NOT NULL,
        source TEXT NOT NULL,
        data TEXT NOT NULL
    )""",
    "CREATE INDEX visits_day ON visits(day)",
    "CREATE INDEX visits_person ON visits(person_id)",
    "CREATE TABLE subject_versions (subject TEXT PRIMARY KEY, version INTEGER NOT NULL)",
    "CREATE TABLE outbox (seq INTEGER PRIMARY KEY REFERENCES oplog(seq), op_id TEXT NOT NULL UNIQUE)",
    """CREATE TABLE op_outcomes (
        op_id TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        code TEXT,
        message_zh TEXT,
        message_en TEXT,
        center_state TEXT,
        recorded_at TEXT NOT NULL,
        resolved_by TEXT
    )""",
    "CREATE INDEX op_outcomes_open ON op_outcomes(resolved_by, status)",
    """CREATE TABLE attachments (
        ref TEXT PRIMARY KEY,
        mime TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        created_at TEXT NOT NULL,
        data BLOB NOT NULL
    )""",
]

def _m0002_cards_due(conn: Connection) -> None:
    """Two virtual generated columns read from a card's JSON and indexed, so that the deadlines coming due
    across the whole vault are found by index range scans (see :func:`storage.queries.cards_needing_attention`):

    - ``counted_from``: the day the status's own time rule counts from (applied: accepted_on, ready: issued_on,
      a 15-day temporary loss: temp_loss_since, cancelled: cancelled_on), NULL otherwise;
    - ``expires_on``: the expiry day of a live card, NULL otherwise.
    """
    for stmt in _CARDS_DUE:
        conn.execute(stmt)


_CARDS_DUE = [
    """ALTER TABLE cards ADD COLUMN counted_from TEXT GENERATED ALWAYS AS (CASE status
        WHEN 'applied' THEN json_extract(data, '$.accepted_on')
        WHEN 'ready' THEN json_extract(data, '$.issued_on')
        WHEN 'temp_lost' THEN CASE WHEN json_extract(data, '$.temp_loss_period') = '15d'
                                   THEN json_extract(data, '$.temp_loss_since') END
        WHEN 'cancelled' THEN json_extract(data, '$.cancelled_on')
        END) VIRTUAL""",
    """ALTER TABLE cards ADD COLUMN expires_on TEXT GENERATED ALWAYS AS (CASE
        WHEN status IN ('applied', 'ready', 'active', 'temp_lost', 'lost', 'suspended')
        THEN json_extract(data, '$.expires_on') END) VIRTUAL""",
    "CREATE INDEX cards_counted_from ON cards(status, counted_from) WHERE counted_from IS NOT NULL",
    "CREATE INDEX cards_expires_on ON cards(expires_on) WHERE expires_on IS NOT NULL",
]

def _m0003_conflict_sides(conn: Connection) -> None:
    """What a conflict is shown with: the base (the person's cards or data as the worker saw them when saving),
    and the center's versions and the operations it applied since that base (who and when).

    ``op_bases`` holds one snapshot per card or person operation until the center applies it; a snapshot of an
    operation the center rejects or flags stays as long as the issue is listed.
    """
    for stmt in (
        "ALTER TABLE op_outcomes ADD COLUMN base_version INTEGER",
        "ALTER TABLE op_outcomes ADD COLUMN center_version INTEGER",
        "ALTER TABLE op_outcomes ADD COLUMN theirs TEXT",
        "CREATE TABLE op_bases (op_id TEXT PRIMARY KEY, data TEXT NOT NULL)",
    ):
        conn.execute(stmt)


def _m0004_drafts(conn: Connection) -> None:
    """Half-filled forms, kept inside the encrypted vault so that a crash, a lock, a dead battery or a quit
    loses nothing: one row per open form (``draft_key``: the form kind and the person, or a new person's
    random key), its typed values as JSON. Not part of the signed log: a draft is not an operation."""
    conn.execute(
        """CREATE TABLE drafts (
            draft_key TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            person_id TEXT,
            data TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )"""
    )


def _m0005_center_sessions(conn: Connection) -> None:
    """Session records the center publishes to this laptop (issue 13: an employer host's own sessions, or a
    shared day's plan): the plan, the masked roster, the progress counts and the close report, each the
    latest version pulled. Center state, not operations: a later version replaces an earlier one."""
    conn.execute(
        """CREATE TABLE center_sessions (
            type TEXT NOT NULL,
            session_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            data TEXT NOT NULL,
            synced_at TEXT NOT NULL,
            PRIMARY KEY (type, session_id)
        )"""
    )


def _m0006_center_devices(conn: Connection) -> None:
    """The device roster the center publishes to a supervisor (issue 14): the devices of their area's workers,
    each the latest version pulled (device id, worker, role, area, enrolled, last sync, revoked). Center state;
    no key or address of any device."""
    conn.execute(
        """CREATE TABLE center_devices (
            device_id TEXT PRIMARY KEY,
            version INTEGER NOT NULL,
            data TEXT NOT NULL,
            synced_at TEXT NOT NULL
        )"""
    )


def _m0007_visit_order(conn: Connection) -> None:
    """Visits read in pages by (day, visit_id) (``Vault.iter_visits``: an export of 200,000 visits in bounded
    memory) without sorting the table for each page."""
    conn.execute("CREATE INDEX visits_day_id ON visits(day, visit_id)")


#: Every migration, in order. Append only; never rename or edit one that has shipped.
MIGRATIONS: list[tuple[str, Migration]] = [
    ("0001_core", _m0001_core),
    ("0002_cards_due", _m0002_cards_due),
    ("0003_conflict_sides", _m0003_conflict_sides),
    ("0004_drafts", _m0004_drafts),
    ("0005_center_sessions", _m0005_center_sessions),
    ("0006_center_devices", _m0006_center_devices),
    ("0007_visit_order", _m0007_visit_order),
]


def applied(conn: Connection) -> list[str]:
    """Names of the applied migrations, in order."""
    rows = conn.execute("SELECT name FROM schema_migrations ORDER BY rowid").fetchall()
    return [str(r[0]) for r in rows]


def migrate(conn: Connection) -> list[str]:
    """Apply the missing migrations, each in its own transaction; return the names applied now.

    Raises:
        SchemaError: the vault knows a migration this code does not (newer version), or one failed.
    """
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    done = applied(conn)
    known = [name for name, _ in MIGRATIONS]
    unknown = [n for n in done if n not in known]
    if unknown:
        raise SchemaError(
            "该保险库由更新版本的程序创建，请升级程序", "this vault was written by a newer version; upgrade the app"
        )
    now_applied: list[str] = []
    for name, func in MIGRATIONS:
        if name in done:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            func(conn)
            conn.execute(
                "INSERT INTO schema_migrations(name, applied_at) VALUES (?, ?)",
                (name, dt.datetime.now(dt.UTC).isoformat(timespec="seconds")),
            )
            conn.execute("COMMIT")
        except BaseException as exc:
            conn.execute("ROLLBACK")
            raise SchemaError() from exc
        now_applied.append(name)
    return now_applied
