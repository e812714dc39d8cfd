"""Merging a duplicate person into the one the center holds (Art. 3 one person, one card; Art. 5 unique number).

Two laptops may register the same person offline, each under its own random id. The center keeps the first
and refuses the second registration (``duplicate_person``) naming the registered person, whom it puts on
this worker's plan so that the next pull brings them here. The worker then merges: the duplicate's later
operations are re-made, in their order, on the registered person as new operations of this device, each
decided again by the same rules on what this laptop now holds of that person (a second card application is
refused, never a second card); the duplicate's open issues are closed with ``conflict.resolve`` choice
``merge``, which retires the local duplicate (storage.projections). Re-made operations carry
``merged_from`` (the duplicate's op id), so a merge interrupted half way is finished by merging again,
without making anything twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from pydantic import ValidationError

from outreach.domain.decision import RuleContext
from outreach.domain.events import parse_event
from outreach.domain.lifecycle import decide
from outreach.domain.models import Person, PersonCards
from outreach.domain.operation import Operation
from outreach.services._access import obj, string
from outreach.services.clock import CALENDAR
from outreach.services.errors import ServiceError
from outreach.services.ports import JSONObject, VaultPort
from outreach.services.views import Bilingual, OpIssue

DUPLICATE_PERSON = "duplicate_person"
MERGED_FROM = "merged_from"
#: Operations of the duplicate that are not re-made: its registration (the registered person replaces it) and
#: the closing of its issues.
_NOT_REMADE = frozenset({"person.register", "conflict.resolve"})


@dataclass(frozen=True)
class Merged:
    """What a merge did: the registered person, the operations re-made on them, the ones the rules refused
    (each with the rule's words: e.g. a second card application), and the duplicate's issues closed."""

    into: str
    remade: list[str] = field(default_factory=list)
    refused: list[tuple[str, Bilingual]] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)


def merge(vault: VaultPort, issue: OpIssue, today: date, note: str = "") -> Merged:
    """Merge the duplicate of ``issue`` (its refused ``person.register``, or any other open issue of the
    duplicate: ``OpIssue.duplicate_of``) into the registered person.

    Raises:
        ServiceError ``resolve.merge_not_duplicate``: the issue is no duplicate registration.
        ServiceError ``resolve.merge_not_here``: this laptop does not hold the registered person (sync first; a person
            outside the worker's area is assigned by a supervisor).
        ServiceError ``resolve.merge_pending``: operations of the duplicate still wait to be sent (sync first).
    """
    into = issue.duplicate_of
    dup = issue.subject
    register = _refused_registration(vault, dup)
    if into is None or register is None or not dup or into == dup:
        raise ServiceError("resolve.merge_not_duplicate")
    if vault.get_person(into) is None:
        raise ServiceError("resolve.merge_not_here")
    if any(op.subject == dup for op in vault.pending_operations(limit=100_000)):
        raise ServiceError("resolve.merge_pending")
    ops = list(vault.operations(subject=dup))
    done = {string(op.payload.get(MERGED_FROM)): op.op_id for op in vault.operations(subject=into)
            if op.payload.get(MERGED_FROM)}
    result = Merged(into=into)
    previous: JSONObject = {}  # the duplicate's person data as its last operation left it
    for op in ops:
        person = obj(op.payload.get("person"))
        if op.kind.startswith("person.") and person is not None:
            changed = {k: v for k, v in person.items() if k != "person_id" and previous.get(k) != v}
            previous = person
            if op.kind == "person.register":
                continue
        else:
            changed = {}
        if op.kind in _NOT_REMADE:
            continue
        if op.op_id in done:  # re-made by an earlier, interrupted merge
            result.remade.append(done[op.op_id])
            continue
        made = _remake(vault, op, into, changed, done, today)
        if isinstance(made, Bilingual):
            result.refused.append((op.kind, made))
        elif made is not None:
            done[op.op_id] = made.op_id
            result.remade.append(made.op_id)
    _close(vault, dup, into, register, result, note)
    return result


def _refused_registration(vault: VaultPort, dup: str) -> str | None:
    """The op id of the duplicate's registration while the center's ``duplicate_person`` refusal is open."""
    refused = {string(o.get("op_id")) for o in vault.op_outcomes(open_only=True)
               if o.get("code") == DUPLICATE_PERSON}
    return next((op.op_id for op in vault.operations(subject=dup)
                 if op.kind == "person.register" and op.op_id in refused), None)


def _remake(vault: VaultPort, op: Operation, into: str, changed: JSONObject, done: dict[str, str],
            today: date) -> Operation | Bilingual | None:
    """The duplicate's operation made again on ``into`` (None when there is nothing to make: an update that
    changed nothing); the rules' refusal when they refuse it now."""
    tag = {MERGED_FROM: op.op_id}
    if op.kind == "person.update":
        if not changed:
            return None
        current = vault.get_person(into)
        if current is None:
            return None
        try:
            updated = Person.model_validate({**current.model_dump(mode="json"), **changed, "person_id": into})
        except ValidationError:
            return Bilingual("资料无法合并到已登记的人员", "the data cannot be merged into the registered person")
        return vault.append("person.update", into, {"person": updated.model_dump(mode="json"), **tag})
    if op.kind.startswith("card."):
        try:
            event = parse_event(obj(op.payload.get("event")) or {})
        except ValidationError:
            return Bilingual("操作数据无效", "invalid operation content")
        state = vault.person_cards(into) or PersonCards(person_id=into, cards=[], version=0)
        decision = decide(state, event, RuleContext(today=today, calendar=CALENDAR))
        if not decision.accepted:
            why = decision.refusal
            return Bilingual(why.message_zh, why.message_en) if why is not None else Bilingual("规则不允许",
                                                                                              "not allowed")
        payload: dict[str, object] = {k: v for k, v in op.payload.items() if k not in ("event", "cards", "fee")}
        fee = decision.fee
        payload |= {"event": event.model_dump(mode="json"), "cards": decision.state.model_dump(mode="json"),
                    "fee": fee.model_dump(mode="json") if fee is not None else None, **tag}
        return vault.append(op.kind, into, payload)
    if op.kind == "visit.log":
        visit = obj(op.payload.get("visit")) or {}
        ids = visit.get("op_ids")
        mapped = [done.get(str(i), str(i)) for i in ids] if isinstance(ids, list) else []
        return vault.append("visit.log", into, {**op.payload, "visit": {**visit, "person_id": into,
                                                                        "op_ids": mapped}, **tag})
    return vault.append(op.kind, into, {**op.payload, **tag})  # e.g. audit.reveal: it happened, on this person


def _close(vault: VaultPort, dup: str, into: str, register_op: str, result: Merged, note: str) -> None:
    """Close every open issue of the duplicate (its registration last): ``conflict.resolve`` choice ``merge``
    retires the local duplicate record (storage.projections)."""
    open_ops = {string(o.get("op_id")) for o in vault.op_outcomes(open_only=True)}
    mine = [op.op_id for op in vault.operations(subject=dup) if op.op_id in open_ops and op.op_id != register_op]
    for op_id in [*mine, register_op]:
        resolve = vault.append("conflict.resolve", dup, {
            "op_id": op_id, "choice": "merge", "into": into, "note": note,
            **({"resent_op_ids": list(result.remade)} if op_id == register_op else {})})
        result.closed.append(resolve.op_id)
