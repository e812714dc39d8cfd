"""Employer bulk activation days at the center (issue 13; sync/center/sessions.py and access.py): sessions kept
from the workers allowed to push them, rosters checked, the employer host bound to one employer and shown only
their own sessions masked, one activation from two laptops counted once, and the close manifests checked.
Every test runs on SQLite and PostgreSQL, over the real app and real vaults."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from outreach.domain.enums import CardStatus
from outreach.domain.masking import mask_id_number, mask_mobile
from outreach.domain.models import Visit
from outreach.domain.operation import KINDS
from outreach.domain.sessions import (
    SESSION_KINDS,
    CloseLine,
    CloseManifest,
    Employer,
    Roster,
    RosterEntry,
    SessionPlan,
    subject_of,
)
from sync.center.access import NOT_PERMITTED, SESSION_CHANGE_TYPES
from sync.center.rules import center_day
from sync.client.client import sync_once
from sync.errors import InvalidInput
from tests.sync.conftest import EMPLOYER, OTHER_EMPLOYER


def _plan(workers: tuple[str, ...], employer: str = EMPLOYER, sid: str | None = None, **kw: Any) -> SessionPlan:
    extra = {"session_id": sid} if sid else {}
    return SessionPlan(employer=Employer(name="海口某某有限公司", credit_code=employer), venue="单位会议室",
                       day=dt.date(2026, 12, 4), workers=workers, bank_branch="海南农信海口分行", **extra, **kw)


def _push_plan(vault: Any, plan: SessionPlan) -> Any:
    return vault.append("session.plan", subject_of(plan.session_id), {"session": plan.model_dump(mode="json")})


def _push_roster(vault: Any, sid: str, person_ids: list[str], revision: int = 1) -> Any:
    roster = Roster(revision=revision, entries=tuple(RosterEntry(person_id=pid, row=i + 2, department="财务部")
                                                     for i, pid in enumerate(person_ids)))
    return vault.append("session.roster", subject_of(sid), {"roster": roster.model_dump(mode="json")})


def _sync(center: Any, vault: Any) -> Any:
    s = sync_once(vault, center.url, transport=center.transport)
    assert s.errors == []
    return s


def _codes(s: Any) -> list[str | None]:
    return [c.code for c in s.issues]


def _q(store: Any, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    return store.transaction(lambda tx: tx.rows(sql, params))


def _roster_at_center(store: Any, sid: str) -> tuple[int, dict[int, set[str]]]:
    current = _q(store, "SELECT roster_revision FROM sessions WHERE session_id = ?", (sid,))
    lines: dict[int, set[str]] = {}
    for rev, pid in _q(store, "SELECT revision, person_id FROM session_roster WHERE session_id = ?", (sid,)):
        lines.setdefault(int(rev), set()).add(str(pid))
    return int(current[0][0]) if current else 0, lines


def _load(center: Any, people: Any, n: int) -> list[Any]:
    ps = [people.adult() for _ in range(n)]
    center.store.load_people([p.model_dump(mode="json") for p in ps], center.clock())
    return ps


# -- 1. sessions from workers and supervisors --------------------------------------------------------------------
def test_a_listed_worker_plans_and_revises_the_roster_and_the_center_keeps_every_revision(center, make_vault,
                                                                                          people):
    ps = _load(center, people, 3)
    w = make_vault("w1")
    center.enrol(w, "worker", "4690")  # not the employer's area (460100): being listed is what counts
    plan = _plan(("w1", "w2"))
    _push_plan(w, plan)
    _push_roster(w, plan.session_id, [p.person_id for p in ps])
    _push_roster(w, plan.session_id, [p.person_id for p in ps[:2]], revision=2)  # a corrected file
    s = _sync(center, w)
    assert (s.applied, s.issues) == (3, [])
    current, lines = _roster_at_center(center.store, plan.session_id)
    assert current == 2
    assert lines == {1: {p.person_id for p in ps}, 2: {p.person_id for p in ps[:2]}}
    kept = _q(center.store, "SELECT credit_code, plan FROM sessions WHERE session_id = ?", (plan.session_id,))
    assert kept[0][0] == EMPLOYER
    assert SessionPlan.model_validate_json(kept[0][1]) == plan
    # the plan changes (venue), the latest wins; the roster is unchanged
    _push_plan(w, plan.model_copy(update={"venue": "二楼大厅"}))
    assert _sync(center, w).applied == 1
    kept = _q(center.store, "SELECT plan FROM sessions WHERE session_id = ?", (plan.session_id,))
    assert SessionPlan.model_validate_json(kept[0][0]).venue == "二楼大厅"
    assert _roster_at_center(center.store, plan.session_id)[0] == 2
    # a listed operator pulls the session's records (shared day, issue 13 item 5); a worker not listed nothing
    pulled, _, _ = center.store.pull(center.store.device(w.device_id), 0, 1000)
    assert {c.type for c in pulled} >= {*SESSION_CHANGE_TYPES[:3], "session_lines", "session_work"}
    outsider = make_vault("w9")
    center.enrol(outsider, "worker", "4601")  # the employer's area, but not listed and not a supervisor
    pulled, _, _ = center.store.pull(center.store.device(outsider.device_id), 0, 1000)
    assert pulled == []


def test_a_roster_with_people_the_center_does_not_know_is_refused_in_both_languages(center, make_vault, people):
    ps = _load(center, people, 2)
    stranger = people.adult()  # never loaded
    w = make_vault("w1")
    center.enrol(w, "worker", "4601")
    plan = _plan(("w1",))
    _push_plan(w, plan)
    _push_roster(w, plan.session_id, [ps[0].person_id, stranger.person_id, ps[1].person_id])
    s = _sync(center, w)
    assert s.applied == 1
    (c,) = s.issues
    assert c.code == "roster_unknown_people"
    assert "第 3 行" in c.message_zh
    assert "尚无记录" in c.message_zh
    assert "rows 3" in c.message_en
    assert "not known to the center" in c.message_en
    assert stranger.person_id not in c.message_zh + c.message_en
    assert _roster_at_center(center.store, plan.session_id) == (0, {})  # nothing kept
    # a revision not newer than the center's is refused too; a good one then goes through
    _push_roster(w, plan.session_id, [p.person_id for p in ps])
    _push_roster(w, plan.session_id, [ps[0].person_id])
    s = _sync(center, w)
    assert s.applied == 1
    assert _codes(s) == ["roster_stale"]
    assert "不新于" in s.issues[0].message_zh
    assert "not newer" in s.issues[0].message_en
    assert _roster_at_center(center.store, plan.session_id) == (1, {1: {p.person_id for p in ps}})
    assert w.pending_operations() == []
    # the laptop closes its refused rosters like any refused operation, and nothing of the session changes
    for c in w.op_outcomes(open_only=True):
        w.append("conflict.resolve", subject_of(plan.session_id), {"op_id": c["op_id"], "choice": "theirs",
                                                                   "note": ""})
    s = _sync(center, w)
    assert (s.applied, s.issues) == (2, [])
    assert w.op_outcomes(open_only=True) == []
    assert center.store.status()["open_conflicts"] == []
    assert _roster_at_center(center.store, plan.session_id) == (1, {1: {p.person_id for p in ps}})


def test_who_may_push_a_session(center, make_vault, people):
    (p,) = _load(center, people, 1)
    planner = make_vault("planner")
    center.enrol(planner, "worker", "4601")  # the employer's division 460100 is in the planner's area
    plan = _plan(("w-listed",))
    _push_plan(planner, plan)
    assert _sync(center, planner).applied == 1
    outcomes = {}
    for name, role, area in (("w-listed", "worker", "4690"), ("w-area", "worker", "460100"),
                             ("w-other", "worker", "4690"), ("w-none", "worker", None),
                             ("sup-area", "supervisor", "46"), ("sup-other", "supervisor", "4403")):
        v = make_vault(name)
        center.enrol(v, role, area)
        _push_roster(v, plan.session_id, [p.person_id], revision=len(outcomes) + 1)
        s = _sync(center, v)
        outcomes[name] = "applied" if s.applied else _codes(s)[0]
    assert outcomes == {"w-listed": "applied", "w-area": "applied", "w-other": NOT_PERMITTED,
                        "w-none": NOT_PERMITTED, "sup-area": "applied", "sup-other": NOT_PERMITTED}
    # a worker not listed and outside the area cannot plan a session of that employer; listing oneself in a
    # first plan is what being listed means
    outsider = make_vault("outsider")
    center.enrol(outsider, "worker", "4690")
    _push_plan(outsider, plan.model_copy(update={"workers": ("outsider",)}))  # changes a plan it is not on
    _push_plan(outsider, _plan(("someone-else",)))
    _push_plan(outsider, _plan(("outsider",)))
    s = _sync(center, outsider)
    assert (s.applied, _codes(s)) == (1, [NOT_PERMITTED, NOT_PERMITTED])
    for c in s.issues:
        assert "场次" in c.message_zh
        assert "session" in c.message_en
        assert c.center_state is None
    # the employer of a session never changes; a roster before any plan; a session kind on a person
    _push_plan(planner, plan.model_copy(update={"employer": Employer(name="别家", credit_code=OTHER_EMPLOYER)}))
    _push_roster(planner, "no-such-session", [p.person_id])
    center.store.assign("planner", [p.person_id], center.clock())
    planner.append("session.roster", p.person_id, {"roster": {"revision": 9, "entries": []}})
    s = _sync(center, planner)
    assert _codes(s) == ["session_employer_changed", "session_unknown", "not_a_session"]
    assert all(c.message_zh and c.message_en for c in s.issues)
    kept = _q(center.store, "SELECT credit_code FROM sessions WHERE session_id = ?", (plan.session_id,))
    assert kept == [(EMPLOYER,)]


# -- 2. the employer host ---------------------------------------------------------------------------------------
def test_an_employer_host_is_bound_to_one_valid_employer(store):
    hours = dt.timedelta(hours=1)
    with pytest.raises(InvalidInput) as exc:
        store.create_enrol_code("hr", "employer_host", None, hours)
    assert "统一社会信用代码" in exc.value.text()
    assert "credit code" in exc.value.text()
    with pytest.raises(InvalidInput) as exc:
        store.create_enrol_code("hr", "employer_host", None, hours, employer=EMPLOYER[:-1] + "0")
    assert "校验位" in exc.value.text()
    with pytest.raises(InvalidInput):
        store.create_enrol_code("w", "worker", None, hours, employer=EMPLOYER)
    code = store.create_enrol_code("hr", "employer_host", None, hours, employer=EMPLOYER.lower())
    device = store.enrol(code, "dev-hr", "hr", bytes(32), dt.datetime.now(dt.UTC))
    assert device.employer == EMPLOYER  # kept normalised with the device record
    assert store.device("dev-hr").employer == EMPLOYER


def _host_world(center: Any, make_vault: Any, people: Any, collect: bool = True) -> dict[str, Any]:
    """S1 of EMPLOYER with P and Q on its roster, S2 of another employer with R; the worker activates P's card
    at S1 and logs a visit on P."""
    p, q, r, other = _load(center, people, 4)
    w = make_vault("w1")
    center.enrol(w, "worker", "4601")
    center.store.assign("w1", [p.person_id], center.clock())
    s1, s2 = _plan(("w1",)), _plan(("w1",), employer=OTHER_EMPLOYER)
    for plan, ps in ((s1, [p, q]), (s2, [r])):
        _push_plan(w, plan)
        _push_roster(w, plan.session_id, [x.person_id for x in ps])
    _sync(center, w)  # the laptop prepares: P's state from the center
    kind, payload = people.card_ops(p, CardStatus.APPLIED)[0]
    w.append(kind, p.person_id, {**payload, "session_id": s1.session_id})  # an application made at S1
    visit = Visit(person_id=p.person_id, worker_id="w1", day=center_day(center.clock()), outcome="nobody_home")
    w.append("visit.log", p.person_id, {"visit": visit.model_dump(mode="json")})
    s = _sync(center, w)
    assert s.issues == [], s.issues
    # the close names someone not on S1's roster too: the host must not learn of them
    lines = (CloseLine(person_id=p.person_id, outcome="applied"),
             CloseLine(person_id=q.person_id, outcome="absent", reason="出差 13912345678"),
             CloseLine(person_id=other.person_id, outcome="exception", reason="不在名册"))
    _close(w, s1.session_id, _session_ops(w, s1.session_id), lines)
    assert _sync(center, w).issues == []
    host = make_vault("hr")
    center.enrol(host, "employer_host", employer=EMPLOYER)
    seen: list[dict[str, Any]] = []
    # what the host's laptop does with session records is the laptop side's (outreach/bulkdays): here they
    # are only collected
    if collect:
        host.apply_pulled = lambda changes, checkpoint: seen.extend(changes)
    return {"seen": seen, "p": p, "q": q, "r": r, "other": other, "w": w, "s1": s1, "s2": s2, "host": host}


def test_an_employer_host_pulls_only_their_own_sessions_masked(center, make_vault, people):
    world = _host_world(center, make_vault, people)
    p, q, s1 = world["p"], world["q"], world["s1"]
    host, seen = world["host"], world["seen"]
    assert _sync(center, host).pulled > 0  # over the real app: signed pages
    assert {c["type"] for c in seen} <= set(SESSION_CHANGE_TYPES)
    assert {c["type"] for c in seen} >= {"session", "session_roster", "session_progress"}
    assert {c["id"] for c in seen} == {s1.session_id}
    text = json.dumps(seen, ensure_ascii=False)
    for person in (p, q, world["r"], world["other"]):
        assert person.document.number not in text
        assert person.name not in text
        if person.mobile:
            assert person.mobile not in text
    for person in (world["r"], world["other"]):
        assert person.person_id not in text
    roster = next(c for c in seen if c["type"] == "session_roster")["data"]
    line = next(x for x in roster["lines"] if x["person_id"] == p.person_id)
    assert line["doc_number"] == mask_id_number(p.document.number)
    assert line["doc_number"][:4] == p.document.number[:4]
    assert "*" * 10 in line["doc_number"]
    assert line["mobile"] == mask_mobile(p.mobile)
    progress = next(c for c in seen if c["type"] == "session_progress")["data"]
    assert (progress["roster"], progress["applied"], progress["remaining"]) == (2, 1, 1)
    close = next(c for c in seen if c["type"] == "session_close")["data"]
    assert [(x["person_id"], x["outcome"]) for x in close["lines"]] == [(p.person_id, "applied"),
                                                                        (q.person_id, "absent")]
    assert close["lines"][1]["reason"] == "出差 139****5678"  # a number typed into a reason is masked too
    assert (close["not_on_roster"], close["manifest_agrees"]) == (1, True)
    assert close["counts"]["exception"] == 1
    # through the store directly, the same: nothing but the host's employer's sessions
    changes, _, _ = center.store.pull(center.store.device(host.device_id), 0, 10_000)
    assert {(c.type, c.id) for c in changes} == {(c["type"], c["id"]) for c in seen}
    # a host of another employer sees only S2; a host whose binding is gone sees nothing
    other_host = make_vault("hr2")
    center.enrol(other_host, "employer_host", employer=OTHER_EMPLOYER)
    changes, _, _ = center.store.pull(center.store.device(other_host.device_id), 0, 10_000)
    assert {c.id for c in changes} == {world["s2"].session_id}
    center.store.transaction(lambda tx: tx.execute("DELETE FROM device_employers WHERE device_id = ?", (other_host.device_id,)))
    assert center.store.pull(center.store.device(other_host.device_id), 0, 10_000)[0] == []


def test_an_employer_host_laptop_keeps_its_own_sessions_masked_and_a_later_pull_updates_them(center, make_vault,
                                                                                               people):
    """The host's own vault applies every session change type it pulls (no refusal, no lost pull) and shows
    its session: the masked roster, the progress and the close report; a later activation updates progress."""
    world = _host_world(center, make_vault, people, collect=False)
    host, p, q, s1, w = world["host"], world["p"], world["q"], world["s1"], world["w"]
    assert _sync(center, host).pulled > 0
    kept = host.center_sessions()
    assert set(kept) == {s1.session_id}
    mine = kept[s1.session_id]
    assert set(mine) == {"session", "session_roster", "session_progress", "session_close"}
    assert mine["session"]["venue"] == s1.venue
    lines = {x["person_id"]: x for x in mine["session_roster"]["lines"]}
    assert set(lines) == {p.person_id, q.person_id}
    assert lines[q.person_id]["doc_number"] == mask_id_number(q.document.number)
    assert mine["session_progress"]["applied"] == 1
    assert mine["session_progress"]["remaining"] == 1
    assert mine["session_close"]["manifest_agrees"] is True
    assert [x["outcome"] for x in mine["session_close"]["lines"]] == ["applied", "absent"]
    text = json.dumps(kept, ensure_ascii=False)
    for person in (p, q, world["r"], world["other"]):
        assert person.document.number not in text
        assert person.name not in text
    assert host.pull_checkpoint() is not None
    # Q's card is applied for later at S1: the next pull replaces the progress, a pull again changes nothing
    kind, payload = people.card_ops(q, CardStatus.APPLIED)[0]
    center.store.assign("w1", [q.person_id], center.clock())
    _sync(center, w)
    w.append(kind, q.person_id, {**payload, "session_id": s1.session_id})
    assert _sync(center, w).issues == []
    _sync(center, host)
    _sync(center, host)
    progress = host.center_sessions()[s1.session_id]["session_progress"]
    assert (progress["applied"], progress["remaining"]) == (2, 0)


def test_a_bank_refusal_at_the_table_is_linked_and_counted_as_an_exception_not_as_done(center, make_vault, people):
    """visit.log with payload session_exception (what the table loop records when the bank declines): the
    center accepts it, links it to the session, and progress counts Q as an exception and still remaining."""
    world = _host_world(center, make_vault, people)
    w, q, s1 = world["w"], world["q"], world["s1"]
    center.store.assign("w1", [q.person_id], center.clock())
    _sync(center, w)
    visit = Visit(person_id=q.person_id, worker_id="w1", day=center_day(center.clock()), outcome="come_back",
                  notes="集中激活未完成：银行拒绝")
    op = w.append("visit.log", q.person_id, {"visit": visit.model_dump(mode="json"),
                                             "session_exception": "银行拒绝：证件过期", "session_id": s1.session_id})
    s = _sync(center, w)
    assert s.issues == [], s.issues
    linked = _q(center.store, "SELECT kind, person_id, status FROM session_ops WHERE op_id = ?", (op.op_id,))
    assert linked == [("visit.log", q.person_id, "applied")]
    _sync(center, world["host"])
    progress = next(c for c in world["seen"] if c["type"] == "session_progress")["data"]
    assert (progress["exceptions"], progress["done"], progress["remaining"]) == (1, 1, 1)
    # an ordinary visit naming no session exception is not linked
    plain = w.append("visit.log", q.person_id, {"visit": visit.model_dump(mode="json"), "session_id": s1.session_id})
    _sync(center, w)
    assert _q(center.store, "SELECT 1 FROM session_ops WHERE op_id = ?", (plain.op_id,)) == []


def test_an_employer_host_pushes_only_their_own_sessions_rosters(center, make_vault, people):
    world = _host_world(center, make_vault, people)
    host, p, q, s1, s2 = world["host"], world["p"], world["q"], world["s1"], world["s2"]
    day = center_day(center.clock())
    before = _q(center.store, "SELECT subject, version, person, cards FROM subjects WHERE person IS NOT NULL "
                              "ORDER BY subject")
    refused_kinds = sorted(k for k in KINDS if k not in SESSION_KINDS and k != "conflict.resolve")
    for kind in refused_kinds:  # every person, card, visit and audit kind, on a roster person and on another
        for person in (p, world["other"]):
            payload: dict[str, Any] = {"event": {"kind": kind}, "cards": None, "fee": None, "session_id": s1.session_id}
            if kind.startswith("person."):
                payload = {"person": person.model_dump(mode="json")}
            elif kind == "visit.log":
                visit = Visit(person_id=person.person_id, worker_id="hr", day=day, outcome="nobody_home")
                payload = {"visit": visit.model_dump(mode="json")}
            host.append(kind, person.person_id, payload)
    _push_plan(host, s1.model_copy(update={"venue": "别处"}))
    host.append("session.close", subject_of(s1.session_id),
                {"close": CloseManifest(session_id=s1.session_id, roster_revision=1, closed_on=day, lines=(),
                                        operations=()).model_dump(mode="json")})
    _push_roster(host, s2.session_id, [world["r"].person_id], revision=2)  # another employer's session
    _push_roster(host, s1.session_id, [p.person_id, q.person_id, world["other"].person_id], revision=2)  # own
    s = _sync(center, host)
    assert s.applied == 1, s.issues
    assert _codes(s) == [NOT_PERMITTED] * (2 * len(refused_kinds) + 3)
    assert all(c.center_state is None and c.theirs == [] for c in s.issues)
    after = _q(center.store, "SELECT subject, version, person, cards FROM subjects WHERE person IS NOT NULL "
                             "ORDER BY subject")
    assert after == before  # no person or card touched
    assert _roster_at_center(center.store, s2.session_id)[0] == 1
    assert _roster_at_center(center.store, s1.session_id) == (
        2, {1: {p.person_id, q.person_id}, 2: {p.person_id, q.person_id, world["other"].person_id}})
    kept = _q(center.store, "SELECT plan FROM sessions WHERE session_id = ?", (s1.session_id,))
    assert SessionPlan.model_validate_json(kept[0][0]).venue == s1.venue
    # the refused card operations naming S1 are not counted as work done there
    progress = center.store.session_check(s1.session_id)["progress"]
    assert (progress["done"], progress["remaining"]) == (1, 2)  # the roster is now P, Q and the other one
    assert progress["exceptions"] == 1  # the other one: refused operations only (P's application went through)


# -- 3 and 4. two laptops at one session, the close manifests -----------------------------------------------------
def _active_card(center: Any, people: Any, person: Any) -> str:
    """A card applied for, issued and handed over at the center: ready for the bank at the session."""
    today, now = center_day(center.clock()), center.clock()
    event = people.card_ops(person, CardStatus.APPLIED)[0][1]["event"]
    card_id = event["card_id"]
    for ev in (event,
               {"kind": "card.issue", "card_id": card_id, "card_number": "H" + card_id[:8].upper(),
                "issued_on": today.isoformat(), "note": ""},
               {"kind": "card.deliver", "card_id": card_id, "method": "in_person", "agent": None,
                "document_checked": True, "electronic": False, "note": ""}):
        assert center.store.center_event(person.person_id, ev, today, now).status == "applied"
    return card_id


def _activate(vault: Any, person: Any, card_id: str, sid: str) -> Any:
    event = {"kind": "card.bank_activate", "card_id": card_id, "holder_present": True, "agent": None,
             "agent_ground": None, "holder_birth_date": None, "document_checked": True, "note": ""}
    return vault.append("card.bank_activate", person.person_id,
                        {"event": event, "cards": None, "fee": None, "session_id": sid})


def _session_ops(vault: Any, sid: str) -> tuple[tuple[str, str], ...]:
    """What a laptop lists in its close manifest: its operations of the session (closes left out)."""
    return tuple((o.op_id, o.hash) for o in vault.operations()
                 if (o.subject == subject_of(sid) and o.kind != "session.close")
                 or o.payload.get("session_id") == sid)


def _close(vault: Any, sid: str, listed: tuple[tuple[str, str], ...], lines: tuple[CloseLine, ...] = ()) -> Any:
    manifest = CloseManifest(session_id=sid, roster_revision=1, closed_on=dt.date(2026, 12, 4), lines=lines,
                             operations=listed)
    return vault.append("session.close", subject_of(sid), {"close": manifest.model_dump(mode="json")})


def test_one_activation_from_two_laptops_is_one_and_the_manifests_agree(store, make_vault, people, tmp_path):
    from sync.center.embedded import EmbeddedCenter
    from sync.client.client import enrol

    with EmbeddedCenter(store=store) as ec:
        class _C:  # the two-laptop world over real HTTP on a loopback port
            url = ec.url
            transport = None

            def __init__(self) -> None:
                self.store = store

            def clock(self) -> dt.datetime:
                return dt.datetime.now(dt.UTC)

        center = _C()
        ps = _load(center, people, 3)
        cards = {p.person_id: _active_card(center, people, p) for p in ps}
        a, b = make_vault("wa"), make_vault("wb")
        for v in (a, b):
            enrol(v, ec.url, store.create_enrol_code(v.worker_id, "worker", "4690", dt.timedelta(hours=1)))
            store.assign(v.worker_id, [p.person_id for p in ps], center.clock())
            assert sync_once(v, ec.url).errors == []  # both laptops prepare: the cards are active
        plan = _plan(("wa", "wb"))
        _push_plan(a, plan)
        _push_roster(a, plan.session_id, [p.person_id for p in ps])
        assert sync_once(a, ec.url).issues == []
        # offline at the table: A activates P0 and P1; B activates P1 (the same person, same card) and P2
        p0, p1, p2 = ps
        _activate(a, p0, cards[p0.person_id], plan.session_id)
        _activate(a, p1, cards[p1.person_id], plan.session_id)
        _activate(b, p1, cards[p1.person_id], plan.session_id)
        _activate(b, p2, cards[p2.person_id], plan.session_id)
        sa = sync_once(a, ec.url)
        sb = sync_once(b, ec.url)
        assert (sa.applied, sa.issues) == (2, [])
        assert (sb.applied, sb.duplicate, sb.issues) == (1, 1, [])  # a duplicate, no conflict shown
        assert b.op_outcomes(open_only=True) == []
        progress = store.session_check(plan.session_id)["progress"]
        assert (progress["activated"], progress["done"], progress["remaining"], progress["exceptions"]) == (3, 3, 0, 0)
        assert all(store.center_cards(p.person_id)["cards"][0]["bank_activated"] for p in ps)
        # both close with what they hold; each agrees with the center, and together they list everything
        lines = tuple(CloseLine(person_id=p.person_id, outcome="activated") for p in ps)
        _close(a, plan.session_id, _session_ops(a, plan.session_id), lines)
        _close(b, plan.session_id, _session_ops(b, plan.session_id), lines)
        assert sync_once(a, ec.url).issues == []
        assert sync_once(b, ec.url).issues == []
        report = store.session_check(plan.session_id)
        assert report["held"] == 2 + 4  # plan, roster and four card operations
        assert [c["now"]["agree"] for c in report["closes"]] == [True, True]
        assert [c["at_close"]["agree"] for c in report["closes"]] == [True, True]
        assert len(report["closes"][0]["now"]["from_other_devices"]) == 2  # B's work, not on A's laptop
        assert report["not_in_any_manifest"] == []
        assert report["agree"] is True
        codes = _q(store, "SELECT code FROM operations WHERE kind = 'session.close' ORDER BY log_index")
        assert codes == [("manifest_agrees",), ("manifest_agrees",)]


def test_a_manifest_that_does_not_match_the_center_is_told_apart(center, make_vault, people):
    ps = _load(center, people, 2)
    w = make_vault("w1")
    center.enrol(w, "worker", "4601")
    center.store.assign("w1", [p.person_id for p in ps], center.clock())
    plan = _plan(("w1",))
    _push_plan(w, plan)
    _push_roster(w, plan.session_id, [p.person_id for p in ps])
    people.apply(w, ps[0])
    _sync(center, w)
    apply_op = next(o for o in w.operations() if o.kind == "card.apply")
    # the apply was made without naming the session: the laptop lists it, the center does not hold it as the
    # session's; one listed op the center never got; one with another hash; the roster left out
    plan_op, _roster_op = _session_ops(w, plan.session_id)
    listed = ((plan_op[0], "cd" * 32), (apply_op.op_id, apply_op.hash),
              ("00000000-0000-4000-8000-000000000000", "ab" * 32))
    _close(w, plan.session_id, listed)
    s = _sync(center, w)
    assert (s.applied, s.issues) == (1, [])
    report = center.store.session_check(plan.session_id)
    now = report["closes"][0]["now"]
    assert now["agree"] is False
    assert report["agree"] is False
    assert now["missing_at_center"] == sorted([apply_op.op_id, "00000000-0000-4000-8000-000000000000"])
    assert now["hash_differs"] == [plan_op[0]]
    assert len(now["not_in_manifest"]) == 1  # the roster
    code = _q(center.store, "SELECT code, message_zh, message_en FROM operations WHERE kind = 'session.close'")
    assert code[0][0] == "manifest_differs"
    assert "中心缺少 2 项" in code[0][1]
    assert "2 missing at the center" in code[0][2]
    assert center.store.session_check("no-such-session") is None


# -- the commands -----------------------------------------------------------------------------------------------
def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    from outreach.cli.main import main

    capsys.readouterr()
    code = main(args)
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return code, out.out, out.err


def test_center_enrol_binds_an_employer_host_to_a_checked_credit_code(tmp_path, capsys):
    db = ["--db", str(tmp_path / "center.db")]
    code, out, _ = _cli(["center", "enrol", *db, "--worker", "hr", "--role", "employer_host",
                         "--employer", EMPLOYER], capsys)
    assert code == 0
    assert EMPLOYER in out
    for bad in ([], ["--employer", EMPLOYER[:-1] + "0"], ["--employer", "12345"]):
        code, _, err = _cli(["center", "enrol", *db, "--worker", "hr", "--role", "employer_host", *bad], capsys)
        assert code == 1
        assert "统一社会信用代码" in err
        assert "credit code" in err
    code, _, err = _cli(["center", "enrol", *db, "--worker", "w", "--employer", EMPLOYER], capsys)
    assert code == 1
    assert "only an employer host" in err


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_center_session_check_prints_whether_the_manifests_agree(center, make_vault, people, tmp_path, capsys):
    ps = _load(center, people, 2)
    w = make_vault("w1")
    center.enrol(w, "worker", "4601")
    plan = _plan(("w1",))
    _push_plan(w, plan)
    _push_roster(w, plan.session_id, [p.person_id for p in ps])
    _sync(center, w)
    check = ["center", "session", "check", "--db", str(tmp_path / "center.db"), plan.session_id]
    code, out, _ = _cli(check, capsys)
    assert code == 1  # no close yet
    assert "no close manifest yet" in out
    _close(w, plan.session_id, _session_ops(w, plan.session_id))
    _sync(center, w)
    code, out, _ = _cli(check, capsys)
    assert code == 0
    assert "the manifests agree with the center" in out
    assert "roster 2" in out
    _close(w, plan.session_id, _session_ops(w, plan.session_id)[:1])  # a second close that leaves the roster out
    _sync(center, w)
    code, out, _ = _cli(check, capsys)
    assert code == 1
    assert "清单未列 not listed: 1" in out
    code, out, _ = _cli([*check, "--json"], capsys)
    assert json.loads(out)["agree"] is False
    code, _, err = _cli([*check[:-1], "no-such-session"], capsys)
    assert code == 1
    assert "no such session" in err


def test_two_laptops_pushing_the_same_activation_at_once_make_one(store, make_vault, people):
    import threading

    from sync.center.embedded import EmbeddedCenter
    from sync.client.client import enrol

    with EmbeddedCenter(store=store) as ec:
        class _C:
            def __init__(self) -> None:
                self.store = store

            def clock(self) -> dt.datetime:
                return dt.datetime.now(dt.UTC)

        center = _C()
        (p,) = _load(center, people, 1)
        card_id = _active_card(center, people, p)
        laptops = [make_vault(f"w{i}") for i in range(2)]
        plan = _plan(tuple(v.worker_id for v in laptops))
        for v in laptops:
            enrol(v, ec.url, store.create_enrol_code(v.worker_id, "worker", None, dt.timedelta(hours=1)))
            store.assign(v.worker_id, [p.person_id], center.clock())
            assert sync_once(v, ec.url).errors == []
        _push_plan(laptops[0], plan)
        assert sync_once(laptops[0], ec.url).issues == []
        for v in laptops:
            _activate(v, p, card_id, plan.session_id)
        results: list[Any] = []
        threads = [threading.Thread(target=lambda v=v: results.append(sync_once(v, ec.url))) for v in laptops]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert sorted((s.applied, s.duplicate, len(s.issues)) for s in results) == [(0, 1, 0), (1, 0, 0)]
        progress = store.session_check(plan.session_id)["progress"]
        assert (progress["activated"], progress["done"]) == (1, 1)
        statuses = _q(store, "SELECT status FROM session_ops WHERE session_id = ? ORDER BY status", (plan.session_id,))
        assert statuses == [("applied",), ("duplicate",)]
