"""The visit log and the home summary (rejected/conflicting operations first)."""

from __future__ import annotations

from services.outreach_support import TODAY, count_ops

from outreach.services.views import SaveResult


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
