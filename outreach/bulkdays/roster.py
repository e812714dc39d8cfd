"""Validating every roster row and previewing the import: N new people, M matched to people already known,
K rows refused (file row number and the reason in Chinese and English). Pure apart from the lookups passed
in (:class:`KnownPeople`): nothing is written here.

A row is refused, never half taken, for: no name or a bad one, a bad identity number (the domain's checks:
GB 11643 check digit, birth date, region; other documents' formats), a number stored as a spreadsheet number
that lost digits, a document type we cannot read, a bad mobile number, the same person twice in the file, a
known person's number under another name, or a person already on another open session's roster.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from outreach.bulkdays.errors import RosterHeaderError
from outreach.bulkdays.headers import FIELD_ZH, HeaderMap, map_headers
from outreach.bulkdays.tables import Table
from outreach.domain.enums import ETHNICITY_NAMES, DocType, Gender
from outreach.domain.identity import check_identity
from outreach.domain.names import check_name, normalize_name
from outreach.domain.numbers import check_mobile

#: Documents of citizens: the number is also the social security number (Art. 5); the name is Chinese.
CITIZEN_DOCS = (DocType.RESIDENT_ID, DocType.HOUSEHOLD_REGISTER, DocType.HKMO_TW_RESIDENCE_PERMIT)

_DOC_TYPES: dict[str, DocType] = {
    "居民身份证": DocType.RESIDENT_ID, "身份证": DocType.RESIDENT_ID, "二代身份证": DocType.RESIDENT_ID,
    "第二代居民身份证": DocType.RESIDENT_ID, "居民户口簿": DocType.HOUSEHOLD_REGISTER, "户口簿": DocType.HOUSEHOLD_REGISTER,
    "户口本": DocType.HOUSEHOLD_REGISTER, "港澳台居民居住证": DocType.HKMO_TW_RESIDENCE_PERMIT,
    "居住证": DocType.HKMO_TW_RESIDENCE_PERMIT, "港澳居民来往内地通行证": DocType.HKMO_TRAVEL_PERMIT,
    "回乡证": DocType.HKMO_TRAVEL_PERMIT, "台湾居民来往大陆通行证": DocType.TW_TRAVEL_PERMIT,
    "台胞证": DocType.TW_TRAVEL_PERMIT, "护照": DocType.PASSPORT, "外国人永久居留身份证": DocType.FOREIGN_PERMANENT_RESIDENCE,
    "永久居留身份证": DocType.FOREIGN_PERMANENT_RESIDENCE, "永居证": DocType.FOREIGN_PERMANENT_RESIDENCE,
}
#: 民族 as HR writes it (汉族, 汉, 01) -> the GB 3304 code.
_ETHNICITIES: dict[str, str] = {**{code: code for code in ETHNICITY_NAMES},
                                **{zh: code for code, (zh, _en) in ETHNICITY_NAMES.items()},
                                **{zh.removesuffix("族"): code for code, (zh, _en) in ETHNICITY_NAMES.items()
                                   if len(zh) > 2}}
_GENDERS = {"男": Gender.MALE, "1": Gender.MALE, "m": Gender.MALE, "male": Gender.MALE,
            "女": Gender.FEMALE, "2": Gender.FEMALE, "f": Gender.FEMALE, "female": Gender.FEMALE}


class KnownPeople(Protocol):
    """What the import needs to know of the vault and of the other sessions."""

    def person_by_document(self, number: str) -> tuple[str, str] | None:
        """(person_id, name) of the known person with this document or social security number, or None."""

    def other_open_session(self, person_id: str) -> str | None:
        """A short label (employer, day) of another open session whose roster has this person, or None."""


@dataclass(frozen=True)
class RowPerson:
    """A valid row: the person's data as the file gives it, normalised."""

    row: int
    name: str
    doc_type: DocType
    doc_number: str
    gender: Gender
    birth_date: dt.date
    nationality: str = "CHN"
    mobile: str | None = None
    department: str = ""
    walk_in: bool = False
    ethnicity: str | None = None
    """GB 3304 code (citizens); needed for an application on the employer's behalf (Art. 9, 10)."""
    address: str | None = None


@dataclass(frozen=True)
class PlannedRow:
    person: RowPerson
    person_id: str | None
    """The known person it matched; None for a new person (registered on confirm)."""


@dataclass(frozen=True)
class RefusedRow:
    row: int
    reason_zh: str
    reason_en: str


@dataclass
class RosterPreview:
    """What confirming would do. Nothing has been written."""

    sha256: str
    fmt: str
    header: HeaderMap
    new: list[PlannedRow] = field(default_factory=list)
    matched: list[PlannedRow] = field(default_factory=list)
    refused: list[RefusedRow] = field(default_factory=list)
    log_seq: int = -1
    """The log position the lookups saw (set by the service): confirming with no operation since trusts them."""

    @property
    def counts(self) -> dict[str, int]:
        return {"new": len(self.new), "matched": len(self.matched), "refused": len(self.refused)}

    def summary(self) -> tuple[str, str]:
        n, m, k = len(self.new), len(self.matched), len(self.refused)
        return (f"新增{n}人，匹配已登记{m}人，退回{k}行", f"{n} new, {m} matched to known people, {k} rows refused")


class RowRefused(Exception):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en


def parse_doc_type(text: str) -> DocType | None:
    """The document type from its Chinese name or our code; None when not recognised."""
    key = text.strip().replace(" ", "")
    if key in _DOC_TYPES:
        return _DOC_TYPES[key]
    try:
        return DocType(key.lower())
    except ValueError:
        return None


def check_row(cells: Mapping[str, str], row: int, today: dt.date, *, lossy_number: bool = False,
              walk_in: bool = False) -> RowPerson:
    """One row's fields checked with the domain's rules (also used for a walk-in typed at the table).

    Raises:
        RowRefused: the first problem, in both languages.
    """
    number_raw = cells.get("doc_number", "").strip()
    if lossy_number:
        raise RowRefused("证件号码被表格存为数字，末几位已丢失；请把该列设为“文本”后重新导出",
                      "the document number was stored as a spreadsheet number and lost digits; "
                      "format the column as text and export again")
    doc_type: DocType | None = None
    if cells.get("doc_type", "").strip():
        doc_type = parse_doc_type(cells["doc_type"])
        if doc_type is None:
            raise RowRefused("无法识别的证件类型", "unknown document type")
    check = check_identity(number_raw, doc_type, today=today)
    if not check.valid or check.doc_type is None:
        why = check.problems[0] if check.problems else None
        raise RowRefused(f"证件号码有误：{why.message_zh if why else '格式不符'}",
                      f"bad document number: {why.message_en if why else 'bad format'}")
    doc_type = check.doc_type
    citizen = doc_type in CITIZEN_DOCS
    name = normalize_name(cells.get("name", ""))
    problems = check_name(name, citizen=citizen)
    if problems:
        raise RowRefused(f"姓名有误：{problems[0].message_zh}", f"bad name: {problems[0].message_en}")
    gender = check.gender or _GENDERS.get(cells.get("gender", "").strip().lower())
    birth = check.birth_date or _date(cells.get("birth_date", ""))
    if gender is None or birth is None:
        raise RowRefused("此类证件须在名单中填写性别和出生日期", "this document type needs the gender and birth date columns")
    nationality = "CHN"
    if not citizen and doc_type in (DocType.PASSPORT, DocType.FOREIGN_PERMANENT_RESIDENCE):
        nationality = cells.get("nationality", "").strip().upper()
        if len(nationality) != 3 or not nationality.isalpha() or not nationality.isascii():
            raise RowRefused("外籍人员须填写国籍（三位字母代码，如USA）",
                          "a foreign national needs the nationality (three-letter code, e.g. USA)")
    mobile: str | None = None
    if cells.get("mobile", "").strip():
        m = check_mobile(cells["mobile"])
        if not m.valid:
            raise RowRefused(f"手机号码有误：{m.problems[0].message_zh}", f"bad mobile number: {m.problems[0].message_en}")
        mobile = m.normalized
    department = " ".join(cells.get("department", "").split())[:100]
    ethnicity: str | None = None
    if citizen and cells.get("ethnicity", "").strip():
        ethnicity = _ETHNICITIES.get(cells["ethnicity"].strip())
        if ethnicity is None:
            raise RowRefused("无法识别的民族", "unknown ethnic group")
    address = " ".join(cells.get("address", "").split())[:200] or None
    return RowPerson(row=row, name=name, doc_type=doc_type, doc_number=check.normalized, gender=gender,
                     birth_date=birth, nationality=nationality, mobile=mobile, department=department,
                     walk_in=walk_in, ethnicity=ethnicity, address=address)


def _date(text: str) -> dt.date | None:
    raw = text.strip().replace("/", "-").replace(".", "-").replace("年", "-").replace("月", "-").rstrip("日")
    try:
        return dt.date.fromisoformat(raw[:10])
    except ValueError:
        try:
            return dt.datetime.strptime(raw, "%Y-%m-%d").date()
        except ValueError:
            return None


def header_of(table: Table, explicit: Mapping[str, str] | None = None) -> HeaderMap:
    """The header mapping, or the question to ask when a required column is not found.

    Raises:
        RosterHeaderError: no column for 姓名 or 证件号码 (``unmapped`` says which headers to ask about).
    """
    header = map_headers(table.rows, explicit)
    if header.missing:
        missing_zh = "、".join(FIELD_ZH[f] for f in header.missing)
        raise RosterHeaderError(f"名单缺少“{missing_zh}”列，或其列名无法识别", f"no column found for {', '.join(header.missing)}",
                                unmapped=header.unmapped, missing=header.missing)
    return header


def preview_import(table: Table, known: KnownPeople, today: dt.date,
                   explicit: Mapping[str, str] | None = None) -> RosterPreview:
    """Every row checked; the preview of what confirming would write.

    Raises:
        RosterHeaderError: see :func:`header_of`.
    """
    header = header_of(table, explicit)
    preview = RosterPreview(sha256=table.sha256, fmt=table.fmt, header=header)
    seen: dict[str, int] = {}
    number_col = header.columns["doc_number"]
    for index in range(header.header_row, len(table.rows)):
        cells_row: Sequence[str] = table.rows[index]
        row = index + 1
        if not any(c.strip() for c in cells_row):
            continue
        cells = {f: (cells_row[c] if c < len(cells_row) else "") for f, c in header.columns.items()}
        try:
            person = check_row(cells, row, today, lossy_number=(row, number_col) in table.lossy)
            first = seen.get(person.doc_number)
            if first is not None:
                raise RowRefused(f"与第{first}行是同一人（证件号码重复）", f"same person as row {first} (duplicate number)")
            seen[person.doc_number] = row
            hit = known.person_by_document(person.doc_number)
            if hit is None:
                preview.new.append(PlannedRow(person, None))
                continue
            person_id, known_name = hit
            if normalize_name(known_name) != person.name:
                raise RowRefused("该证件号码已登记在另一姓名下，请与单位核对", "this number is recorded under another name; "
                              "check with the employer")
            elsewhere = known.other_open_session(person_id)
            if elsewhere:
                raise RowRefused(f"此人已在另一未结束场次的名单中（{elsewhere}）",
                              f"this person is on another open session's roster ({elsewhere})")
            preview.matched.append(PlannedRow(person, person_id))
        except RowRefused as why:
            preview.refused.append(RefusedRow(row, why.zh, why.en))
    return preview
