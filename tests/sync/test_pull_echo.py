"""The pull does not echo the push: what a laptop just uploaded is not downloaded again by that laptop, unless
the center changed it otherwise; every other device still gets it."""

from __future__ import annotations

from outreach.domain.models import Visit
from sync.center.rules import center_day
from sync.client.client import sync_once


def test_own_people_and_visits_are_not_sent_back_but_reach_the_others(center, make_vault, people):
    alice, alice2 = make_vault("alice"), make_vault("alice", name="alice-tablet")
    sup = make_vault("sup")
    center.enrol(alice)
    center.enrol(alice2)
    ps = [people.adult() for _ in range(5)]
    center.enrol(sup, role="supervisor", area=ps[0].area_code[:2])
    for p in ps:
        people.register(alice, p)
    visit = Visit(person_id=ps[0].person_id, worker_id="alice", day=center_day(center.clock()),
                  outcome="nobody_home", notes="下午再来")
    alice.append("visit.log", ps[0].person_id, {"visit": visit.model_dump(mode="json")})
    first = sync_once(alice, center.url, transport=center.transport)
    assert first.errors == []
    assert first.applied == 6
    assert first.pulled == 0  # five people and a visit went up; nothing came back down
    assert all(alice.get_person(p.person_id) == p for p in ps)
    # her other device and her supervisor get all of it
    other = sync_once(alice2, center.url, transport=center.transport)
    assert other.pulled == 6
    assert all(alice2.get_person(p.person_id) == p for p in ps)
    assert [x.visit_id for x in alice2.visits() if not x.planned] == [visit.visit_id]
    assert sync_once(sup, center.url, transport=center.transport).pulled >= 6


def test_a_person_the_center_changed_afterwards_is_sent_back(center, make_vault, people):
    alice = make_vault("alice")
    center.enrol(alice)
    p = people.adult()
    people.register(alice, p)
    assert sync_once(alice, center.url, transport=center.transport).pulled == 0
    # the provincial roster corrects the record: that is not what alice sent, so she gets it
    corrected = p.model_copy(update={"occupation": "渔民"}).model_dump(mode="json")
    center.store.load_people([corrected], center.clock())
    again = sync_once(alice, center.url, transport=center.transport)
    assert again.pulled == 1
    got = alice.get_person(p.person_id)
    assert got is not None
    assert got.occupation == "渔民"
    assert sync_once(alice, center.url, transport=center.transport).pulled == 0


def test_a_conflicting_update_is_sent_back(center, make_vault, people):
    """An update the center applied with a conflict (made on an older version) is returned: the center's
    view of the person is then not simply what the laptop sent."""
    alice, bob = make_vault("alice"), make_vault("bob")
    center.enrol(alice)
    center.enrol(bob)
    p = people.adult()
    center.store.load_people([p.model_dump(mode="json")], center.clock())
    for w in ("alice", "bob"):
        center.store.assign(w, [p.person_id], center.clock())
    for v in (alice, bob):
        sync_once(v, center.url, transport=center.transport)
    for v, job in ((alice, "教师"), (bob, "医生")):
        v.append("person.update", p.person_id,
                 {"person": p.model_copy(update={"occupation": job}).model_dump(mode="json")})
    assert sync_once(alice, center.url, transport=center.transport).pulled == 0
    late = sync_once(bob, center.url, transport=center.transport)
    assert late.conflicts == 1
    assert late.pulled == 1  # bob's own update, decided with a conflict, comes back as the center holds it
