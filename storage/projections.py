"""Projections of the log: people, cards, visits, subject versions, outbox and push outcomes.

Every function here runs inside the caller's transaction (the one that appends the operation or applies
a pull), so projections are always in step with the log. They read payload dicts (the shapes of
``docs/contracts.md``), not models, so that an old or partial payload never stops an append.
"""

from __future__ import annotations

import json
from typing import Any

from outreach.domain.models import Visit
from outreach.domain.operation import Operation
from storage.driver import Connection


def initials(name: str) -> str:
    """Pinyin initials of a name, lower case ("王小明" -> "wxm"); Latin letters are kept."""
    from pypinyin import Style, lazy_pinyin  # lazy: large dictionaries, only needed when writing

    parts = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default")
    return "".join(ch for ch in "".join(parts).lower() if ch.isascii() and ch.isalnum())


def _rev(value: str | None) -> str | None:
    return value[::-1] if value else None


def upsert_person(conn: Connection, person: dict[str, Any], *, source: str, synced_at: str | None) -> None:
    """Write one person row (search columns + the full dump)."""
    name = str(person.get("name") or "")
    document = person.get("document") or {}
    number = str(document.get("number") or "").strip().upper() or None
    mobile = str(person.get("mobile") or "").strip() or None
    conn.execute(
        "INSERT OR REPLACE INTO people (person_id, name, initials, id_number, id_rev, mobile, mobile_rev,"
        " area_code, source, synced_at, data) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (
            str(person["person_id"]),
            name,
            initials(name),
            number,
            _rev(number),
            mobile,
            _rev(mobile),
            person.get("area_code"),
            source,
            synced_at,
            json.dumps(person, ensure_ascii=False, sort_keys=True),
        ),
    )


def replace_cards(
    conn: Connection, person_id: str, cards: list[dict[str, Any]], *, source: str, synced_at: str | None
) -> None:
    """Replace all card rows of a person by ``cards`` (a PersonCards ``cards`` list, oldest first)."""
    conn.execute("DELETE FROM cards WHERE person_id = ?", (person_id,))
    for position, card in enumerate(cards):
        conn.execute(
            "INSERT OR REPLACE INTO cards (card_id, person_id, position, status, card_number, source,"
            " synced_at, data) VALUES (?,?,?,?,?,?,?,?)",
            (
                str(card["card_id"]),
                person_id,
                position,
                str(card.get("status")),
                card.get("card_number"),
                source,
                synced_at,
                json.dumps(card, ensure_ascii=False, sort_keys=True),
            ),
        )


def upsert_visit(conn: Connection, visit: dict[str, Any], *, source: str) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO visits (visit_id, person_id, day, outcome, planned, source, data)"
        " VALUES (?,?,?,?,?,?,?)",
        (
            str(visit["visit_id"]),
            str(visit["person_id"]),
            str(visit["day"]),
            visit.get("outcome"),
            1 if visit.get("planned") else 0,
            source,
            json.dumps(visit, ensure_ascii=False, sort_keys=True),
        ),
    )


def retire_person(conn: Connection, person_id: str) -> None:
    """A duplicate merged into the person the center holds (Art. 3, 5; outreach.services.merging): its record
    and provisional cards leave the projections, so the laptop shows one person; its operations stay in the
    log, and the resolving operation retires it again whenever the projections are rebuilt from the log."""
    conn.execute("DELETE FROM cards WHERE person_id = ?", (person_id,))
    conn.execute("DELETE FROM people WHERE person_id = ?", (person_id,))


def bump_version(conn: Connection, subject: str) -> None:
    conn.execute(
        "INSERT INTO subject_versions (subject, version) VALUES (?, 1)"
        " ON CONFLICT(subject) DO UPDATE SET version = version + 1",
        (subject,),
    )


def subject_version(conn: Connection, subject: str) -> int:
    row = conn.execute("SELECT version FROM subject_versions WHERE subject = ?", (subject,)).fetchone()
    return int(row[0]) if row else 0


def apply_op(conn: Connection, op: Operation) -> None:
    """Update every projection for one newly appended local operation and put it in the outbox."""
    payload = op.payload
    if op.kind.startswith("person.") and isinstance(payload.get("person"), dict):
        upsert_person(conn, payload["person"], source="local", synced_at=None)
    elif op.kind.startswith("card.") and isinstance(payload.get("cards"), dict):
        cards = payload["cards"].get("cards") or []
        replace_cards(conn, op.subject, list(cards), source="provisional", synced_at=None)
    elif op.kind == "visit.log" and isinstance(payload.get("visit"), dict):
        upsert_visit(conn, payload["visit"], source="local")
    elif op.kind == "conflict.resolve" and payload.get("op_id"):
        conn.execute(
            "UPDATE op_outcomes SET resolved_by = ? WHERE op_id = ? AND resolved_by IS NULL",
            (op.op_id, str(payload["op_id"])),
        )
        if payload.get("choice") == "merge" and payload.get("into"):
            retire_person(conn, op.subject)
    bump_version(conn, op.subject)
    conn.execute("INSERT INTO outbox (seq, op_id) VALUES (?, ?)", (op.seq, op.op_id))


PUSH_STATUSES = frozenset({"applied", "applied_with_conflict", "duplicate", "rejected"})
OPEN_STATUSES = ("rejected", "applied_with_conflict")


def record_push_result(conn: Connection, result: dict[str, Any], now: str) -> None:
    """One push answer: the op leaves the outbox; its outcome is kept (open if rejected/conflicting).

    Raises:
        ValueError: unknown status or missing op_id.
    """
    op_id = str(result.get("op_id") or "")
    status = str(result.get("status") or "")
    if not op_id or status not in PUSH_STATUSES:
        raise ValueError("bad push result")
    conn.execute("DELETE FROM outbox WHERE op_id = ?", (op_id,))
    if status not in OPEN_STATUSES:  # settled: the base it was made on is no longer needed
        conn.execute("DELETE FROM op_bases WHERE op_id = ?", (op_id,))
    center_state = result.get("center_state")
    theirs = result.get("theirs")
    conn.execute(
        "INSERT INTO op_outcomes (op_id, status, code, message_zh, message_en, center_state, recorded_at,"
        " resolved_by, base_version, center_version, theirs) VALUES (?,?,?,?,?,?,?,NULL,?,?,?)"
        " ON CONFLICT(op_id) DO UPDATE SET status = excluded.status,"
        " code = excluded.code, message_zh = excluded.message_zh, message_en = excluded.message_en,"
        " center_state = excluded.center_state, recorded_at = excluded.recorded_at,"
        " base_version = excluded.base_version, center_version = excluded.center_version,"
        " theirs = excluded.theirs",
        (
            op_id,
            status,
            result.get("code"),
            result.get("message_zh"),
            result.get("message_en"),
            None if center_state is None else json.dumps(center_state, ensure_ascii=False, sort_keys=True),
            now,
            _int_or_none(result.get("base_version")),
            _int_or_none(result.get("center_version")),
            json.dumps(list(theirs), ensure_ascii=False, sort_keys=True) if theirs else None,
        ),
    )


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)


def record_base(conn: Connection, op_id: str, kind: str, subject: str) -> None:
    """Keep what a card or person operation was made on (the subject's cards or person data, as projected
    now), so that a conflict can later be shown as base, mine and theirs. Caller's transaction."""
    if kind.startswith("card."):
        rows = conn.execute("SELECT data FROM cards WHERE person_id = ? ORDER BY position", (subject,)).fetchall()
        base: dict[str, Any] = {"cards": [json.loads(r[0]) for r in rows]}
    elif kind.startswith("person."):
        row = conn.execute("SELECT data FROM people WHERE person_id = ?", (subject,)).fetchone()
        base = {"person": json.loads(row[0]) if row else None}
    else:
        return
    conn.execute("INSERT OR REPLACE INTO op_bases (op_id, data) VALUES (?, ?)",
                 (op_id, json.dumps(base, ensure_ascii=False, sort_keys=True)))


#: The change types the center publishes about bulk activation days (sync/center/sessions.py).
SESSION_CHANGE_TYPES = ("session", "session_roster", "session_progress", "session_close", "session_lines",
                        "session_work")
#: The change type of the center's device roster (sync/center/device_roster.py), pulled by supervisors.
DEVICE_CHANGE_TYPE = "device"


def apply_change(conn: Connection, change: dict[str, Any], now: str) -> None:
    """One pulled change (center state). Versions only move forward.

    Raises:
        ValueError: unknown type or missing fields.
    """
    kind = change.get("type")
    ident = str(change.get("id") or "")
    data = change.get("data")
    if not ident or not isinstance(data, dict):
        raise ValueError("bad change")
    version = int(change.get("version") or 0)
    if kind == "person":
        upsert_person(conn, {**data, "person_id": ident}, source="center", synced_at=now)
        _raise_version(conn, ident, version)
    elif kind == "cards":
        replace_cards(conn, ident, list(data.get("cards") or []), source="center", synced_at=now)
        _raise_version(conn, ident, version)
    elif kind in ("visit_plan", "visit"):
        visit = Visit.model_validate({**data, "visit_id": ident, "planned": kind == "visit_plan"})
        row = conn.execute("SELECT source FROM visits WHERE visit_id = ?", (ident,)).fetchone()
        if row is None or row[0] == "center":  # a visit logged here is not replaced by the center's copy
            upsert_visit(conn, visit.model_dump(mode="json"), source="center")
    elif kind in SESSION_CHANGE_TYPES:
        keep_center_session(conn, str(kind), ident, version, data, now)
    elif kind == DEVICE_CHANGE_TYPE:
        keep_center_device(conn, ident, version, data, now)
    else:
        raise ValueError("unknown change type")


def keep_center_device(conn: Connection, device_id: str, version: int, data: dict[str, Any], now: str) -> None:
    """Keep the center's latest roster row of a device; an older or equal version changes nothing."""
    conn.execute(
        "INSERT INTO center_devices (device_id, version, data, synced_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT(device_id) DO UPDATE SET version = excluded.version, data = excluded.data,"
        " synced_at = excluded.synced_at WHERE excluded.version > center_devices.version",
        (device_id, version, json.dumps(data, ensure_ascii=False), now),
    )


def keep_center_session(conn: Connection, kind: str, sid: str, version: int, data: dict[str, Any], now: str) -> None:
    """Keep the center's latest record of one kind for a session; an older or equal version (a page pulled
    again) changes nothing."""
    conn.execute(
        "INSERT INTO center_sessions (type, session_id, version, data, synced_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT(type, session_id) DO UPDATE SET version = excluded.version, data = excluded.data,"
        " synced_at = excluded.synced_at WHERE excluded.version > center_sessions.version",
        (kind, sid, version, json.dumps(data, ensure_ascii=False), now),
    )


def _raise_version(conn: Connection, subject: str, version: int) -> None:
    conn.execute(
        "INSERT INTO subject_versions (subject, version) VALUES (?, ?)"
        " ON CONFLICT(subject) DO UPDATE SET version = max(version, excluded.version)",
        (subject, version),
    )
