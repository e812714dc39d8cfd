"""Planning a day and importing its roster through the service: the preview (new / matched / refused with
row and reason), nothing written before confirming, a corrected file making a new revision keyed by person,
people already on another open session, walk-ins."""

from __future__ import annotations

from datetime import date

import pytest

from outreach.bulkdays.errors import RosterHeaderError
from outreach.services.bulkdays import BulkDayError
from tests.bulkdays.conftest import TODAY, credit_code, seed_rows, staff, write_csv, write_xlsx
from tests.support.context import count_ops


def test_plan_refuses_a_bad_credit_code_and_writes_nothing(ctx):
    before = count_ops(ctx)
    with pytest.raises(BulkDayError) as err:
        ctx.bulkdays.plan(employer="某公司", credit_code="91460100MA5T00000X", venue="会议室", day=TODAY,
                          workers=["w"], bank_branch="支行")
    assert "校验位" in err.value.zh
    assert count_ops(ctx) == before


def test_plan_accepts_a_code_starting_with_a_which_stdnum_refuses(ctx):
    plan = ctx.bulkdays.plan(employer="某村民委员会", credit_code=credit_code("N2460100MA5T0000"), venue="村委会",
                             day=TODAY, workers=["w"], bank_branch="支行")
    assert [d.plan.session_id for d in ctx.bulkdays.sessions()] == [plan.session_id]
    assert count_ops(ctx, "session.plan") == 1


def test_preview_counts_new_matched_and_refused_rows_and_writes_nothing(ctx, day, tmp_path):
    good = staff(6)
    bad_check = ["7", "错号", "居民身份证", good[0][3][:-1] + ("0" if good[0][3][-1] != "0" else "1"), "", "x"]
    duplicate = ["8", good[1][1], "居民身份证", good[1][3], "", "x"]
    other_name = seed_rows()[0][:]
    other_name[1] = "王秀兰"
    bad_mobile = good[5][:]
    bad_mobile[3], bad_mobile[4] = staff(1, start=50)[0][3], "1234"
    rows = [*good[:5], bad_check, duplicate, *seed_rows()[1:], other_name, bad_mobile]
    path = write_xlsx(tmp_path / "r.xlsx", rows)
    before = count_ops(ctx)
    preview = ctx.bulkdays.preview_roster(day.session_id, path)
    assert preview.counts == {"new": 5, "matched": 2, "refused": 4}
    refused = {r.row: r.reason_zh for r in preview.refused}
    # title row 1, header row 2: data rows start at file row 3
    assert sorted(refused) == [8, 9, 12, 13]
    assert "校验位" in refused[8]
    assert "第4行" in refused[9]
    assert "另一姓名" in refused[12]
    assert "手机号码" in refused[13]
    assert all(r.reason_en for r in preview.refused)
    assert count_ops(ctx) == before


def test_confirm_registers_new_people_once_and_a_corrected_file_makes_a_new_revision(ctx, day, tmp_path):
    rows = staff(5) + seed_rows()
    broken = rows[2][:]
    broken[3] = broken[3][:-1] + ("0" if broken[3][-1] != "0" else "1")
    first = write_csv(tmp_path / "v1.csv", [*rows[:2], broken, *rows[3:]], "gbk")
    preview = ctx.bulkdays.preview_roster(day.session_id, first)
    assert preview.counts == {"new": 4, "matched": 3, "refused": 1}
    roster = ctx.bulkdays.confirm_roster(day.session_id, preview)
    assert roster.revision == 1
    assert len(roster.entries) == 7
    assert count_ops(ctx, "person.register") == 4

    corrected = write_csv(tmp_path / "v2.csv", rows, "utf-8-sig")
    again = ctx.bulkdays.preview_roster(day.session_id, corrected)
    assert again.counts == {"new": 1, "matched": 7, "refused": 0}
    roster2 = ctx.bulkdays.confirm_roster(day.session_id, again)
    assert roster2.revision == 2
    assert len(roster2.entries) == 8 == len({e.person_id for e in roster2.entries})
    assert count_ops(ctx, "person.register") == 5  # only the corrected row's person is new
    assert ctx.bulkdays.state(day.session_id).roster == roster2


def test_confirming_the_same_preview_twice_does_not_register_twice(ctx, day, tmp_path):
    preview = ctx.bulkdays.preview_roster(day.session_id, write_csv(tmp_path / "r.csv", staff(3), "utf-8"))
    ctx.bulkdays.confirm_roster(day.session_id, preview)
    ctx.bulkdays.confirm_roster(day.session_id, preview)
    assert count_ops(ctx, "person.register") == 3
    assert len(ctx.bulkdays.state(day.session_id).roster.entries) == 3


def test_a_person_on_another_open_session_is_refused_until_it_closes(ctx, day, tmp_path):
    path = write_csv(tmp_path / "r.csv", seed_rows(), "utf-8")
    ctx.bulkdays.confirm_roster(day.session_id, ctx.bulkdays.preview_roster(day.session_id, path))
    other = ctx.bulkdays.plan(employer="海南另一公司", credit_code=credit_code("91460100MA5T0001"), venue="食堂",
                              day=date(2026, 12, 1), workers=["w"], bank_branch="支行")
    preview = ctx.bulkdays.preview_roster(other.session_id, path)
    assert preview.counts == {"new": 0, "matched": 0, "refused": 3}
    assert "海南椰风食品有限公司" in preview.refused[0].reason_zh
    ctx.bulkdays.close(day.session_id)
    assert ctx.bulkdays.preview_roster(other.session_id, path).counts["matched"] == 3


def test_a_roster_without_an_identity_column_asks_which_column_it_is(ctx, day, tmp_path):
    path = write_csv(tmp_path / "r.csv", [[r[1], r[3]] for r in staff(2)], "utf-8", headers=["姓名", "号码"])
    with pytest.raises(RosterHeaderError) as err:
        ctx.bulkdays.preview_roster(day.session_id, path)
    assert err.value.unmapped == ("号码",)
    preview = ctx.bulkdays.preview_roster(day.session_id, path, {"号码": "doc_number"})
    assert preview.counts["new"] == 2


def test_a_walk_in_is_validated_registered_and_marked(ctx, day, tmp_path):
    ctx.bulkdays.confirm_roster(day.session_id, ctx.bulkdays.preview_roster(
        day.session_id, write_csv(tmp_path / "r.csv", staff(2), "utf-8")))
    row = staff(1, start=70)[0]
    with pytest.raises(BulkDayError):
        ctx.bulkdays.add_walk_in(day.session_id, {"name": row[1], "doc_number": row[3][:-1] + "Z"})
    person_id = ctx.bulkdays.add_walk_in(day.session_id, {"name": row[1], "doc_number": row[3], "department": "门卫"})
    roster = ctx.bulkdays.state(day.session_id).roster
    assert roster.revision == 2
    assert len(roster.entries) == 3
    entry = next(e for e in roster.entries if e.person_id == person_id)
    assert entry.walk_in
    assert entry.department == "门卫"
    # the next import of HR's file keeps the walk-in
    again = ctx.bulkdays.confirm_roster(day.session_id, ctx.bulkdays.preview_roster(
        day.session_id, write_csv(tmp_path / "r2.csv", staff(2), "utf-8")))
    assert person_id in {e.person_id for e in again.entries}


def test_an_incomplete_plan_names_the_missing_fields_in_chinese(ctx):
    before = count_ops(ctx)
    with pytest.raises(BulkDayError) as err:
        ctx.bulkdays.plan(employer="某公司", credit_code=credit_code(), venue=" ", day=TODAY, workers=[],
                          bank_branch="支行")
    assert "地点" in err.value.zh
    assert "经办人员" in err.value.zh
    assert count_ops(ctx) == before
