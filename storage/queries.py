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
