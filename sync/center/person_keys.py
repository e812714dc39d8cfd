"""One person, one record at the center (Art. 3; Art. 5 "社会保障号码在全国范围内每人唯一").

A laptop gives every person it registers a fresh random id, and a load derives ids from the document, so the
subject id cannot tell two registrations of the same person apart. The table ``person_keys`` can: each person
subject holds the keys of :func:`outreach.domain.person_data.person_keys` (their social security number, or
document number, normalised and hashed: never the number itself), and a key belongs to one subject only
(primary key). A ``person.register`` or ``person.update`` whose keys another subject holds, or a
``card.reissue`` whose new document or social security number another subject holds, is refused
``duplicate_person`` naming that subject.

Locks: the keys an operation brings are locked (``person_key:<key>``, sorted) after the device and subject
locks and before the log lock, so two pushes of the same new number on two connections are decided one after
the other and give one person (the unique key is the safety net: a violation is retried). A load takes the
log lock only and never takes a key another subject holds.

Functions here take a transaction (:class:`sync.center.sqlstore.Tx`); they never commit.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from outreach.domain.enums import DocType
from outreach.domain.identity import normalize
from outreach.domain.models import IdentityDocument
from outreach.domain.operation import Operation
from outreach.domain.person_data import CITIZEN_NUMBER_DOCS, person_key
from sync.center import access
from sync.center.store import Device, iso
from sync.protocol import OpResult

if TYPE_CHECKING:
    import datetime as dt

    from sync.center.sqlstore import Tx

DUPLICATE_PERSON = "duplicate_person"
#: Operations whose person data (or, for a reissue, new key data) is checked against the other subjects' keys.
KEYED_KINDS = frozenset({"person.register", "person.update", "card.reissue"})

MIGRATION = (
    "CREATE TABLE person_keys (key TEXT PRIMARY KEY, subject TEXT NOT NULL)",
    "CREATE INDEX person_keys_subject ON person_keys (subject)",
)
_BACKFILL_BATCH = 2000


def keys_of(person: Any) -> frozenset[str]:
    """The keys of a person's JSON dump (by document and by social security number); none when it has no
    readable document."""
    if not isinstance(person, dict):
        return frozenset()
    ss = person.get("ss_number")
    try:
        document = IdentityDocument.model_validate(person.get("document"))
    except (ValidationError, TypeError, ValueError):
        return frozenset()
    keys = {person_key(document)}
    same = document.doc_type in CITIZEN_NUMBER_DOCS and isinstance(ss, str) and normalize(ss) == normalize(
        document.number)  # a citizen's SSN is their number: the same key (checked once: a load reads millions)
    if isinstance(ss, str) and ss.strip() and not same:
        keys.add(person_key(document, ss))
    return frozenset(keys)


def _reissue_keys(event: Any) -> frozenset[str]:
    """The keys a reissue's new key data gives (Art. 23): its new document and/or social security number."""
    if not isinstance(event, dict):
        return frozenset()
    ss = event.get("new_ss_number")
    raw = event.get("new_document")
    keys: set[str] = set()
    try:
        document = IdentityDocument.model_validate(raw) if raw is not None else None
    except (ValidationError, TypeError, ValueError):
        document = None
    if document is not None:
        keys.add(person_key(document))
    if isinstance(ss, str) and ss.strip():
        keys.add(person_key(document or IdentityDocument(doc_type=DocType.RESIDENT_ID, number=ss), ss))
    return frozenset(keys)


def keys_of_op(op: Operation) -> frozenset[str]:
    """The keys an operation of :data:`KEYED_KINDS` brings (empty for any other)."""
    if op.kind in ("person.register", "person.update"):
        return keys_of(op.payload.get("person"))
    if op.kind == "card.reissue":
        return _reissue_keys(op.payload.get("event"))
    return frozenset()


def held_elsewhere(tx: Tx, subject: str, keys: Iterable[str]) -> str | None:
    """Lock ``keys`` and return the other subject holding one of them, or None."""
    wanted = sorted(set(keys))
    if not wanted:
        return None
    for key in wanted:  # sorted: two transactions never wait for each other's keys in opposite order
        tx.lock("person_key:" + key)
    marks = ", ".join("?" * len(wanted))
    rows = tx.rows(f"SELECT subject FROM person_keys WHERE key IN ({marks}) AND subject <> ? ORDER BY subject LIMIT 1",
                (*wanted, subject))
    return str(rows[0][0]) if rows else None


def record(tx: Tx, subject: str, keys: Iterable[str]) -> None:
    """The subject's keys are now ``keys`` (its person data changed). Caller holds the keys' locks."""
    tx.write("DELETE FROM person_keys WHERE subject = ?", (subject,))
    tx.many("INSERT INTO person_keys (key, subject) VALUES (?, ?) ON CONFLICT DO NOTHING",
            [(k, subject) for k in sorted(set(keys))])


def record_loaded(tx: Tx, people: Iterable[tuple[str, str]]) -> None:
    """The keys of loaded people ``(subject, person JSON text)``; a key another subject holds stays theirs
    (a load is the provincial system's record and is never refused for it). Under the log lock."""
    rows = [(subject, keys_of(json.loads(text))) for subject, text in people]
    if not rows:
        return
    tx.many("DELETE FROM person_keys WHERE subject = ?", [(s,) for s, _ in rows])
    tx.many("INSERT INTO person_keys (key, subject) VALUES (?, ?) ON CONFLICT DO NOTHING",
            [(k, s) for s, keys in rows for k in sorted(keys)])


def backfill(tx: Tx) -> None:
    """Migration ``0007_person_keys``: the keys of every person subject the center holds. Where two subjects
    already share a key, the one with the smaller id keeps it (a person settles the other one)."""
    last = ""
    while True:
        rows = tx.rows("SELECT subject, person FROM subjects WHERE person IS NOT NULL AND subject > ? "
                    "ORDER BY subject LIMIT ?", (last, _BACKFILL_BATCH))
        if not rows:
            return
        tx.many("INSERT INTO person_keys (key, subject) VALUES (?, ?) ON CONFLICT DO NOTHING",
                [(k, str(s)) for s, text in rows for k in sorted(keys_of(json.loads(text)))])
        last = str(rows[-1][0])


def refusal(op_id: str, existing: str) -> OpResult:
    """The answer to an operation that would make a second record of a registered person."""
    return OpResult(op_id=op_id, status="rejected", code=DUPLICATE_PERSON,
                    message_zh="该证件号码（社会保障号码）已登记为另一人员，一人只能有一条记录，操作未生效；"
                               "请将本记录与已登记的人员合并",
                    message_en="this identity (social security) number is already registered for another "
                               "person; one person has one record, so nothing was changed: merge this record "
                               "with the registered person",
                    center_state={"existing_person_id": existing})


def share(tx: Tx, device: Device, op: Operation, existing: str,
          now: dt.datetime) -> tuple[int, str | None, dict[str, Any] | None, dict[str, Any] | None] | None:
    """A worker who registered, offline, someone the center holds already meets that person: the registered
    person goes on their plan, as their own registration would have, so the laptop receives them and can
    merge. Only for a ``person.register`` the worker was allowed to make, of a person whose record at the
    center is in the worker's area (any area for a worker enrolled without one). Returns the existing
    person's (version, area, person, cards) to publish when newly assigned; None otherwise."""
    if device.role != "worker" or op.kind != "person.register":
        return None
    rows = tx.rows("SELECT version, area_code, person, cards FROM subjects WHERE subject = ?" + tx.for_update,
                (existing,))
    if not rows or not rows[0][2]:
        return None
    version, area, person, cards = rows[0]
    if device.area_code is not None and not access.in_area(device.area_code, area):
        return None  # a person outside the worker's area is not revealed; a supervisor assigns them
    if tx.execute("INSERT INTO assignments (worker_id, person_id, assigned_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            (device.worker_id, existing, iso(now))) == 0:
        return None  # already on the plan: the laptop holds them
    return int(version), area, json.loads(person), json.loads(cards) if cards else None
