"""Reading roster files as HR exports them: real XLSX workbooks (xlsxwriter), CSV in GBK, UTF-8 with BOM and
UTF-8, damaged and oversized files, unknown headers and an explicit mapping."""

from __future__ import annotations

import time
import zipfile

import pytest

from outreach.bulkdays.errors import RosterFileError, RosterHeaderError
from outreach.bulkdays.headers import map_headers
from outreach.bulkdays.roster import header_of
from outreach.bulkdays.tables import MAX_ROWS, read_table
from tests.bulkdays.conftest import HEADERS, staff, write_csv, write_xlsx


def test_xlsx_with_a_title_row_finds_the_header_row_and_every_cell(tmp_path):
    rows = staff(5)
    table = read_table(write_xlsx(tmp_path / "名单.xlsx", rows))
    assert table.fmt == "xlsx"
    header = header_of(table)
    assert header.header_row == 2
    assert header.columns == {"name": 1, "doc_type": 2, "doc_number": 3, "mobile": 4, "department": 5}
    assert header.unmapped == ()  # 序号 is known noise, not a question
    assert [r[1:4] for r in table.rows[2:]] == [tuple(r[1:4]) for r in rows]


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8", "utf-16"])
def test_csv_in_every_encoding_hr_exports_reads_the_same(tmp_path, encoding):
    rows = staff(4)
    path = write_csv(tmp_path / "名单.csv", rows, encoding)
    if encoding == "utf-8-sig":
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    table = read_table(path)
    assert table.fmt == "csv"
    assert table.rows[0] == tuple(HEADERS)
    assert [list(r) for r in table.rows[1:]] == rows


def test_a_gbk_file_is_not_mistaken_for_utf8(tmp_path):
    path = write_csv(tmp_path / "g.csv", staff(2), "gbk")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    assert read_table(path).rows[0][1] == "姓名"


def test_a_damaged_workbook_says_so(tmp_path):
    good = write_xlsx(tmp_path / "good.xlsx", staff(50))
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(good.read_bytes()[:900])  # cut in the middle of the zip
    with pytest.raises(RosterFileError) as err:
        read_table(bad)
    assert "损坏" in err.value.message_zh


def test_a_binary_file_named_csv_is_refused(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(RosterFileError):
        read_table(path)


def test_an_empty_file_is_refused(tmp_path):
    path = tmp_path / "e.csv"
    path.write_bytes(b"")
    with pytest.raises(RosterFileError) as err:
        read_table(path)
    assert "空" in err.value.message_zh


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path):
    path = tmp_path / "z.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    with pytest.raises(RosterFileError):
        read_table(path)


def test_a_100000_row_csv_gets_a_clear_answer_quickly(tmp_path):
    line = "1,员工甲,居民身份证,460105199001010012,13900000000,生产部\r\n"
    path = tmp_path / "big.csv"
    path.write_bytes(("序号,姓名,证件类型,证件号码,手机号码,部门\r\n" + line * 100_000).encode("gbk"))
    started = time.monotonic()
    with pytest.raises(RosterFileError) as err:
        read_table(path)
    assert str(MAX_ROWS) in err.value.message_zh
    assert time.monotonic() - started < 10  # bounded: an answer, not a hang (not a speed goal)


def test_a_100000_row_workbook_gets_a_clear_answer(tmp_path):
    import xlsxwriter

    path = tmp_path / "big.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, HEADERS)
    for i in range(1, 100_001):
        sheet.write_row(i, 0, [str(i), "员工甲", "居民身份证", "460105199001010012"])
    book.close()
    with pytest.raises(RosterFileError) as err:
        read_table(path)
    assert "拆分" in err.value.message_zh


def test_a_header_it_cannot_map_is_reported_for_the_caller_to_ask(tmp_path):
    headers = ["员工", "证件号码", "岗位"]
    table = read_table(write_csv(tmp_path / "h.csv", [["张三", "460105199001010012", "司机"]], "utf-8",
                                 headers=headers))
    with pytest.raises(RosterHeaderError) as err:
        header_of(table)
    assert err.value.missing == ("name",)
    assert err.value.unmapped == ("员工", "岗位")
    header = header_of(table, {"员工": "name", "岗位": ""})
    assert header.columns == {"name": 0, "doc_number": 1}
    assert header.unmapped == ()


def test_header_variants_map_automatically():
    header = map_headers([["姓名*", "身份证号（必填）", "手机", "所在部门", "证件类别"]])
    assert header.columns == {"name": 0, "doc_number": 1, "mobile": 2, "department": 3, "doc_type": 4}


def test_an_identity_number_typed_as_a_number_is_marked_lossy(tmp_path):
    path = write_xlsx(tmp_path / "n.xlsx", [["1", "员工甲", "居民身份证", 460105199001010012, "13900000000", "x"]],
                      title=None)
    table = read_table(path)
    assert (2, 3) in table.lossy


def test_a_legacy_xls_workbook_reads_like_the_xlsx(tmp_path):
    import xlwt

    rows = staff(3)
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("名单")
    for c, h in enumerate(HEADERS):
        sheet.write(0, c, h)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    path = tmp_path / "名单.xls"
    book.save(str(path))
    table = read_table(path)
    assert table.fmt == "xls"
    assert [list(r) for r in table.rows[1:]] == rows
