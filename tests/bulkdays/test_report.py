"""The close report for the employer: PDF in Chinese (counts, absentee list, masked numbers, the CJK font
embedded) and XLSX from the same data; roster values that start with = + - @ are never formulas."""

from __future__ import annotations

import shutil
import subprocess

import openpyxl
import pytest

from outreach.bulkdays.report import write_pdf, write_xlsx
from tests.bulkdays.conftest import WANG, staff


@pytest.fixture
def closed(ctx, table):
    svc = ctx.bulkdays
    injected = staff(1, start=60)[0]
    injected[5] = "=HYPERLINK(\"http://x\",\"点我\")"
    svc.add_walk_in(table, {"name": injected[1], "doc_number": injected[3], "department": injected[5]})
    svc.record(table, WANG, "bank_done")
    pid = next(e.person_id for e in svc.state(table).roster.entries if e.department.startswith("="))
    svc.record(table, pid, "bank_declined", "@SUM(1+1) 未带原件")
    svc.close(table)
    return svc.report(table)


def test_the_report_data_balances_and_is_masked(ctx, closed):
    assert closed.closed
    assert closed.balanced
    assert closed.counts["activated"] == 1
    assert closed.counts["exception"] == 1
    assert closed.counts["absent"] == closed.roster_size - 2
    numbers = {p.document.number for p in (ctx.session.vault.get_person(WANG),)}
    for line in closed.lines:
        assert "*" in line.masked_id
        assert line.masked_id not in numbers
        assert "*" in line.name


def test_xlsx_has_the_counts_and_no_formula(closed, tmp_path):
    path = write_xlsx(closed, tmp_path / "report.xlsx")
    book = openpyxl.load_workbook(path)
    summary = {row[0]: row[1] for row in book["汇总"].iter_rows(values_only=True) if row[0]}
    assert summary["名单人数"] == closed.roster_size
    assert summary["已激活"] == 1
    assert summary["未到场"] == closed.counts["absent"]
    detail = list(book["名单明细"].iter_rows(values_only=True))
    assert len(detail) == closed.roster_size + 1
    cells = [c for row in detail for c in row if isinstance(c, str)]
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    assert any(c.startswith("'=HYPERLINK") for c in cells)
    assert any(c.startswith("'@SUM") for c in cells)
    for row in book["名单明细"].iter_rows():
        for cell in row:
            assert cell.data_type != "f"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (bootstrap SYS_PKGS) missing")
def test_pdf_gives_the_chinese_back_with_masked_absentees(ctx, closed, tmp_path):
    pdf = write_pdf(closed, tmp_path / "report.pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for words in ("社会保障卡集中激活活动报告", "海南椰风食品有限公司", "未到场人员", "核对一致", "单位（盖章）"):
        assert words in text
    for line in closed.absent:
        assert line.masked_id in text
    for entry in ctx.bulkdays.state(closed.plan.session_id).roster.entries:
        assert ctx.session.vault.get_person(entry.person_id).document.number not in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert any(" yes " in line for line in fonts.splitlines()[2:]), fonts
