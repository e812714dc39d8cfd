"""The visit log and the home summary (rejected/conflicting operations first)."""

from __future__ import annotations

from outreach.services.views import SaveResult
from tests.support.context import TODAY, count_ops


def test_log_a_visit_with_the_operations_done(ctx):
    pid = ctx.people.find("王秀英")[0].person_id
    saved = ctx.cards.record(pid, "card.loss_temporary", {"period": "15d", "identity_verified": True})
    ctx.visits.note_operation(pid, saved.op_id)
    result = ctx.visits.log(pid, "done", "本人, 女儿", "老人行动不便，上门办理。")
    assert isinstance(result, SaveResult)
    assert result.saved
    visit = [o for o in ctx.session.vault.operations() if o.kind == "visit.log"][-1].payload["visit"]
    assert visit["outcome"] == "done"
    assert visit["present"] == ["本人", "女儿"]
    assert visit["op_ids"] == [saved.op_id]
    assert visit["day"] == TODAY.isoformat()
    summary = ctx.home.summary()
    assert summary.visits_done == 1


def test_bad_visit_outcome_saves_nothing(ctx):
    pid = ctx.people.find("王秀英")[0].person_id
    before = count_ops(ctx)
    assert not ctx.visits.log(pid, "maybe", "", "").saved
    assert count_ops(ctx) == before


def test_home_lists_rejected_operations_with_both_sides(ctx):
    pid = ctx.people.find("王秀英")[0].person_id
    result = ctx.cards.record(pid, "card.loss_temporary", {"period": "15d", "identity_verified": True})
    summary = ctx.home.summary()
    assert summary.pending_ops == 1
    assert summary.issues == []
    assert summary.last_sync is None
    ctx.session.vault.record_push_results([{
        "op_id": result.op_id, "status": "rejected", "code": "card_not_active",
        "message_zh": "中心记录此卡已注销", "message_en": "the center has this card cancelled",
        "center_state": {"status": "cancelled"},
    }])
    summary = ctx.home.summary()
    assert summary.pending_ops == 0
    [issue] = summary.issues
    assert issue.status == "rejected"
    assert issue.person_name == "王秀英"
    assert issue.kind == "card.loss_temporary"
    assert issue.mine["event"]["kind"] == "card.loss_temporary"
    assert issue.theirs == {"status": "cancelled"}
    ctx.sync.resolve(issue, "theirs")
    assert ctx.home.summary().issues == []


def test_deadlines_come_from_the_domain(ctx):
    pid = ctx.people.find("王秀英")[0].person_id
    ctx.cards.record(pid, "card.loss_temporary", {"period": "15d", "identity_verified": True})
    kinds = {d.kind for d in ctx.home.summary().deadlines}
    assert "lift_temporary" in kinds


def test_home_shows_deadlines_across_the_vault_nearest_first(ctx):
    """Nobody is seen today (no visit, no operation): the deadlines still come from every card in the vault."""
    from tests.support.context import card_dump, set_cards

    vault = ctx.session.vault
    fu = ctx.people.find("符亚明")[0].person_id
    li = ctx.people.find("李春花")[0].person_id
    wang = ctx.people.find("王秀英")[0].person_id
    # 符亚明: a card ready since 2026-06-10: the 180 days end on 2026-12-07, recalled on 2026-12-08 (Art. 12 "超过")
    set_cards(vault, fu, [card_dump(fu, "ready", "H46010002", issued_on="2026-06-10", expires_on="2036-06-10")], 2)
    # 李春花: a ready card issued 2026-11-20 (recall 2027-05-20: far, but a card waiting to be delivered)
    set_cards(vault, li, [card_dump(li, "ready", "H46010003", issued_on="2026-11-20", expires_on="2036-11-20")], 2)
    # 王秀英: a 15-day temporary loss reported on 2026-11-25: the 15 days end 12-10, it lifts itself on 12-11
    set_cards(vault, wang, [card_dump(wang, "temp_lost", "H46010001", temp_loss_period="15d",
                                      temp_loss_since="2026-11-25")], 2)
    assert vault.pending_count() == 0
    assert vault.visits(day=TODAY) == []

    deadlines = ctx.home.summary().deadlines
    got = [(d.person_name, d.kind, d.due.isoformat(), d.article, d.days_left) for d in deadlines]
    assert got == [
        ("符亚明", "recall", "2026-12-08", "12", 11),
        ("王秀英", "lift_temporary", "2026-12-11", "17", 14),
        ("李春花", "recall", "2027-05-20", "12", 174),
    ]


def test_home_deadlines_leave_out_far_and_long_past_ones(ctx):
    from tests.support.context import card_dump, set_cards

    vault = ctx.session.vault
    wang = ctx.people.find("王秀英")[0].person_id
    fu = ctx.people.find("符亚明")[0].person_id
    # an active card expiring in 2034, a ready card whose recall passed long ago: neither is shown
    set_cards(vault, fu, [card_dump(fu, "ready", "H46010002", issued_on="2024-01-01", expires_on="2034-01-01")], 2)
    set_cards(vault, wang, [card_dump(wang, "active", "H46010001", expires_on="2026-12-20")], 2)
    got = [(d.person_name, d.kind, d.due.isoformat()) for d in ctx.home.summary().deadlines]
    assert ("王秀英", "expiry", "2026-12-20") in got
    assert all(name != "符亚明" for name, _, _ in got)


def test_home_deadlines_are_limited(ctx, monkeypatch):
    from outreach.services import home

    monkeypatch.setattr(home, "DEADLINE_LIMIT", 1)
    from tests.support.context import card_dump, set_cards

    vault = ctx.session.vault
    fu = ctx.people.find("符亚明")[0].person_id
    set_cards(vault, fu, [card_dump(fu, "ready", "H46010002", issued_on="2026-06-10", expires_on="2036-06-10")], 2)
    assert len(home.deadlines_coming_due(ctx.session, ctx.clock, limit=1)) == 1


def test_home_lists_todays_planned_visits(ctx):
    vault = ctx.session.vault
    wang = ctx.people.find("王秀英")[0].person_id
    fu = ctx.people.find("符亚明")[0].person_id
    plans = [
        {"type": "visit_plan", "id": f"plan-{i}", "version": 0,
         "data": {"visit_id": f"plan-{i}", "person_id": pid, "worker_id": "w-test", "day": day,
                  "outcome": None, "present": [], "notes": "", "op_ids": [], "planned": True}}
        for i, (pid, day) in enumerate([(wang, TODAY.isoformat()), (fu, TODAY.isoformat()), (fu, "2026-12-01")])
    ]
    vault.apply_pulled(plans, checkpoint="0")
    summary = ctx.home.summary()
    assert summary.visits_planned == 2
    got = [(p.person_name, p.place, p.card_status) for p in summary.planned]
    assert got == [("王秀英", "海南省海口市龙华区城西镇1号", "active"), ("符亚明", "海南省海口市龙华区城西镇2号", None)]
    assert [p.person_id for p in summary.planned] == [wang, fu]


def test_a_colleagues_visit_pulled_from_the_center_is_not_this_workers_day(ctx):
    wang = ctx.people.find("王秀英")[0].person_id
    assert ctx.visits.log(wang, "done", "本人", "").saved
    theirs = {"visit_id": "v-colleague", "person_id": wang, "worker_id": "w-colleague", "day": TODAY.isoformat(),
              "outcome": "nobody_home", "present": [], "notes": "", "op_ids": [], "planned": False}
    ctx.session.vault.apply_pulled([{"type": "visit", "id": "v-colleague", "version": 1, "data": theirs}], "1")
    assert {v.visit_id for v in ctx.session.vault.visits(day=TODAY)} >= {"v-colleague"}  # kept on the laptop
    summary = ctx.home.summary()
    assert (summary.visits_done, summary.visits_planned) == (1, 0)
    # the person's history shows both: what this worker did, and the colleague's visit, named as theirs
    visits = [(h.worker, h.detail_keys) for h in ctx.people.history(wang) if h.kind == "visit.log"]
    assert sorted(visits, key=str) == sorted([(None, ("outcome.done",)),
                                             ("w-colleague", ("outcome.nobody_home",))], key=str)


def test_a_malformed_pulled_visit_changes_nothing(ctx):
    import pytest

    from storage import BadInputError

    bad = {"visit_id": "v-bad", "person_id": "p", "worker_id": "w", "day": "not a day", "outcome": "done"}
    with pytest.raises(BadInputError):
        ctx.session.vault.apply_pulled([{"type": "visit", "id": "v-bad", "version": 1, "data": bad}], "9")
    assert ctx.session.vault.visits() == []
