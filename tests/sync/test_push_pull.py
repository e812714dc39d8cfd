"""Push, pull, deduplication, conflicts and the version check, against both center stores."""

from __future__ import annotations

import pytest

from sync.center.rules import center_day
from sync.client.client import sync_once
from sync.errors import ProtocolTooOld


def test_push_applies_and_replay_after_a_month_is_duplicate(center, make_vault, people):
    v = make_vault("w1")
    center.enrol(v)
    p = people.person()
    ops = [people.register(v, p), people.apply(v, p)]
    s = sync_once(v, center.url, transport=center.transport)
    assert (s.applied, s.rejected, s.errors) == (2, 0, [])
    assert v.pending_operations() == []
    # the worker recorded this person: the center's decision comes back and replaces the provisional status
    assert [c["source"] for c in v.card_sources(p.person_id)] == ["center"]
    # a month later the same operations arrive again (a restored backup, a USB file): duplicates, nothing changes
    center.clock.advance(days=31)
    dev = center.store.device(v.device_id)
    before = center.store.status()
    results = center.store.push(dev, ops, center_day(center.clock()), center.clock())
    assert [r.status for r in results] == ["duplicate", "duplicate"]
    after = center.store.status()
    assert before["devices"] == after["devices"]
    assert after["checkpoint"]["tree_size"] == before["checkpoint"]["tree_size"]


def test_pull_returns_only_assigned_people_with_center_status(center, make_vault, people):
    a, b = make_vault("alice"), make_vault("bob")
    center.enrol(a)
    center.enrol(b)
    p1, p2 = people.person(), people.person()
    center.store.load_people([p1.model_dump(mode="json"), p2.model_dump(mode="json")], center.clock())
    center.store.assign("alice", [p1.person_id], center.clock())
    sa = sync_once(a, center.url, transport=center.transport)
    sb = sync_once(b, center.url, transport=center.transport)
    assert sa.pulled >= 2
    assert sb.pulled == 0
    assert a.get_person(p1.person_id) is not None
    assert a.get_person(p2.person_id) is None
    assert b.get_person(p1.person_id) is None
    # the supervisor's assignment arrives as a planned visit, readable before anyone has visited
    plans = [v for v in a.visits() if v.person_id == p1.person_id]
    assert [(v.planned, v.outcome) for v in plans] == [(True, None)]
    assert b.visits() == []
    # bob, not assigned to alice's person, applies: refused, and he still sees nothing of her
    people.apply(b, p1)
    sb = sync_once(b, center.url, transport=center.transport)
    assert [(c.code, c.center_state) for c in sb.issues] == [("not_permitted", None)]
    assert b.get_person(p1.person_id) is None
    # assigned too, his application is decided at the center and alice pulls the card
    center.store.assign("bob", [p1.person_id], center.clock())
    sync_once(b, center.url, transport=center.transport)
    people.apply(b, p1)
    assert sync_once(b, center.url, transport=center.transport).applied == 1
    sync_once(a, center.url, transport=center.transport)
    cards = a.person_cards(p1.person_id)
    assert cards is not None
    assert cards.cards[0].status == "applied"
    assert all(s["source"] == "center" for s in a.card_sources(p1.person_id))


def test_pull_in_pages_resumes_from_checkpoint(center, make_vault, people):
    import httpx

    a = make_vault("alice")
    center.enrol(a)
    ps = [people.person() for _ in range(7)]
    center.store.load_people([p.model_dump(mode="json") for p in ps], center.clock())
    center.store.assign("alice", [p.person_id for p in ps], center.clock())
    pulls = []

    def cut_third_page(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/pull":
            pulls.append(1)
            if len(pulls) == 3:
                raise httpx.ReadError("link dropped")
        return center.bridge.handle(request)

    s = sync_once(a, center.url, transport=httpx.MockTransport(cut_third_page), page_size=3, retries=0)
    assert s.pulled == 6  # two pages of three, each stored with its checkpoint
    assert s.errors
    s = sync_once(a, center.url, transport=center.transport, page_size=3)
    assert s.pulled == 8  # the rest: 14 = 7 people + 7 visit plans, nothing twice
    assert all(a.get_person(p.person_id) for p in ps)
    assert sync_once(a, center.url, transport=center.transport).pulled == 0


def test_conflict_applied_with_conflict_shows_theirs(center, make_vault, people):
    a, b = make_vault("alice"), make_vault("bob")
    center.enrol(a)
    center.enrol(b)
    p = people.person()
    center.store.load_people([p.model_dump(mode="json")], center.clock())
    center.store.assign("alice", [p.person_id], center.clock())
    center.store.assign("bob", [p.person_id], center.clock())
    sync_once(a, center.url, transport=center.transport)
    sync_once(b, center.url, transport=center.transport)
    # both edit the person offline
    pa = p.model_copy(update={"mobile": "13800000001"})
    pb = p.model_copy(update={"mobile": "13900000002"})
    a.append("person.update", p.person_id, {"person": pa.model_dump(mode="json")})
    b.append("person.update", p.person_id, {"person": pb.model_dump(mode="json")})
    sa = sync_once(a, center.url, transport=center.transport)
    sb = sync_once(b, center.url, transport=center.transport)
    assert sa.applied == 1
    assert sb.applied_with_conflict == 1
    (c,) = sb.issues
    assert c.status == "applied_with_conflict"
    assert c.theirs[0]["worker_id"] == "alice"
    assert c.mine["person"]["mobile"] == "13900000002"
    assert c.base_version is not None
    assert c.center_version == c.base_version + 1
    assert [o["op_id"] for o in b.op_outcomes(open_only=True)] == [c.op_id]
    # the laptop keeps both sides for the person who settles it: base, theirs (who and when)
    (kept,) = b.op_outcomes(open_only=True)
    assert kept["base"]["person"]["mobile"] == p.mobile
    assert [(t["worker_id"], t["kind"]) for t in kept["theirs"]] == [("alice", "person.update")]
    assert kept["theirs"][0]["received_at"]
    assert (kept["base_version"], kept["center_version"]) == (c.base_version, c.center_version)


def test_rejected_card_op_carries_center_state(center, make_vault, people):
    a, b = make_vault("alice"), make_vault("bob")
    center.enrol(a)
    center.enrol(b)
    p = people.person()
    people.register(a, p)
    people.apply(a, p)
    sync_once(a, center.url, transport=center.transport)
    center.store.assign("bob", [p.person_id], center.clock())  # a colleague on the same plan
    # bob, offline, never saw alice's application and applies too: one person, one card
    people.apply(b, p)
    s = sync_once(b, center.url, transport=center.transport)
    assert s.rejected == 1
    (c,) = s.issues
    assert c.status == "rejected"
    assert c.code
    assert c.message_zh
    assert c.message_en
    assert c.center_state
    assert c.center_state["cards"][0]["status"] == "applied"
    kept = b.op_outcomes(open_only=True)[0]
    assert kept["status"] == "rejected"
    assert kept["base"] == {"cards": []}  # bob saw no card when he applied
    assert kept["center_state"]["cards"][0]["status"] == "applied"


def test_old_client_gets_426_and_keeps_operations(center, make_vault, people, monkeypatch):
    v = make_vault()
    center.enrol(v)
    people.register(v, people.person())
    monkeypatch.setattr("sync.protocol.MIN_PROTOCOL_VERSION", 2)  # the center now wants v2
    with pytest.raises(ProtocolTooOld) as exc:
        sync_once(v, center.url, transport=center.transport)
    assert "更新" in exc.value.text()
    assert "update" in exc.value.text()
    assert len(v.pending_operations()) == 1


def test_center_lifts_temporary_loss_on_its_own_clock_idempotently(center, make_vault, people, store):

    v = make_vault()
    center.enrol(v)
    p = people.person()
    people.register(v, p)
    people.apply(v, p)
    sync_once(v, center.url, transport=center.transport)
    card_id = v.person_cards(p.person_id).cards[0].card_id
    today = center_day(center.clock())
    issued = store.center_event(p.person_id, {"kind": "card.issue", "card_id": card_id, "card_number": "H12345678",
                                              "issued_on": today.isoformat(), "note": ""}, today, center.clock())
    assert issued.status == "applied", issued
    deliver = {"kind": "card.deliver", "card_id": card_id, "method": "in_person", "agent": None,
               "document_checked": True, "electronic": False, "note": ""}
    st = issued.center_state
    v.append("card.deliver", p.person_id, {"event": deliver, "cards": st, "fee": None}, base_version=st["version"])
    s = sync_once(v, center.url, transport=center.transport)
    assert s.applied == 1, s.issues
    cards = v.person_cards(p.person_id)
    assert cards is not None
    ev = {"kind": "card.loss_temporary", "card_id": cards.cards[0].card_id, "period": "15d",
          "identity_verified": True, "note": ""}
    v.append("card.loss_temporary", p.person_id, {"event": ev, "cards": cards.model_dump(mode="json"), "fee": None},
             base_version=st["version"] + 1)
    s = sync_once(v, center.url, transport=center.transport)
    assert s.rejected == 0, s.issues
    center.clock.advance(days=20)
    today = center_day(center.clock())
    n1 = store.apply_due(today, center.clock())
    n2 = store.apply_due(today, center.clock())
    assert (n1, n2) == (1, 0)
    # two center processes would derive the same op ids: a second pass is a no-op; the worker pulls the result
    center.store.assign(v.worker_id, [p.person_id], center.clock())
    s = sync_once(v, center.url, transport=center.transport)
    assert v.person_cards(p.person_id).cards[0].status == "active"
    ops = [o for o in store.status()["open_conflicts"]]
    assert ops == []


def test_supervisor_pulls_own_area_and_resolving_closes_the_conflict(center, make_vault, people):
    sup, w = make_vault("sup"), make_vault("w9")
    center.enrol(sup, role="supervisor", area="4690")
    center.enrol(w)
    ps = [people.person() for _ in range(6)]
    center.store.load_people([p.model_dump(mode="json") for p in ps], center.clock())
    s = sync_once(sup, center.url, transport=center.transport)
    in_area = {p.person_id for p in ps if p.area_code.startswith("4690")}
    assert s.pulled == len(in_area)
    assert {p.person_id for p in ps if sup.get_person(p.person_id)} == in_area
    assert set(center.store.people_in_area("4690")) == in_area
    # a rejected application is open at the center until the worker's conflict.resolve arrives
    p = people.adult()
    people.register(w, p)
    people.apply(w, p)
    people.apply(w, p)
    s = sync_once(w, center.url, transport=center.transport)
    assert s.rejected == 1
    assert len(center.store.status()["open_conflicts"]) == 1
    w.append("conflict.resolve", p.person_id, {"op_id": s.issues[0].op_id, "choice": "theirs", "note": ""})
    sync_once(w, center.url, transport=center.transport)
    assert center.store.status()["open_conflicts"] == []
    assert w.op_outcomes(open_only=True) == []


def test_an_operation_of_a_center_only_kind_is_refused_without_blocking_the_queue(center, make_vault, people):
    v = make_vault("w1")
    center.enrol(v)
    p = people.adult()
    people.register(v, p)
    # a device can sign any kind, but card production is the center's to decide
    issue = v.append("card.issue", p.person_id, {"event": {"kind": "card.issue"}, "cards": None, "fee": None})
    later = people.apply(v, p)
    s = sync_once(v, center.url, transport=center.transport)
    assert (s.applied, s.rejected) == (2, 1)
    (c,) = s.issues
    assert (c.op_id, c.code) == (issue.op_id, "kind_not_allowed")
    assert later.op_id not in {o["op_id"] for o in v.op_outcomes(open_only=True)}
    assert v.pending_operations() == []


def test_a_logged_visit_reaches_colleagues_and_the_supervisor_but_not_other_areas(center, make_vault, people):
    from outreach.domain.models import Visit

    alice, bob, carol = make_vault("alice"), make_vault("bob"), make_vault("carol")
    p = people.person()
    sup = make_vault("sup")
    for v in (alice, bob, carol):
        center.enrol(v)
    center.enrol(sup, role="supervisor", area=p.area_code[:4])
    center.store.load_people([p.model_dump(mode="json")], center.clock())
    center.store.assign("alice", [p.person_id], center.clock())
    center.store.assign("bob", [p.person_id], center.clock())
    visit = Visit(person_id=p.person_id, worker_id="alice", day=center_day(center.clock()),
                  outcome="nobody_home", notes="邻居说下午回来")
    alice.append("visit.log", p.person_id, {"visit": visit.model_dump(mode="json")})
    assert sync_once(alice, center.url, transport=center.transport).applied == 1
    for v in (bob, sup, carol):
        sync_once(v, center.url, transport=center.transport)
    logged = [x for x in bob.visits() if not x.planned]
    assert [(x.visit_id, x.worker_id, x.outcome, x.notes) for x in logged] == [
        (visit.visit_id, "alice", "nobody_home", "邻居说下午回来")]
    assert [x.visit_id for x in sup.visits() if not x.planned] == [visit.visit_id]
    assert carol.visits() == []  # not her people, not her area
    # alice's own copy stays hers (logged here), however often she pulls
    sync_once(alice, center.url, transport=center.transport)
    assert [x.visit_id for x in alice.visits() if not x.planned] == [visit.visit_id]


def test_a_visit_for_someone_else_is_refused_without_blocking_the_queue(center, make_vault, people):
    from outreach.domain.models import Visit

    v = make_vault("alice")
    center.enrol(v)
    p, q = people.person(), people.person()
    people.register(v, p)
    wrong = Visit(person_id=q.person_id, worker_id="alice", day=center_day(center.clock()), outcome="done")
    v.append("visit.log", p.person_id, {"visit": wrong.model_dump(mode="json")})
    people.apply(v, p)
    s = sync_once(v, center.url, transport=center.transport)
    assert (s.applied, s.rejected) == (2, 1)
    assert [i.code for i in s.issues] == ["invalid_visit"]
