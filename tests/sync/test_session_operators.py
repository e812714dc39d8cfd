"""Operators sharing an employer bulk activation day (issue 13, item 5): two real laptops (encrypted vaults,
the real bulk-day service) and one embedded center over loopback HTTP, on SQLite and PostgreSQL.

The second operator's laptop was never assigned the staff: it learns the plan, the roster, the roster people
and their cards from the center because the plan lists its worker, records its share of the work, sees what
the colleague did (the same card again says when and by whom and records nothing), and both close manifests
list every operation of the session and agree with the center. A worker the plan does not list gets nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from outreach.domain.enums import CardStatus
from outreach.services.clock import Clock
from outreach.services.context import AppContext
from outreach.settings import Settings
from storage import Vault
from sync.center.access import NOT_PERMITTED
from sync.center.rules import center_day
from sync.client.client import enrol, sync_once
from tests.bulkdays.conftest import write_csv
from tests.support.context import PASSPHRASE
from tests.sync.conftest import EMPLOYER


def _laptop(tmp_path: Path, worker: str) -> AppContext:
    path = tmp_path / f"{worker}.db"
    Vault.create(path, PASSPHRASE, worker_id=worker).close()
    ctx = AppContext(Settings(vault_path=path, language="zh_CN", center_url=None, idle_lock_minutes=5),
                     clock=Clock(), settings_path=tmp_path / f"{worker}.json")
    ctx.session.unlock(PASSPHRASE)
    return ctx


def _active_card(store: Any, people: Any, person: Any) -> str:
    """A card applied for, issued and handed over at the center: ready for the bank at the session."""
    now = dt.datetime.now(dt.UTC)
    today = center_day(now)
    event = people.card_ops(person, CardStatus.APPLIED)[0][1]["event"]
    card_id = event["card_id"]
    for ev in (event,
               {"kind": "card.issue", "card_id": card_id, "card_number": "H" + card_id[:8].upper(),
                "issued_on": today.isoformat(), "note": ""},
               {"kind": "card.deliver", "card_id": card_id, "method": "in_person", "agent": None,
                "document_checked": True, "electronic": False, "note": ""}):
        assert store.center_event(person.person_id, ev, today, now).status == "applied"
    return card_id


def _count(ctx: AppContext) -> int:
    return sum(1 for _ in ctx.session.vault.operations())


def test_two_operators_share_a_day_and_their_close_manifests_agree_with_the_center(store, people, tmp_path):
    from sync.center.embedded import EmbeddedCenter

    with EmbeddedCenter(store=store) as ec:
        now = dt.datetime.now(dt.UTC)
        ps = [people.adult() for _ in range(5)]
        store.load_people([p.model_dump(mode="json") for p in ps], now)
        for p in ps:
            _active_card(store, people, p)
        a, b = _laptop(tmp_path, "wa"), _laptop(tmp_path, "wb")
        for ctx in (a, b):
            code = store.create_enrol_code(ctx.session.vault.worker_id, "worker", "4690", dt.timedelta(hours=1))
            enrol(ctx.session.vault, ec.url, code)
        store.assign("wa", [p.person_id for p in ps], now)  # the planner prepared; B was never assigned anyone
        assert sync_once(a.session.vault, ec.url).errors == []

        # A plans the day for both operators and imports HR's roster (a GBK CSV), then syncs
        day = a.bulkdays.plan(employer="海南椰风食品有限公司", credit_code=EMPLOYER, venue="公司三楼会议室",
                              day=center_day(now), workers=["wa", "wb"], bank_branch="海南农信海口城西支行")
        rows = [[str(i + 1), p.name, "居民身份证", p.document.number, p.mobile or "", "生产部"]
                for i, p in enumerate(ps)]
        path = write_csv(tmp_path / "roster.csv", rows, "gbk")
        preview = a.bulkdays.preview_roster(day.session_id, path)
        assert len(preview.matched) == 5
        a.bulkdays.confirm_roster(day.session_id, preview)
        assert sync_once(a.session.vault, ec.url).issues == []

        # B's laptop pulls the day: the plan, the roster, the people and their cards (active, to activate)
        assert sync_once(b.session.vault, ec.url).errors == []
        days = b.bulkdays.sessions()
        assert [d.plan.session_id for d in days] == [day.session_id]
        assert {line.person_id: line.need for line in b.bulkdays.prepare(day.session_id)} == {
            p.person_id: "activation" for p in ps}

        # B moves the day to another room: A's laptop shows the center's latest plan, not its own older one
        b.bulkdays.plan(employer=day.employer.name, credit_code=EMPLOYER, venue="二楼大厅", day=day.day,
                        workers=list(day.workers), bank_branch=day.bank_branch, session_id=day.session_id)
        assert sync_once(b.session.vault, ec.url).issues == []
        assert a.bulkdays.state(day.session_id).plan.venue == "公司三楼会议室"  # not synced yet
        assert sync_once(a.session.vault, ec.url).errors == []
        assert a.bulkdays.state(day.session_id).plan.venue == "二楼大厅"

        # offline at the table: A activates P0 and P1; B activates P1 (the same person) and P2
        p0, p1, p2, p3, p4 = ps
        for ctx, who in ((a, (p0, p1)), (b, (p1, p2))):
            for p in who:
                line = ctx.bulkdays.open_line(day.session_id, digits=p.document.number[-6:])
                assert line.person_id == p.person_id
                assert ctx.bulkdays.record(day.session_id, p.person_id, "bank_done").op_id is not None
        # ... and the bank declines P4 at B's table; P3 never comes
        assert b.bulkdays.record(day.session_id, p4.person_id, "bank_declined", "银行系统故障").op_id is not None
        sa = sync_once(a.session.vault, ec.url)
        sb = sync_once(b.session.vault, ec.url)
        assert (sa.applied, sa.issues) == (2, [])
        assert (sb.applied, sb.duplicate, sb.issues) == (2, 1, [])  # one activation, no conflict for a worker
        assert sync_once(a.session.vault, ec.url).errors == []  # A pulls B's work

        # each laptop now shows the merged day: P1 counted once, P3 still to come
        for ctx in (a, b):
            progress = ctx.bulkdays.progress(day.session_id)
            assert (progress.counts["activated"], progress.counts["absent"], progress.done) == (3, 1, 3)
            assert [(e.person_id, e.reason) for e in progress.exception_list] == [(p4.person_id, "银行系统故障")]
        # the same card on B's laptop for P0 (A's work): when and by whom, nothing recorded
        before = _count(b)
        again = b.bulkdays.record(day.session_id, p0.person_id, "bank_done")
        assert again.op_id is None
        assert again.already
        assert "wa" in again.message[0]
        assert "wa" in again.message[1]
        assert _count(b) == before
        line = b.bulkdays.open_line(day.session_id, digits=p0.document.number[-6:])
        assert line.done is not None
        assert line.done.worker_id == "wa"

        # the center counts people, not operations
        report = store.session_check(day.session_id)
        assert report["held"] == 3 + 4 + 1  # two plans, roster, four activations (one a duplicate), the refusal
        progress_c = report["progress"]
        assert (progress_c["activated"], progress_c["done"], progress_c["remaining"]) == (3, 3, 2)
        assert progress_c["exceptions"] == 1

        # both close: each manifest lists every operation the laptop knows (own and pulled), all six
        ma = a.bulkdays.close(day.session_id)
        mb = b.bulkdays.close(day.session_id)
        assert set(ma.operations) == set(mb.operations)
        assert len(ma.operations) == 8
        assert ma.counts() == mb.counts() == {"activated": 3, "handed_over": 0, "applied": 0, "absent": 1,
                                              "exception": 1}
        assert sync_once(a.session.vault, ec.url).issues == []
        assert sync_once(b.session.vault, ec.url).issues == []
        report = store.session_check(day.session_id)
        assert [c["at_close"]["agree"] for c in report["closes"]] == [True, True]
        assert [c["now"]["from_other_devices"] for c in report["closes"]] == [[], []]
        assert report["not_in_any_manifest"] == []
        assert report["agree"] is True
        # follow-ups: the people nobody served (P3 absent, P4 declined) are planned visits of the first to close
        assert sync_once(a.session.vault, ec.url).errors == []
        assert sync_once(b.session.vault, ec.url).errors == []
        follow_up_day = center_day(now) + dt.timedelta(days=1)  # (A's own visit plan of today is the assignment's)
        planned_a = [v for v in a.session.vault.visits(day=follow_up_day) if v.planned]
        notes = {v.person_id: v.notes for v in planned_a if v.worker_id == "wa"}
        assert len(planned_a) == len(notes) == 2
        assert "未到场" in notes[p3.person_id]
        assert "银行系统故障" in notes[p4.person_id]
        assert [v for v in b.session.vault.visits() if v.planned] == []
        assert report["closes"][0]["at_close"]["agree"] is True
        closed = store.transaction(lambda tx: tx.rows("SELECT data FROM changes WHERE type = 'session_close' AND id = ?",
                                            (day.session_id,)))
        assert json.loads(closed[0][0])["follow_ups"] == 0  # B's close, the later one: nobody planned twice

        # a worker the plan does not list (in the employer's own area) gets nothing and may do nothing
        c = _laptop(tmp_path, "wc")
        enrol(c.session.vault, ec.url, store.create_enrol_code("wc", "worker", "4601", dt.timedelta(hours=1)))
        assert store.pull(store.device(c.session.vault.device_id), 0, 1000)[0] == []
        assert sync_once(c.session.vault, ec.url).errors == []
        assert c.bulkdays.sessions() == []
        assert c.session.vault.get_person(p3.person_id) is None
        event = {"kind": "card.bank_activate", "card_id": a.session.vault.person_cards(p3.person_id).cards[0].card_id,
                 "holder_present": True, "agent": None, "agent_ground": None, "holder_birth_date": None,
                 "document_checked": True, "note": ""}
        c.session.vault.append("card.bank_activate", p3.person_id,
                               {"event": event, "cards": None, "fee": None, "session_id": day.session_id})
        sc = sync_once(c.session.vault, ec.url)
        assert [i.code for i in sc.issues] == [NOT_PERMITTED]
        assert store.session_check(day.session_id)["progress"]["remaining"] == 2
        for ctx in (a, b, c):
            ctx.close()


def test_the_areas_supervisor_and_a_worker_added_to_the_plan_later_pull_the_day(center, make_vault, people):
    """The supervisor of the employer's area pulls the session's records; one of another area does not. A
    worker listed only by a later plan pulls the plan, roster and roster people past their checkpoint."""
    from tests.sync.test_sessions import _load, _plan, _push_plan, _push_roster, _sync

    *ps, q = _load(center, people, 3)
    planner, late = make_vault("wa"), make_vault("wd")
    center.enrol(planner, "worker", "4690")
    center.enrol(late, "worker", "4690")
    sup_in, sup_out = make_vault("s-in"), make_vault("s-out")
    center.enrol(sup_in, "supervisor", "4601")  # the employer's division is 460100
    center.enrol(sup_out, "supervisor", "4690")
    center.store.assign("wa", [p.person_id for p in ps], center.clock())
    plan = _plan(("wa",))
    _push_plan(planner, plan)
    _push_roster(planner, plan.session_id, [p.person_id for p in ps])
    assert _sync(center, planner).issues == []
    session_types = {"session", "session_roster", "session_progress", "session_lines", "session_work"}

    def pulled(vault: Any, since: int = 0) -> tuple[list[Any], int]:
        changes, checkpoint, _ = center.store.pull(center.store.device(vault.device_id), since, 1000)
        return changes, checkpoint

    inside, _ = pulled(sup_in)
    assert {c.type for c in inside} >= session_types
    assert {c.id for c in inside if c.type == "session_lines"} == {plan.session_id}
    outside, _ = pulled(sup_out)
    assert {c.type for c in outside} & session_types == set()
    center.store.assign("wd", [q.person_id], center.clock())  # wd's own plan: its checkpoint passes the roster's
    own, checkpoint = pulled(late)
    assert {c.id for c in own} == {q.person_id, *(c.id for c in own if c.type == "visit_plan")}
    assert {c.type for c in own} & session_types == set()
    # the plan now lists wd too: wd pulls the day and its people from where its last pull stopped
    _push_plan(planner, plan.model_copy(update={"workers": ("wa", "wd")}))
    assert _sync(center, planner).issues == []
    later, _ = pulled(late, checkpoint)
    assert {c.type for c in later} >= session_types - {"session_roster"}  # the masked copy is the hosts'
    assert {c.id for c in later if c.type == "person"} == {p.person_id for p in ps}
    assert {c.id for c in later if c.type == "cards"} <= {p.person_id for p in ps}
