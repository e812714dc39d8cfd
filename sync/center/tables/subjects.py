"""Subjects: a person's record and cards as the center holds them (JSON), or a session's version; each with
the version every recorded operation on it counts towards."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sync.center.sqlstore import Tx


def read_for_update(tx: Tx, subject: str) -> tuple[int, str | None, dict[str, Any] | None, dict[str, Any] | None]:
    """``(version, area_code, person, cards)``, zeros and None for an unknown subject. The row lock
    (PostgreSQL) orders a push after or before a load of the same person, which holds the log lock only."""
    rows = tx.rows("SELECT version, area_code, person, cards FROM subjects WHERE subject = ?" + tx.for_update,
                (subject,))
    if not rows:
        return 0, None, None, None
    v, area, person, cards = rows[0]
    return int(v), area, json.loads(person) if person else None, json.loads(cards) if cards else None


def save(tx: Tx, subject: str, version: int, area: str | None, person: dict[str, Any] | None,
         cards: dict[str, Any] | None) -> None:
    tx.write("INSERT INTO subjects (subject, version, area_code, person, cards) VALUES (?, ?, ?, ?, ?) "
         "ON CONFLICT (subject) DO UPDATE SET version = excluded.version, area_code = excluded.area_code, "
         "person = excluded.person, cards = excluded.cards",
         (subject, version, area, json.dumps(person) if person else None, json.dumps(cards) if cards else None))


def area_and_presence(tx: Tx, subject: str) -> tuple[str | None, bool] | None:
    """``(area_code, the center holds a person record)``, or None for an unknown subject."""
    rows = tx.rows("SELECT area_code, person IS NOT NULL FROM subjects WHERE subject = ?", (subject,))
    return (rows[0][0], bool(rows[0][1])) if rows else None


def with_cards(tx: Tx) -> list[str]:
    """Every subject the center holds cards for."""
    return [r[0] for r in tx.rows("SELECT subject FROM subjects WHERE cards IS NOT NULL")]


def people_in_area(tx: Tx, area_prefix: str) -> list[str]:
    """Person ids whose area code starts with ``area_prefix`` (compared as text, never a pattern)."""
    rows = tx.rows("SELECT subject FROM subjects WHERE person IS NOT NULL "
                "AND substr(area_code, 1, length(?)) = ? ORDER BY subject", (area_prefix, area_prefix))
    return [r[0] for r in rows]


def person_text(tx: Tx, subject: str) -> str | None:
    """The person record of ``subject`` as stored (JSON text), None when the center holds no person there."""
    rows = tx.rows("SELECT person FROM subjects WHERE subject = ?", (subject,))
    return str(rows[0][0]) if rows and rows[0][0] is not None else None


def cards(tx: Tx, subject: str) -> dict[str, Any] | None:
    rows = tx.rows("SELECT cards FROM subjects WHERE subject = ?", (subject,))
    return json.loads(rows[0][0]) if rows and rows[0][0] else None


def cards_page(tx: Tx, area_prefix: str, after: str, limit: int) -> list[tuple[Any, ...]]:
    """Up to ``limit`` subjects after ``after`` (in order) with cards, whose area starts with ``area_prefix``
    (digits: the center's exports): ``(subject, person, cards)``, JSON text."""
    return tx.rows("SELECT subject, person, cards FROM subjects WHERE cards IS NOT NULL AND area_code LIKE ? "
                   "AND subject > ? ORDER BY subject LIMIT ?", (area_prefix + "%", after, limit))
