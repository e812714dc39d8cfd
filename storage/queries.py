"""Read-side queries over the projections (all index-backed; see :mod:`storage.schema`).

``find_people`` understands: a Chinese name prefix ("王", "王小"), pinyin initials ("wxm"), a full identity
number, the last 4+ digits of an identity number or mobile, a full mobile, and a card number (or prefix).
Every branch is an equality or a half-open range on an indexed column, so lookups stay in the low
milliseconds at 100,000 people.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from datetime import date, timedelta
from typing import Any

from outreach.domain.models import CardState, Person, PersonCards, Visit
from storage.driver import Connection
from storage.projections import subject_version

_DIGITS = re.compile(r"^[0-9]+[0-9X]?$")
_CARD = re.compile(r"^[0-9A-Z]{3,9}$")
_LETTERS = re.compile(r"^[a-z]+$")


def prefix_range(prefix: str) -> tuple[str, str]:
    """Half-open range [lo, hi) of strings that start with ``prefix`` (for index range scans)."""
    return prefix, prefix + "\U0010ffff"


_P = "SELECT person_id, data FROM people WHERE "
_C = "SELECT DISTINCT p.person_id, p.data FROM cards c JOIN people p ON p.person_id = c.person_id WHERE "


def _plan(raw: str) -> list[tuple[str, tuple[Any, ...], bool]]:
    """(sql, args, exact) per branch that applies to the search text; exact hits end the search."""
    upper = raw.upper()
    plan: list[tuple[str, tuple[Any, ...], bool]] = []
    if _DIGITS.match(upper):
        if len(upper) >= 15:
            plan.append((_P + "id_number = ? LIMIT ?", (upper,), True))
        if len(upper) == 11:
            plan.append((_P + "mobile = ? LIMIT ?", (upper,), True))
        if len(upper) >= 4:
            lo, hi = prefix_range(upper[::-1])
            plan.append((_P + "id_rev >= ? AND id_rev < ? LIMIT ?", (lo, hi), False))
            plan.append((_P + "mobile_rev >= ? AND mobile_rev < ? LIMIT ?", (lo, hi), False))
    if _CARD.match(upper):
        if len(upper) == 9:
            plan.append((_C + "c.card_number = ? LIMIT ?", (upper,), True))
        else:
            lo, hi = prefix_range(upper)
            plan.append((_C + "c.card_number >= ? AND c.card_number < ? LIMIT ?", (lo, hi), False))
    lower = raw.lower()
    if _LETTERS.match(lower):
        lo, hi = prefix_range(lower)
        plan.append((_P + "initials >= ? AND initials < ? ORDER BY initials LIMIT ?", (lo, hi), False))
    if not raw.isascii():
        lo, hi = prefix_range(raw)
        plan.append((_P + "name >= ? AND name < ? ORDER BY name LIMIT ?", (lo, hi), False))
    return plan


def find_people(conn: Connection, text: str, limit: int = 50) -> list[Person]:
    """People matching ``text`` (see module docstring), exact identity/mobile/card hits first, no duplicates."""
    raw = "".join(text.split())
    if not raw or limit <= 0:
        return []
    found: dict[str, str] = {}
    for sql, args, exact in _plan(raw):
        rows = conn.execute(sql, (*args, limit)).fetchall()
        for pid, data in rows:
            found.setdefault(str(pid), str(data))
        if len(found) >= limit or (exact and rows):
            break
    return [Person.model_validate_json(data) for data in list(found.values())[:limit]]


def get_person(conn: Connection, person_id: str) -> Person | None:
    row = conn.execute("SELECT data FROM people WHERE person_id = ?", (person_id,)).fetchone()
    return Person.model_validate_json(row[0]) if row else None


def person_cards(conn: Connection, person_id: str) -> PersonCards | None:
    rows = conn.execute(
        "SELECT data FROM cards WHERE person_id = ? ORDER BY position", (person_id,)
    ).fetchall()
    version = subject_version(conn, person_id)
    if not rows and version == 0:
        return None
    cards = [CardState.model_validate_json(r[0]) for r in rows]
    return PersonCards(person_id=person_id, cards=cards, version=version)


#: Far enough for any "30 working days" after acceptance (holidays included) to fall inside.
_ISSUE_SLACK_DAYS = 120


def cards_needing_attention(
    conn: Connection, today: date, horizon_days: int = 30, overdue_days: int = 90, limit: int | None = None
) -> list[CardState]:
    """Candidate cards for the deadlines coming due across the vault, by index range scans only.

    A card is a candidate when one of its domain deadlines (see :mod:`outreach.domain.deadlines`) may fall
    in ``[today - overdue_days, today + horizon_days]``, and every card ready to deliver is one whatever the
    horizon (its recall date is the deadline; only ready cards more than ``overdue_days`` past it are left
    out). The ranges are a superset: the caller computes the exact dates with the domain's functions and
    keeps those in its window. Cards in ``(status, counted_from)`` order, then by expiry.

    ``limit``: at most this many cards per ready / temporary-loss / cancelled / expiry range, the earliest
    first. Each of those deadlines is its start day plus a fixed number of days and the ranges are exact, so the
    ``limit`` nearest deadlines of the whole vault are still among the candidates. Applied cards (working
    days, a range with slack) are never cut: there are few of them.
    """
    from outreach.domain.deadlines import BANK_CLOSURE_DAYS, QUICK_SERVICE_DAYS, RECALL_DAYS, TEMP_LOSS_DAYS

    lo = today - timedelta(days=overdue_days)
    hi = today + timedelta(days=horizon_days)

    def span(earliest: date, latest: date | None) -> tuple[str, str]:
        return earliest.isoformat(), (latest.isoformat() if latest is not None else "9999-12-31")

    ranges = [
        ("applied", *span(lo - timedelta(days=_ISSUE_SLACK_DAYS), hi - timedelta(days=QUICK_SERVICE_DAYS))),
        ("ready", *span(lo - timedelta(days=RECALL_DAYS), None)),
        ("temp_lost", *span(lo - timedelta(days=TEMP_LOSS_DAYS), hi - timedelta(days=TEMP_LOSS_DAYS))),
        ("cancelled", *span(lo - timedelta(days=BANK_CLOSURE_DAYS), hi - timedelta(days=BANK_CLOSURE_DAYS))),
    ]
    cap = -1 if limit is None else max(limit, 0)  # SQLite: LIMIT -1 is no limit
    seen: dict[str, str] = {}
    for status, first, last in ranges:
        rows = conn.execute(
            "SELECT card_id, data FROM cards WHERE status = ? AND counted_from >= ? AND counted_from <= ?"
            " ORDER BY counted_from LIMIT ?",
            (status, first, last, -1 if status == "applied" else cap),
        ).fetchall()
        for card_id, data in rows:
            seen.setdefault(str(card_id), str(data))
    rows = conn.execute(
        "SELECT card_id, data FROM cards WHERE expires_on >= ? AND expires_on <= ? ORDER BY expires_on LIMIT ?",
        (lo.isoformat(), hi.isoformat(), cap),
    ).fetchall()
    for card_id, data in rows:
        seen.setdefault(str(card_id), str(data))
    return [CardState.model_validate_json(data) for data in seen.values()]


def card_sources(conn: Connection, person_id: str) -> list[dict[str, Any]]:
    """Per card: ``card_id``, ``source`` ("provisional" / "center") and ``synced_at``, oldest first."""
    rows = conn.execute(
        "SELECT card_id, source, synced_at FROM cards WHERE person_id = ? ORDER BY position", (person_id,)
    ).fetchall()
    return [{"card_id": r[0], "source": r[1], "synced_at": r[2]} for r in rows]


def visits(conn: Connection, day: date | str | None = None, person_id: str | None = None) -> list[Visit]:
    """Visits, by day then id; only that day's and/or that person's when given (both indexed)."""
    where, params = [], []
    if day is not None:
        where.append("day = ?")
        params.append(str(day))
    if person_id is not None:
        where.append("person_id = ?")
        params.append(person_id)
    sql = "SELECT data FROM visits" + (" WHERE " + " AND ".join(where) if where else "")
    rows = conn.execute(sql + " ORDER BY day, visit_id", params).fetchall()
    return [Visit.model_validate_json(r[0]) for r in rows]


def visits_after(conn: Connection, after: tuple[str, str] | None, limit: int) -> list[Visit]:
    """Up to ``limit`` visits after ``after`` (day, visit_id), by day then id (index ``visits_day_id``): one
    page of :meth:`storage.Vault.iter_visits`."""
    if after is None:
        rows = conn.execute("SELECT data FROM visits ORDER BY day, visit_id LIMIT ?", (limit,)).fetchall()
    else:
        rows = conn.execute("SELECT data FROM visits WHERE (day, visit_id) > (?, ?) ORDER BY day, visit_id LIMIT ?",
                            (after[0], after[1], limit)).fetchall()
    return [Visit.model_validate_json(r[0]) for r in rows]


_OUTCOME_KEYS = ("op_id", "status", "code", "message_zh", "message_en", "center_state", "recorded_at",
                 "resolved_by", "base_version", "center_version", "theirs", "base")


def op_outcomes(conn: Connection, open_only: bool = False) -> list[dict[str, Any]]:
    """Push outcomes with both sides of a conflict: ``base`` (what the operation was made on, while kept),
    ``center_state`` and ``theirs`` (the center's operations since the base: who and when)."""
    sql = ("SELECT o.op_id, o.status, o.code, o.message_zh, o.message_en, o.center_state, o.recorded_at,"
           " o.resolved_by, o.base_version, o.center_version, o.theirs, b.data"
           " FROM op_outcomes o LEFT JOIN op_bases b ON b.op_id = o.op_id")
    if open_only:
        sql += " WHERE o.resolved_by IS NULL AND o.status IN ('rejected', 'applied_with_conflict')"
    rows = conn.execute(sql + " ORDER BY o.recorded_at, o.op_id").fetchall()
    out = []
    for row in rows:
        item = dict(zip(_OUTCOME_KEYS, row, strict=True))
        for key in ("center_state", "theirs", "base"):
            if item[key] is not None:
                item[key] = json.loads(item[key])
        out.append(item)
    return out


def center_sessions(conn: Connection) -> dict[str, dict[str, dict[str, Any]]]:
    """The session records pulled from the center: session id -> change type (``session``,
    ``session_roster``, ``session_progress``, ``session_close``) -> its data, as the center published it
    (identity and mobile numbers already masked for an employer host)."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for kind, sid, data in conn.execute(
        "SELECT type, session_id, data FROM center_sessions ORDER BY session_id, type"
    ).fetchall():
        out.setdefault(str(sid), {})[str(kind)] = json.loads(data)
    return out


def center_sessions_mark(conn: Connection) -> tuple[int, str, float]:
    """Changes whenever a pull kept a session record (count, latest pull time, sum of versions): a reader
    rebuilds its view of the pulled sessions only then."""
    row = conn.execute("SELECT COUNT(*), COALESCE(MAX(synced_at), ''), TOTAL(version) FROM center_sessions").fetchone()
    return int(row[0]), str(row[1]), float(row[2])


def center_devices(conn: Connection) -> list[dict[str, Any]]:
    """The device roster pulled from the center (a supervisor's area), by device id, as the center published
    it: device_id, worker_id, role, area_code, enrolled_at, last_sync_at, revoked_at (None: not revoked)."""
    rows = conn.execute("SELECT data FROM center_devices ORDER BY device_id").fetchall()
    return [json.loads(r[0]) for r in rows]


def put_attachment(conn: Connection, data: bytes, mime: str, now: str) -> str:
    """Store a blob inside the vault (caller's transaction); returns its new reference."""
    ref = str(uuid.uuid4())
    conn.execute(
        "INSERT INTO attachments(ref, mime, sha256, created_at, data) VALUES (?,?,?,?,?)",
        (ref, mime, hashlib.sha256(data).hexdigest(), now, bytes(data)),
    )
    return ref


def attachment_info(conn: Connection, ref: str) -> tuple[str, str, int] | None:
    """(mime, created_at, size in bytes) of a stored blob, without reading it."""
    row = conn.execute("SELECT mime, created_at, length(data) FROM attachments WHERE ref = ?", (ref,)).fetchone()
    return None if row is None else (str(row[0]), str(row[1]), int(row[2]))


def get_attachment(conn: Connection, ref: str) -> bytes | None:
    row = conn.execute("SELECT data FROM attachments WHERE ref = ?", (ref,)).fetchone()
    return None if row is None else bytes(row[0])
