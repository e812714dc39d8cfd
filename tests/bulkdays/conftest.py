"""Fixtures of the bulk-day tests: a fresh encrypted vault (three people "from the center"), a planned day,
and roster files written for real (xlsxwriter workbooks, GBK / BOM / UTF-8 CSVs)."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
import xlsxwriter
from stdnum.cn import uscc

from tests.support.context import (
    PASSPHRASE,
    PEOPLE,
    TODAY,
    card_dump,
    citizen_id,
    make_context,
    person_dump,
    set_cards,
)

HEADERS = ["序号", "姓名", "证件类型", "证件号码", "手机号码", "部门"]


def credit_code(body: str = "91460100MA5T0000") -> str:
    """A valid 统一社会信用代码 with the check character computed (body of 17 characters, padded)."""
    body = (body + "0" * 17)[:17]
    return body + uscc.calc_check_digit(body)


def staff(n: int, start: int = 0) -> list[list[str]]:
    """``n`` valid staff rows (序号, 姓名, 证件类型, 证件号码, 手机号码, 部门) with distinct numbers."""
    rows = []
    for i in range(start, start + n):
        born = date(1970 + i % 30, 1 + i % 12, 1 + i % 28)
        number = citizen_id("460105", born, i % 100, i % 2 == 0)
        name = "员工" + "甲乙丙丁戊己庚辛壬癸"[i % 10] + "一二三四五六七八九十"[(i // 10) % 10] + "春夏秋冬"[(i // 100) % 4]
        rows.append([str(i + 1), name, "居民身份证", number, f"139{i:08d}", "生产部" if i % 2 else "行政部"])
    return rows


def write_xlsx(path: Path, rows: list[list[object]], *, title: str | None = "某某公司员工社保卡激活名单",
               headers: list[str] = HEADERS) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("名单")
    r = 0
    if title:
        sheet.write(0, 0, title)
        r = 1
    sheet.write_row(r, 0, headers)
    for i, row in enumerate(rows, start=r + 1):
        for c, value in enumerate(row):
            if isinstance(value, str):
                sheet.write_string(i, c, value)
            else:
                sheet.write(i, c, value)
    book.close()
    return path


def write_csv(path: Path, rows: list[list[str]], encoding: str, headers: list[str] = HEADERS) -> Path:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


@pytest.fixture
def ctx(tmp_path):
    context = make_context(tmp_path / "v")
    context.session.unlock(PASSPHRASE)
    yield context
    context.close()


@pytest.fixture
def day(ctx):
    """A planned bulk day for today."""
    return ctx.bulkdays.plan(employer="海南椰风食品有限公司", credit_code=credit_code(), venue="公司三楼会议室",
                             day=TODAY, workers=["w-test"], bank_branch="海南农信海口城西支行")


WANG, FU, LI = ("00000000-0000-0000-0000-000000000001", "00000000-0000-0000-0000-000000000002",
                "00000000-0000-0000-0000-000000000003")


@pytest.fixture
def table(ctx, day, tmp_path):
    """A day whose roster holds the three known people and four new staff; 王秀英's card is active but not
    bank-activated, 李春花's is ready to collect, 符亚明 has none."""
    vault = ctx.session.vault
    set_cards(vault, WANG, [card_dump(WANG, "active", "H46010001", bank_activated=False)], version=2)
    path = write_csv(tmp_path / "r.csv", seed_rows() + staff(4), "gbk")
    ctx.bulkdays.confirm_roster(day.session_id, ctx.bulkdays.preview_roster(day.session_id, path))
    return day.session_id


def seed_rows() -> list[list[str]]:
    """The three people the vault already knows (pulled from the center), as HR lists them."""
    out = []
    for i, (name, gender, born, area, _s, _n) in enumerate(PEOPLE):
        dump = person_dump(name, gender, born, area, i)
        out.append([str(100 + i), name, "身份证", dump["document"]["number"], dump["mobile"], "销售部"])
    return out


__all__ = ["FU", "LI", "PASSPHRASE", "WANG", "seed_rows", "TODAY", "card_dump", "credit_code", "set_cards", "staff", "write_csv", "write_xlsx"]
