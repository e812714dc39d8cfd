"""Mapping the roster's header row to our fields: the Chinese (and a few English) names HR uses in Excel/WPS
lists, recognised automatically; a header none of them matches is reported so the caller can ask the worker
once and pass an explicit mapping (header text -> field, or "" to ignore the column)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from outreach.domain.text import fold_width

#: The fields a roster row may fill, and the names HR gives their columns.
ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "员工姓名", "职工姓名", "名字", "name"),
    "doc_type": ("证件类型", "证件类别", "证件种类", "身份证件类型", "doctype", "documenttype"),
    "doc_number": ("证件号码", "证件号", "身份证号", "身份证号码", "公民身份号码", "身份证件号码", "idnumber",
                   "documentnumber"),
    "mobile": ("手机号码", "手机", "手机号", "联系电话", "移动电话", "电话", "mobile", "phone"),
    "department": ("部门", "所在部门", "部门名称", "科室", "班组", "department"),
    "gender": ("性别", "gender", "sex"),
    "birth_date": ("出生日期", "出生年月日", "生日", "birthdate"),
    "nationality": ("国籍", "国家地区", "国家", "nationality"),
    "ss_number": ("社会保障号码", "社保号码", "社保号", "社会保障号", "ssnumber"),
    "employee_no": ("工号", "员工编号", "职工编号", "employeeno"),
    "ethnicity": ("民族", "ethnicity"),
    "address": ("地址", "住址", "通讯地址", "常住地址", "address"),
}
REQUIRED = ("name", "doc_number")
#: Columns HR lists often have that we do not need; not worth asking about.
IGNORED = frozenset({"序号", "编号", "备注", "no", "签名", "签字"})
FIELD_ZH = {"name": "姓名", "doc_type": "证件类型", "doc_number": "证件号码", "mobile": "手机号码",
            "department": "部门", "gender": "性别", "birth_date": "出生日期", "nationality": "国籍",
            "ss_number": "社会保障号码", "employee_no": "工号",
            "ethnicity": "民族", "address": "地址"}
#: How many leading rows may hold a title ("XX公司员工名单") above the header row.
HEADER_SEARCH_ROWS = 10

_NOISE = re.compile(r"[\s*＊:：_\-]|[（(][^）)]*[）)]$")
_LOOKUP = {re.sub(r"[()（）]", "", alias).lower(): name for name, aliases in ALIASES.items() for alias in aliases}


def normalise_header(text: str) -> str:
    """``证件号码（必填）*`` -> ``证件号码``; full-width folded, lower case, marks and spaces removed."""
    return re.sub(r"[()（）]", "", _NOISE.sub("", fold_width(text))).lower()


@dataclass(frozen=True)
class HeaderMap:
    """Which column holds which field; ``header_row`` is the file row of the headers (1-based)."""

    header_row: int
    columns: dict[str, int]
    unmapped: tuple[str, ...]

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(f for f in REQUIRED if f not in self.columns)


def _map_row(cells: Sequence[str], explicit: Mapping[str, str]) -> tuple[dict[str, int], list[str]]:
    columns: dict[str, int] = {}
    unmapped: list[str] = []
    given = {normalise_header(k): v for k, v in explicit.items()}
    for index, cell in enumerate(cells):
        if not cell.strip():
            continue
        key = normalise_header(cell)
        field = given[key] if key in given else _LOOKUP.get(key)
        if field is None:
            if key not in IGNORED:
                unmapped.append(cell.strip())
        elif field and field in ALIASES and field not in columns:
            columns[field] = index
    return columns, unmapped


def map_headers(rows: Sequence[Sequence[str]], explicit: Mapping[str, str] | None = None) -> HeaderMap:
    """The header row (the first of the leading rows where two columns are recognised) and its mapping.

    ``explicit``: header text -> field name (one of :data:`ALIASES`) or "" to ignore; it wins over the names
    recognised. Raises nothing: the caller checks :attr:`HeaderMap.missing`.
    """
    explicit = explicit or {}
    best: HeaderMap | None = None
    for r, cells in enumerate(rows[:HEADER_SEARCH_ROWS], start=1):
        columns, unmapped = _map_row(cells, explicit)
        if len(columns) >= 2:
            return HeaderMap(r, columns, tuple(unmapped))
        if best is None and any(c.strip() for c in cells):
            best = HeaderMap(r, columns, tuple(unmapped))
    return best or HeaderMap(1, {}, ())
