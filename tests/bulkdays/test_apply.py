"""An application on the employer's behalf at the table (Art. 9-10): from the roster's data (民族 and 地址
columns) and the photo found by identity number when preparing; the same application checks as the form."""

from __future__ import annotations

from tests.bulkdays.conftest import staff, write_csv
from tests.support.context import count_ops

HEADERS = ["姓名", "证件类型", "证件号码", "手机号码", "部门", "民族", "地址"]


def _roster(ctx, day, tmp_path, ethnicity="汉族"):
    rows = [[r[1], r[2], r[3], r[4], r[5], ethnicity, "海南省海口市龙华区城西镇1号"] for r in staff(2)]
    path = write_csv(tmp_path / "r.csv", rows, "gbk", headers=HEADERS)
    ctx.bulkdays.confirm_roster(day.session_id, ctx.bulkdays.preview_roster(day.session_id, path))
    return rows


def test_an_application_uses_the_roster_data_and_the_prepared_photo(ctx, day, tmp_path):
    rows = _roster(ctx, day, tmp_path)
    photos = tmp_path / "photos"
    photos.mkdir()
    (photos / f"{rows[0][2]}.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 4000)
    lines = ctx.bulkdays.prepare(day.session_id, photos)
    first = next(x for x in lines if x.photo is not None)
    assert first.need == "application"
    result = ctx.bulkdays.record(day.session_id, first.person_id, "apply")
    assert result.op_id is not None, result.message
    op = next(o for o in ctx.session.vault.operations(subject=first.person_id) if o.kind == "card.apply")
    assert op.payload["session_id"] == day.session_id
    assert op.payload["event"]["form"]["ethnicity"] == "01"
    assert op.payload["event"]["form"]["photo_ref"]
    assert ctx.bulkdays.progress(day.session_id).counts["applied"] == 1
    again = ctx.bulkdays.record(day.session_id, first.person_id, "apply")
    assert again.already


def test_an_application_without_a_photo_is_refused_and_says_what_is_missing(ctx, day, tmp_path):
    _roster(ctx, day, tmp_path)
    person_id = ctx.bulkdays.state(day.session_id).roster.entries[1].person_id
    before = count_ops(ctx)
    result = ctx.bulkdays.record(day.session_id, person_id, "apply")
    assert result.op_id is None
    assert "照片" in result.message[0] or "相片" in result.message[0]
    assert count_ops(ctx) == before


def test_an_unknown_ethnic_group_is_refused_at_import(ctx, day, tmp_path):
    rows = [[r[1], r[2], r[3], r[4], r[5], "火星族", ""] for r in staff(1)]
    path = write_csv(tmp_path / "r.csv", rows, "utf-8", headers=HEADERS)
    preview = ctx.bulkdays.preview_roster(day.session_id, path)
    assert preview.counts["refused"] == 1
    assert "民族" in preview.refused[0].reason_zh
