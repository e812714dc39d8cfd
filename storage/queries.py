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
from datetime import date
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


def _ids(conn: Connection, sql: str, args: tuple[Any, ...]) -> list[str]:
    return [str(r[0]) for r in conn.execute(sql, args).fetchall()]


def find_people_ids(conn: Connection, text: str, limit: int = 50) -> list[str]:
    """Person ids matching ``text`` (see module docstring), best matches first, without duplicates."""
    raw = "".join(text.split())
    if not raw or limit <= 0:
        return []
    upper = raw.upper()
    found: list[str] = []
    queries: list[tuple[str, tuple[Any, ...]]] = []
    if _DIGITS.match(upper):
        if len(upper) >= 15:
            queries.append(("SELECT person_id FROM people WHERE id_number = ? LIMIT ?", (upper,)))
        if len(upper) == 11:
            queries.append(("SELECT person_id FROM people WHERE mobile = ? LIMIT ?", (upper,)))
        if len(upper) >= 4:
            lo, hi = prefix_range(upper[::-1])
            queries.append(("SELECT person_id FROM people WHERE id_rev >= ? AND id_rev < ? LIMIT ?", (lo, hi)))
            queries.append(
                ("SELECT person_id FROM people WHERE mobile_rev >= ? AND mobile_rev < ? LIMIT ?", (lo, hi))
            )
    if _CARD.match(upper):
        if len(upper) == 9:
            queries.append(("SELECT DISTINCT person_id FROM cards WHERE card_number = ? LIMIT ?", (upper,)))
        else:
            lo, hi = prefix_range(upper)
            queries.append(
                (
                    "SELECT DISTINCT person_id FROM cards WHERE card_number >= ? AND card_number < ? LIMIT ?",
                    (lo, hi),
                )
            )
    lower = raw.lower()
    if _LETTERS.match(lower):
        lo, hi = prefix_range(lower)
        queries.append(
            ("SELECT person_id FROM people WHERE initials >= ? AND initials < ? ORDER BY initials LIMIT ?", (lo, hi))
        )
    if not raw.isascii():
        lo, hi = prefix_range(raw)
        queries.append(("SELECT person_id FROM people WHERE name >= ? AND name < ? ORDER BY name LIMIT ?", (lo, hi)))
    seen: set[str] = set()
    for sql, args in queries:
        for pid in _ids(conn, sql, (*args, limit)):
            if pid not in seen:
                seen.add(pid)
                found.append(pid)
        if len(found) >= limit:
            break
    return found[:limit]


def get_person(conn: Connection, person_id: str) -> Person | None:
    row = conn.execute("SELECT data FROM people WHERE person_id = ?", (person_id,)).fetchone()
    return Person.model_validate_json(row[0]) if row else None


def get_people(conn: Connection, person_ids: list[str]) -> list[Person]:
    out: list[Person] = []
    for pid in person_ids:
        person = get_person(conn, pid)
        if person is not None:
            out.append(person)
    return out


def person_cards(conn: Connection, person_id: str) -> PersonCards | None:
    rows = conn.execute(
        "SELECT data FROM cards WHERE person_id = ? ORDER BY position", (person_id,)
    ).fetchall()
    version = subject_version(conn, person_id)
    if not rows and version == 0:
        return None
    cards = [CardState.model_validate_json(r[0]) for r in rows]
    return PersonCards(person_id=person_id, cards=cards, version=version)


def card_sources(conn: Connection, person_id: str) -> list[dict[str, Any]]:
    """Per card: ``card_id``, ``source`` ("provisional" / "center") and ``synced_at``, oldest first."""
    rows = conn.execute(
        "SELECT card_id, source, synced_at FROM cards WHERE person_id = ? ORDER BY position", (person_id,)
    ).fetchall()
    return [{"card_id": r[0], "source": r[1], "synced_at": r[2]} for r in rows]


def visits(conn: Connection, day: date | str | None = None) -> list[Visit]:
    if day is None:
        rows = conn.execute("SELECT data FROM visits ORDER BY day, visit_id").fetchall()
    else:
        rows = conn.execute("SELECT data FROM visits WHERE day = ? ORDER BY visit_id", (str(day),)).fetchall()
    return [Visit.model_validate_json(r[0]) for r in rows]


def op_outcomes(conn: Connection, open_only: bool = False) -> list[dict[str, Any]]:
    sql = "SELECT op_id, status, code, message_zh, message_en, center_state, recorded_at, resolved_by FROM op_outcomes"
    if open_only:
        sql += " WHERE resolved_by IS NULL AND status IN ('rejected', 'applied_with_conflict')"
    rows = conn.execute(sql + " ORDER BY recorded_at, op_id").fetchall()
    keys = ("op_id", "status", "code", "message_zh", "message_en", "center_state", "recorded_at", "resolved_by")
    out = []
    for row in rows:
        item = dict(zip(keys, row, strict=True))
        if item["center_state"] is not None:
            item["center_state"] = json.loads(item["center_state"])
        out.append(item)
    return out


def put_attachment(conn: Connection, data: bytes, mime: str, now: str) -> str:
    """Store a blob inside the vault (caller's transaction); returns its new reference."""
    ref = str(uuid.uuid4())
    conn.execute(
        "INSERT INTO attachments(ref, mime, sha256, created_at, data) VALUES (?,?,?,?,?)",
        (ref, mime, hashlib.sha256(data).hexdigest(), now, bytes(data)),
    )
    return ref


def get_attachment(conn: Connection, ref: str) -> bytes | None:
    row = conn.execute("SELECT data FROM attachments WHERE ref = ?", (ref,)).fetchone()
    return None if row is None else bytes(row[0])
