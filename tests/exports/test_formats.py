"""What a supervisor opens: CSV as Excel/WPS read it, XLSX through openpyxl, JSON Lines; masked by default,
formula cells escaped, the export id in every file; incremental exports; cancel leaves nothing."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest

from outreach.exports import ExportCancelled, ExportFilter, ExportRequest, run_export
from outreach.exports.labels import DEADLINE_ZH
from outreach.exports.vault_source import VaultSource
from tests.exports.conftest import TODAY, visit

ALL = ("visits", "operations", "deadlines", "reveals")


def export(vault, out_dir, **kw):
    src = VaultSource(vault, today=TODAY)
    return src, run_export(src, src.authorise(ExportRequest(today=TODAY, **kw)), out_dir)


def read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Excel and WPS need the UTF-8 BOM"
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def test_csv_is_masked_escaped_stamped_and_limited_to_the_area(sup_vault, out_dir):
    vault, data = sup_vault
    _, res = export(vault, out_dir, datasets=("visits",), formats=("csv",))
    rows = read_csv(res.folder / res.files[0]["name"])
    head, body, end = rows[0], rows[1:-1], rows[-1]
    assert head[:5] == ["走访编号", "走访日期", "工作人员", "人员编号", "姓名"]
    assert end[1] == res.export_id
    assert end[2] == "3"
    text = (res.folder / res.files[0]["name"]).read_text(encoding="utf-8-sig")
    for p in data["people"]:
        assert p["document"]["number"] not in text
        assert not p["mobile"] or p["mobile"] not in text
    assert "王小明" not in text
    assert "13812345678" not in text
    wang = next(r for r in body if r[3] == data["people"][0]["person_id"])
    assert wang[4:7] == ["王**", data["people"][0]["document"]["number"][:4] + "*" * 10
                         + data["people"][0]["document"]["number"][-4:], "138****5678"]
    assert "电话138****5678已核对" in wang
    # Sanya's visit (a colleague's, pulled) is outside the supervisor's 4601 area
    assert {r[3] for r in body} == {p["person_id"] for p in data["people"][:3]}
    notes = [r[10] for r in body]
    assert "'@SUM(A1) 下次再来" in notes


def test_xlsx_has_chinese_headers_typed_dates_frozen_header_filter_and_summary(sup_vault, out_dir):
    vault, _ = sup_vault
    _, res = export(vault, out_dir, datasets=ALL, formats=("xlsx",))
    book = openpyxl.load_workbook(res.folder / res.files[0]["name"])
    assert book.sheetnames == ["汇总 Summary", "走访记录", "卡务操作", "办理期限", "敏感信息查看"]
    summary = book["汇总 Summary"]
    assert summary["B1"].value == res.export_id
    assert book.properties.description == res.export_id
    sheet = book["走访记录"]
    assert [c.value for c in sheet[1]][:3] == ["走访编号", "走访日期", "工作人员"]
    assert isinstance(sheet["B2"].value, dt.datetime)
    assert sheet["B2"].value.date() == dt.date(2026, 11, 20)
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref.startswith("A1:")
    assert sheet.max_row == 4
    notes = [sheet.cell(row=r, column=11).value for r in range(2, 5)]
    assert "'@SUM(A1) 下次再来" in notes
    values = {c.value for row in book["卡务操作"].iter_rows(min_row=2) for c in row}
    assert {"已生效", "被拒绝", "已有有效卡"} <= values


def test_xlsx_splits_sheets_before_the_row_limit(sup_vault, out_dir):
    vault, data = sup_vault
    for i in range(5):
        v = visit(data["people"][0]["person_id"], "sup-1", f"2026-11-{i + 1:02d}")
        vault.append("visit.log", v["person_id"], {"visit": v})
    _, res = export(vault, out_dir, datasets=("visits",), formats=("xlsx",), rows_per_sheet=3)
    book = openpyxl.load_workbook(res.folder / res.files[0]["name"])
    assert book.sheetnames == ["汇总 Summary", "走访记录", "走访记录 (2)", "走访记录 (3)"]
    counts = [book[n].max_row - 1 for n in book.sheetnames[1:]]
    assert counts == [3, 3, 2]
    assert res.rows["visits"] == 8


def test_jsonl_has_head_rows_and_end(sup_vault, out_dir):
    vault, _ = sup_vault
    _, res = export(vault, out_dir, datasets=("operations",), formats=("jsonl",))
    lines = [json.loads(x) for x in (res.folder / res.files[0]["name"]).read_text(encoding="utf-8").splitlines()]
    assert lines[0]["export_head"]["export_id"] == res.export_id
    assert lines[-1] == {"export_end": {"export_id": res.export_id, "rows": 2}}
    assert sorted(r["answer"] for r in lines[1:-1]) == ["已生效", "被拒绝"]


def test_filters_by_worker_outcome_and_dates(sup_vault, out_dir):
    vault, _ = sup_vault
    _, res = export(vault, out_dir, datasets=("visits",), formats=("csv",),
                    filter=ExportFilter(worker="sup-1", date_from=dt.date(2026, 11, 21)))
    assert res.rows["visits"] == 1
    _, res = export(vault, out_dir, datasets=("visits",), formats=("csv",), filter=ExportFilter(outcome="refused"))
    assert res.rows["visits"] == 1


def test_deadlines_come_from_the_domain(sup_vault, out_dir):
    vault, _ = sup_vault
    _, res = export(vault, out_dir, datasets=("deadlines",), formats=("csv",))
    body = read_csv(res.folder / res.files[0]["name"])[1:-1]
    by_kind = {r[7]: r for r in body}
    # recall: issued 2026-06-10, more than 180 days later (Art. 12); issue: 30 working days after 2026-10-01
    assert by_kind[DEADLINE_ZH["recall"]][9:] == ["2026-12-08", "临近", "6"]
    assert by_kind[DEADLINE_ZH["issue"]][10] == "逾期"


def test_since_last_export_writes_only_what_is_new(sup_vault, out_dir):
    vault, data = sup_vault
    src, first = export(vault, out_dir, datasets=("visits", "operations"), formats=("csv",))
    src.save_checkpoint(first.checkpoint)
    late = visit(data["people"][2]["person_id"], "w-2", "2026-11-01")  # an older day, pulled only now
    vault.apply_pulled([{"type": "visit", "id": late["visit_id"], "version": 1, "data": late}], "2")
    new = visit(data["people"][0]["person_id"], "sup-1", "2026-11-30")
    vault.append("visit.log", new["person_id"], {"visit": new})
    src2 = VaultSource(vault, today=TODAY)
    req = src2.authorise(ExportRequest(datasets=("visits", "operations"), formats=("csv",), today=TODAY,
                                       since=src2.load_checkpoint()))
    second = run_export(src2, req, out_dir)
    assert second.rows == {"visits": 2, "operations": 0}
    ids = {r[0] for r in read_csv(second.folder / second.files[0]["name"])[1:-1]}
    assert ids == {late["visit_id"], new["visit_id"]}


def test_cancelled_export_leaves_no_file(sup_vault, out_dir, monkeypatch):
    vault, data = sup_vault
    for i in range(30):
        v = visit(data["people"][0]["person_id"], "sup-1", f"2026-10-{i + 1:02d}")
        vault.append("visit.log", v["person_id"], {"visit": v})
    monkeypatch.setattr("outreach.exports.engine.PROGRESS_EVERY", 10)
    seen = []
    src = VaultSource(vault, today=TODAY)
    req = src.authorise(ExportRequest(datasets=("visits",), formats=("csv", "xlsx", "jsonl"), today=TODAY))
    with pytest.raises(ExportCancelled):
        run_export(src, req, out_dir, progress=lambda d, n: seen.append(n), cancel=lambda: len(seen) >= 1)
    assert seen == [10]
    assert list(out_dir.iterdir()) == []


def test_failed_export_leaves_no_file(sup_vault, out_dir, monkeypatch):
    vault, _ = sup_vault

    def boom(self, row):
        raise OSError("disk full")

    monkeypatch.setattr("outreach.exports.writers.JsonlWriter.write", boom)
    src = VaultSource(vault, today=TODAY)
    with pytest.raises(OSError, match="disk full"):
        run_export(src, src.authorise(ExportRequest(formats=("csv", "jsonl"), today=TODAY)), out_dir)
    assert list(out_dir.iterdir()) == []
