"""The pairs the center still holds twice (issue 10, Art. 3 and 5): ``outreach center duplicates``.

``person_keys`` gives each key one holder, so a push can no longer make a second record of a registered person.
Two kinds of second record stay: a load never takes a key another subject holds (the provincial system's
record is not refused), so someone a laptop registered before the roster listed them is held twice; and two
records an older database held before migration ``0007`` (the smaller id kept the key). This module finds
them by recomputing every person's keys with :func:`sync.center.person_keys.keys_of`, never trusting the table
alone: the keys each scanned page brings are looked up among ``person_keys``, a key held by another subject
(or by none) is a candidate, and a candidate holder counts only when its own recomputed keys hold that key.
Memory grows with the duplicates found, not with the people held (a province is millions).

Every record is described masked as the center's exports mask (:mod:`outreach.domain.masking`): never a full
identity number, mobile or name. Read in one transaction, so a listing is one state of the center.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from outreach.domain.enums import LIVE_STATUSES
from outreach.domain.masking import mask_id_number, mask_name
from sync.center import person_keys

if TYPE_CHECKING:
    from sync.center.sqlstore import Tx

_PAGE = 1000
#: Statuses of operations that made the center's state (a refused registration made no record).
_MADE = ("applied", "applied_with_conflict")
_LIVE = frozenset(st.value for st in LIVE_STATUSES)


@dataclass(frozen=True)
class HeldRecord:
    """One person record at the center, as an operator may see it (masked)."""

    person_id: str
    name: str  #: masked: the surname and stars
    doc_type: str | None
    doc_number: str  #: masked: ``4601**********1234``
    ss_number: str  #: masked like the document number; empty when none is recorded
    area_code: str | None
    card_status: str | None  #: the live card's status, else the newest card's; None without a card
    source: str  #: "registered" (a laptop's ``person.register``) or "loaded" (the provincial roster)
    worker_id: str | None  #: who registered the person (registered only)
    device_id: str | None
    registered_at: str | None  #: when the center received the registration (ISO, UTC)


@dataclass(frozen=True)
class DuplicateGroup:
    """Person records whose keys collide: one person held more than once. ``key_holder`` is the record that
    holds the shared key in ``person_keys`` (the one a new registration is sent to), None when none does."""

    key_holder: str | None
    records: tuple[HeldRecord, ...]

    def as_json(self) -> dict[str, Any]:
        return {"key_holder": self.key_holder, "records": [asdict(r) for r in self.records]}


def find(tx: Tx) -> list[DuplicateGroup]:
    """Every group of person subjects sharing a recomputed person key, ordered by their smallest id."""
    candidates: dict[str, set[str]] = {}  # key -> subjects whose own keys hold it, where its holder differs
    holders: dict[str, str] = {}  # candidate key -> the subject person_keys names for it
    last = ""
    while True:
        rows = tx.rows("SELECT subject, person FROM subjects WHERE person IS NOT NULL AND subject > ? "
                       "ORDER BY subject LIMIT ?", (last, _PAGE))
        if not rows:
            break
        keys_by_subject = {str(s): person_keys.keys_of(json.loads(text)) for s, text in rows}
        held = _holders(tx, {k for keys in keys_by_subject.values() for k in keys})
        for subject, keys in keys_by_subject.items():
            for key in keys:
                holder = held.get(key)
                if holder != subject:
                    candidates.setdefault(key, set()).add(subject)
                    if holder is not None:
                        holders[key] = holder
        last = str(rows[-1][0])
    # A holder counts only when its own record still gives the key (never a pair made of a stale row).
    holder_keys = {s: person_keys.keys_of(json.loads(t)) for s, t in _people(tx, set(holders.values()))}
    for key, holder in holders.items():
        if key in holder_keys.get(holder, frozenset()):
            candidates[key].add(holder)
    groups = _union([members for members in candidates.values() if len(members) > 1])
    if not groups:
        return []
    records = _describe(tx, {s for g in groups for s in g})
    out = []
    for members in sorted(groups, key=min):
        shared = {k for k, m in candidates.items() if m & members and len(m) > 1}
        holder = next((holders[k] for k in sorted(shared) if holders.get(k) in members), None)
        out.append(DuplicateGroup(key_holder=holder, records=tuple(records[s] for s in sorted(members))))
    return out


def _holders(tx: Tx, keys: set[str]) -> dict[str, str]:
    wanted = sorted(keys)
    out: dict[str, str] = {}
    for i in range(0, len(wanted), _PAGE):
        part = wanted[i:i + _PAGE]
        marks = ", ".join("?" * len(part))
        out.update((str(k), str(s)) for k, s in tx.rows(
            f"SELECT key, subject FROM person_keys WHERE key IN ({marks})", tuple(part)))
    return out


def _people(tx: Tx, subjects: Iterable[str]) -> list[tuple[str, str]]:
    wanted = sorted(set(subjects))
    out: list[tuple[str, str]] = []
    for i in range(0, len(wanted), _PAGE):
        part = wanted[i:i + _PAGE]
        marks = ", ".join("?" * len(part))
        out += [(str(s), str(t)) for s, t in tx.rows(
            f"SELECT subject, person FROM subjects WHERE person IS NOT NULL AND subject IN ({marks})", tuple(part))]
    return out


def _union(sets: list[set[str]]) -> list[frozenset[str]]:
    """Merge sets sharing a member (three records of one person are one group, not three pairs)."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for members in sets:
        first, *rest = sorted(members)
        for other in rest:
            a, b = root(first), root(other)
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups: dict[str, set[str]] = {}
    for x in parent:
        groups.setdefault(root(x), set()).add(x)
    return [frozenset(g) for g in groups.values()]


def _describe(tx: Tx, subjects: set[str]) -> dict[str, HeldRecord]:
    wanted = sorted(subjects)
    out: dict[str, HeldRecord] = {}
    for i in range(0, len(wanted), _PAGE):
        part = wanted[i:i + _PAGE]
        marks = ", ".join("?" * len(part))
        regs: dict[str, tuple[str, str, str]] = {}
        for s, worker, device, at in tx.rows(
                f"SELECT subject, worker_id, device_id, received_at FROM operations WHERE kind = 'person.register' "
                f"AND status IN (?, ?) AND subject IN ({marks}) ORDER BY received_at DESC", (*_MADE, *part)):
            regs[str(s)] = (str(worker), str(device), str(at))  # the earliest registration wins (read last)
        for s, area, person, cards in tx.rows(
                f"SELECT subject, area_code, person, cards FROM subjects WHERE subject IN ({marks})", tuple(part)):
            data = json.loads(person)
            doc = data.get("document") if isinstance(data.get("document"), dict) else {}
            reg = regs.get(str(s))
            out[str(s)] = HeldRecord(
                person_id=str(s), name=mask_name(data.get("name")), doc_type=doc.get("doc_type"),
                doc_number=mask_id_number(doc.get("number")), ss_number=mask_id_number(data.get("ss_number")),
                area_code=area, card_status=_card_status(json.loads(cards) if cards else None),
                source="registered" if reg else "loaded", worker_id=reg[0] if reg else None,
                device_id=reg[1] if reg else None, registered_at=reg[2] if reg else None)
    return out


def _card_status(cards: Any) -> str | None:
    """The live card's status (one person has at most one), else the newest card's."""
    listed = cards.get("cards") if isinstance(cards, dict) else None
    if not isinstance(listed, list) or not listed:
        return None
    statuses = [str(c.get("status")) for c in listed if isinstance(c, dict)]
    live = [s for s in statuses if s in _LIVE]
    return (live or statuses)[-1] if statuses else None

