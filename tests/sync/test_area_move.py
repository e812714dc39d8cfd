"""A person who moves to another county (a ``person.update`` changing their area): the new area's supervisor
then reads all of them, their cards and the visits logged before the move too, and the old area's supervisor
is sent nothing more of them (sync/center/access.py: a supervisor reads their area). SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from outreach.domain.models import Visit
from sync.center.rules import center_day
from sync.client.client import sync_once
from tests.sync.test_access import _pulled_people, _two_areas


def _sync(center: Any, vault: Any) -> Any:
    s = sync_once(vault, center.url, transport=center.transport)
    assert s.errors == []
    return s


def test_a_person_moving_county_is_read_by_the_new_areas_supervisor_only(center, make_vault, people):
    p, _, r = _two_areas(people)
    old_area, new_area = p.area_code[:4], r.area_code[:4]
    center.store.load_people([p.model_dump(mode="json")], center.clock())
    center.store.assign("w", [p.person_id], center.clock())
    w, sup_old, sup_new = make_vault("w"), make_vault("sup-old"), make_vault("sup-new")
    center.enrol(w, "worker", old_area)
    center.enrol(sup_old, "supervisor", old_area)
    center.enrol(sup_new, "supervisor", new_area)
    for v in (w, sup_old, sup_new):
        _sync(center, v)
    visit = Visit(person_id=p.person_id, worker_id="w", day=center_day(center.clock()), outcome="nobody_home")
    w.append("visit.log", p.person_id, {"visit": visit.model_dump(mode="json")})
    people.apply(w, p)
    assert _sync(center, w).applied == 2
    _sync(center, sup_old)
    assert sup_old.person_cards(p.person_id) is not None
    assert [x.visit_id for x in sup_old.visits(person_id=p.person_id)] == [visit.visit_id]
    assert sup_new.get_person(p.person_id) is None
    moved = p.model_copy(update={"area_code": r.area_code, "address": "三亚市某路 8 号"})
    w.append("person.update", p.person_id, {"person": moved.model_dump(mode="json")})
    assert _sync(center, w).applied == 1
    old_sees = _pulled_people(sup_old)
    _sync(center, sup_new)
    _sync(center, sup_old)
    assert sup_new.get_person(p.person_id).address == moved.address
    assert sup_new.person_cards(p.person_id) is not None  # the cards, made before the move
    assert sup_new.person_cards(p.person_id).cards == sup_old.person_cards(p.person_id).cards
    assert [x.visit_id for x in sup_new.visits(person_id=p.person_id)] == [visit.visit_id]  # and the visit
    assert old_sees == set()  # the old area's supervisor is sent nothing of them any more
    assert sup_old.get_person(p.person_id).address == p.address


def test_a_visit_and_a_move_in_one_push_follow_the_person(center, make_vault, people):
    p, _, r = _two_areas(people)
    center.store.load_people([p.model_dump(mode="json")], center.clock())
    center.store.assign("w", [p.person_id], center.clock())
    w, sup_new = make_vault("w"), make_vault("sup-new")
    center.enrol(w, "worker", p.area_code[:4])
    center.enrol(sup_new, "supervisor", r.area_code[:4])
    _sync(center, w)
    visit = Visit(person_id=p.person_id, worker_id="w", day=center_day(center.clock()), outcome="nobody_home")
    w.append("visit.log", p.person_id, {"visit": visit.model_dump(mode="json")})
    people.apply(w, p)
    moved = p.model_copy(update={"area_code": r.area_code})
    w.append("person.update", p.person_id, {"person": moved.model_dump(mode="json")})
    assert _sync(center, w).applied == 3
    _sync(center, sup_new)
    assert sup_new.get_person(p.person_id).area_code == r.area_code
    assert sup_new.person_cards(p.person_id).cards
    assert [x.visit_id for x in sup_new.visits(person_id=p.person_id)] == [visit.visit_id]


def test_a_worker_assigned_later_pulls_the_visits_logged_before(center, make_vault, people):
    """Assignment gives a worker the person, their cards and the visits colleagues logged before it, even when
    the worker's pull checkpoint is past them."""
    p, q, _ = _two_areas(people)
    center.store.load_people([x.model_dump(mode="json") for x in (p, q)], center.clock())
    center.store.assign("w1", [p.person_id], center.clock())
    w1, w2 = make_vault("w1"), make_vault("w2")
    center.enrol(w1, "worker", p.area_code[:4])
    center.enrol(w2, "worker", p.area_code[:4])
    _sync(center, w1)
    visit = Visit(person_id=p.person_id, worker_id="w1", day=center_day(center.clock()), outcome="nobody_home")
    w1.append("visit.log", p.person_id, {"visit": visit.model_dump(mode="json")})
    assert _sync(center, w1).applied == 1
    center.store.assign("w2", [q.person_id], center.clock())
    _sync(center, w2)  # w2 pulls Q: its checkpoint now lies past the visit
    assert w2.get_person(q.person_id) is not None
    assert w2.get_person(p.person_id) is None
    center.store.assign("w2", [p.person_id], center.clock())
    _sync(center, w2)
    assert w2.get_person(p.person_id) is not None
    assert [x.visit_id for x in w2.visits(person_id=p.person_id) if not x.planned] == [visit.visit_id]
