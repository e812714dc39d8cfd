"""The access model at the center (sync/center/access.py): every role against push and pull and every operation
kind, on SQLite and PostgreSQL, over the real app. Each attack of issue 9 is a test here."""

from __future__ import annotations

from typing import Any

import pytest

from outreach.domain.models import Visit
from outreach.domain.operation import KINDS
from sync.center.access import NOT_PERMITTED
from sync.center.rules import center_day
from sync.client.client import sync_once

CENTER_ONLY = {"card.issue", "card.recall", "card.lift_temporary"}


def _two_areas(people: Any) -> tuple[Any, Any, Any]:
    """P and Q in one county (4-digit area prefix), R in another."""
    p = people.adult()
    while True:
        q = people.adult()
        if q.area_code[:4] == p.area_code[:4]:
            break
        r = q
    while r.area_code[:4] == p.area_code[:4]:
        r = people.adult()
    return p, q, r


def _payload(kind: str, person: Any, worker: str, day: Any, other_op: str) -> dict[str, Any]:
    if kind.startswith("person."):
        return {"person": person.model_dump(mode="json")}
    if kind.startswith("card."):
        return {"event": {"kind": kind}, "cards": None, "fee": None}
    if kind == "visit.log":
        visit = Visit(person_id=person.person_id, worker_id=worker, day=day, outcome="nobody_home")
        return {"visit": visit.model_dump(mode="json")}
    if kind == "conflict.resolve":
        return {"op_id": other_op, "choice": "theirs", "note": ""}
    return {"field": "mobile", "screen": "person"}


def _world(center: Any, make_vault: Any, people: Any) -> dict[str, Any]:
    p, q, r = _two_areas(people)
    county, other = p.area_code[:4], r.area_code[:4]
    center.store.load_people([x.model_dump(mode="json") for x in (p, q, r)], center.clock())
    center.store.assign("owner", [p.person_id], center.clock())
    owner = make_vault("owner")
    center.enrol(owner, "worker", county)
    # an open rejection of the owner's, for the conflict.resolve of others to aim at
    owner.append("card.issue", p.person_id, {"event": {"kind": "card.issue"}, "cards": None, "fee": None})
    s = sync_once(owner, center.url, transport=center.transport)
    return {"p": p, "q": q, "r": r, "county": county, "other": other, "owner": owner,
            "owner_op": s.issues[0].op_id}


#: role, the device's area ("county", "other" or None), whether it is assigned P, the kinds it may push on P
ROLES = {
    "worker_assigned": ("worker", "county", True, set(KINDS) - {"conflict.resolve", "audit.export"}),
    "worker_same_area": ("worker", "county", False, set()),
    "worker_other_area": ("worker", "other", False, set()),
    "supervisor_area": ("supervisor", "county", False, {"visit.log", "audit.reveal"}),
    "supervisor_other_area": ("supervisor", "other", False, set()),
    "employer_host": ("employer_host", None, False, set()),
}
#: what each pulls of P, Q (P's county, unassigned) and R (another county)
SEES = {
    "worker_assigned": {"p"}, "worker_same_area": set(), "worker_other_area": set(),
    "supervisor_area": {"p", "q"}, "supervisor_other_area": {"r"}, "employer_host": set(),
}
#: whose devices each pulls (the owner's laptop is enrolled in P's county): the area's supervisor only
DEVICES = {name: ({"owner"} if name == "supervisor_area" else set()) for name in ROLES}


def _pulled_people(vault: Any) -> set[str]:
    """Record the person ids the vault is sent by pulls from now on (its own records do not count)."""
    seen: set[str] = set()
    real = vault.apply_pulled

    def apply(changes: list[dict[str, Any]], checkpoint: str) -> None:
        # the device roster (sync/center/device_roster.py) is checked on its own: see DEVICES
        seen.update(str(c["data"].get("person_id", c["id"])) for c in changes if c["type"] != "device")
        real(changes, checkpoint)

    vault.apply_pulled = apply
    return seen


def _fingerprint(center: Any, syncing: str = "") -> Any:
    """Subjects and published changes, but the roster row of the ``syncing`` device (its own last sync moves,
    sync/center/device_roster.py: that is no one's data)."""
    st = center.store
    return st.transaction(lambda tx: (
        tx.rows("SELECT subject, version, area_code, person, cards FROM subjects ORDER BY subject"),
        tx.rows("SELECT type, id, version, data FROM changes WHERE NOT (type = 'device' AND id = ?) "
                "ORDER BY type, id", (syncing,))))


@pytest.mark.parametrize("name", list(ROLES))
def test_every_role_against_push_and_pull_and_every_kind(center, make_vault, people, name):
    role, area_key, assigned, may = ROLES[name]
    w = _world(center, make_vault, people)
    p = w["p"]
    v = make_vault("dev")
    center.enrol(v, role, w[area_key] if area_key else None)
    if assigned:
        center.store.assign("dev", [p.person_id], center.clock())
    day = center_day(center.clock())
    ops = {k: v.append(k, p.person_id, _payload(k, p, "dev", day, w["owner_op"])) for k in sorted(KINDS)}
    before = _fingerprint(center, v.device_id)
    pulled = _pulled_people(v)
    s = sync_once(v, center.url, transport=center.transport)
    assert s.errors == []
    codes = {c.kind: c for c in s.issues}
    wrong = []
    for kind, _op in ops.items():
        refused = kind in codes and codes[kind].code == NOT_PERMITTED
        if refused == (kind in may):
            wrong.append(kind)
        if refused:
            c = codes[kind]
            assert (c.center_state, c.theirs, c.center_version) == (None, [], None), kind
            assert c.message_zh
            assert c.message_en
        if kind in CENTER_ONLY and kind in may:
            assert codes[kind].code == "kind_not_allowed"
    assert wrong == [], f"{name}: refused/allowed wrongly: {wrong}"
    assert v.pending_operations() == []  # refusals never block the queue
    if not may:
        assert _fingerprint(center, v.device_id) == before  # nothing of anyone was touched or published
    # pull: exactly what the role may see, and nothing because of the operations pushed above
    seen = {key for key in ("p", "q", "r") if w[key].person_id in pulled}
    assert seen == SEES[name]
    assert pulled <= {w[key].person_id for key in ("p", "q", "r")}
    assert {d["worker_id"] for d in v.center_devices()} == DEVICES[name]


def test_a_rejected_operation_does_not_fetch_a_person(center, make_vault, people):
    """Today's main: pushing any operation on a computable person id put the person in the next pull."""
    w = _world(center, make_vault, people)
    thief = make_vault("thief")
    center.enrol(thief, "worker", w["other"])
    target = w["p"]
    thief.append("card.issue", target.person_id, {"event": {"kind": "card.issue"}, "cards": None, "fee": None})
    thief.append("person.update", target.person_id, {"person": target.model_dump(mode="json")})
    pulled = _pulled_people(thief)
    s = sync_once(thief, center.url, transport=center.transport)
    assert {c.code for c in s.issues} == {NOT_PERMITTED}
    sync_once(thief, center.url, transport=center.transport)
    assert pulled == set()
    assert all(c.center_state is None for c in s.issues)


def test_a_cross_area_write_is_refused_and_the_assigned_worker_sees_it_unchanged(center, make_vault, people):
    w = _world(center, make_vault, people)
    target, owner = w["p"], w["owner"]
    intruder = make_vault("intruder")
    center.enrol(intruder, "worker", w["other"])
    forged = target.model_copy(update={"mobile": "13900000000", "address": "别处 1 号"})
    intruder.append("person.update", target.person_id, {"person": forged.model_dump(mode="json")})
    people.apply(intruder, target)
    s = sync_once(intruder, center.url, transport=center.transport)
    assert [c.code for c in s.issues] == [NOT_PERMITTED, NOT_PERMITTED]
    sync_once(owner, center.url, transport=center.transport)
    mine = owner.get_person(target.person_id)
    assert (mine.mobile, mine.address) == (target.mobile, target.address)
    assert owner.person_cards(target.person_id) is None or owner.person_cards(target.person_id).cards == []
    # the owner's own application still goes through, and the intruder is nowhere in its history
    people.apply(owner, target)
    s = sync_once(owner, center.url, transport=center.transport)
    assert s.applied + s.applied_with_conflict == 1
    assert [t["worker_id"] for c in s.issues for t in c.theirs] == []


def test_an_employer_host_cannot_rename_anyone(center, make_vault, people):
    w = _world(center, make_vault, people)
    host = make_vault("hr")
    center.enrol(host, "employer_host")
    target = w["p"]
    renamed = target.model_copy(update={"name": "改名"})
    host.append("person.update", target.person_id, {"person": renamed.model_dump(mode="json")})
    pulled = _pulled_people(host)
    s = sync_once(host, center.url, transport=center.transport)
    assert [c.code for c in s.issues] == [NOT_PERMITTED]
    assert pulled == set()
    sync_once(w["owner"], center.url, transport=center.transport)
    assert w["owner"].get_person(target.person_id).name == target.name


def test_a_refused_operation_can_be_closed_by_its_device(center, make_vault, people):
    w = _world(center, make_vault, people)
    v = make_vault("dev")
    center.enrol(v, "worker", w["county"])
    people.apply(v, w["q"])
    s = sync_once(v, center.url, transport=center.transport)
    (c,) = s.issues
    assert c.code == NOT_PERMITTED
    before = _fingerprint(center)
    v.append("conflict.resolve", w["q"].person_id, {"op_id": c.op_id, "choice": "theirs", "note": ""})
    s = sync_once(v, center.url, transport=center.transport)
    assert (s.applied, s.rejected) == (1, 0)
    assert c.op_id not in {o["op_id"] for o in center.store.status()["open_conflicts"]}
    assert _fingerprint(center) == before


def test_a_worker_registers_someone_new_and_keeps_them(center, make_vault, people):
    p, _, r = _two_areas(people)
    v = make_vault("dev")
    center.enrol(v, "worker", p.area_code[:4])
    people.register(v, p)
    people.apply(v, p)
    people.register(v, r)  # someone new, but outside the worker's area
    s = sync_once(v, center.url, transport=center.transport)
    assert (s.applied, [c.code for c in s.issues]) == (2, [NOT_PERMITTED])
    other = make_vault("dev2")
    center.enrol(other, "worker", p.area_code[:4])
    people.register(other, p)  # the same identity number registered by a colleague: theirs is refused
    assert [c.code for c in sync_once(other, center.url, transport=center.transport).issues] == [NOT_PERMITTED]
    # the registering worker pulls the center's decision on their own person
    assert v.person_cards(p.person_id).cards[0].status == "applied"
