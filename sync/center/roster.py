"""The provincial system's people export (CSV, UTF-8, header row) read for ``outreach center load-people``.

Columns (header names exact; order free; empty = none):
``person_id`` (optional: derived from the document when empty), ``name``, ``gender`` (1/2/9), ``ethnicity``
(2-digit GB 3304), ``birth_date`` (YYYY-MM-DD), ``nationality`` (ISO alpha-3, default CHN), ``doc_type``,
``doc_number``, ``doc_valid_from``, ``doc_valid_until``, ``ss_number``, ``mobile``, ``occupation``, ``address``,
``area_code`` (6 digits), ``hardship`` (none / extremely_poor / minimum_allowance).

Every row is checked with the domain (``Person`` and ``check_person``); problems are reported by line and field
(never the value: it is personal data); one bad row means nothing is loaded. Also refused: a file with a header
and no people, a row with more fields than the header, a ``person_id`` longer than 64 characters or with
anything but letters, digits and ``-_.:``, and a field over the CSV limit (a clear problem, not an error).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import uuid
from typing import Any

from pydantic import ValidationError

from outreach.domain import check_person
from outreach.domain.models import Person

COLUMNS = ("person_id", "name", "gender", "ethnicity", "birth_date", "nationality", "doc_type", "doc_number",
           "doc_valid_from", "doc_valid_until", "ss_number", "mobile", "occupation", "address", "area_code",
           "hardship")
REQUIRED = ("name", "gender", "birth_date", "doc_type", "doc_number", "area_code")
#: Form problems a roster cannot carry: photos and guardians are recorded at the visit.
IGNORED_PROBLEMS = frozenset({"photo_required", "guardian_required"})
MAX_ROWS = 200_000
#: A person id from the provincial system: short, plain characters (never SQL, markup or a whole document).
PERSON_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")


def _opt(row: dict[str, str], key: str) -> str | None:
    value = (row.get(key) or "").strip()
    return value or None


def parse(text: str, today: dt.date) -> tuple[list[dict[str, Any]], list[str]]:
    """(people as Person JSON dumps, problems). Problems name line and field, never values."""
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = reader.fieldnames or []
    except csv.Error:
        return [], ["表头 header: 字段过长或 CSV 格式错误 / field too long or malformed CSV"]
    missing = [c for c in REQUIRED if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if missing or unknown:
        return [], [f"表头 header: 缺少 missing {missing}, 未知 unknown {unknown}"]
    people: list[dict[str, Any]] = []
    problems: list[str] = []
    try:
        _rows(reader, today, people, problems)
    except csv.Error:
        problems.append(f"第 {reader.line_num} 行 line {reader.line_num}: 字段过长或 CSV 格式错误 / field too long or "
                        "malformed CSV")
    if not people and not problems:
        problems.append("文件只有表头，没有人员 / the file has a header but no people")
    return ([] if problems else people), problems


def _rows(reader: csv.DictReader[str], today: dt.date, people: list[dict[str, Any]], problems: list[str]) -> None:
    seen: set[str] = set()
    for line, row in enumerate(reader, start=2):
        if line > MAX_ROWS:
            problems.append(f"超过 {MAX_ROWS} 行 / more than {MAX_ROWS} rows")
            break
        if None in row:  # DictReader keeps fields beyond the header under the key None
            problems.append(f"第 {line} 行 line {line}: 字段比表头多 / more fields than the header")
            continue
        doc_number = _opt(row, "doc_number") or ""
        given = _opt(row, "person_id")
        if given is not None and not PERSON_ID.fullmatch(given):
            problems.append(f"第 {line} 行 line {line}: person_id 无效（至多 64 个字母、数字或 -_.:） / invalid "
                            "person_id (at most 64 letters, digits or -_.:)")
            continue
        pid = given or str(uuid.uuid5(uuid.NAMESPACE_OID, f"{row.get('doc_type')}:{doc_number}"))
        data = {
            "person_id": pid, "name": _opt(row, "name"), "gender": _opt(row, "gender"),
            "ethnicity": _opt(row, "ethnicity") or "01", "birth_date": _opt(row, "birth_date"),
            "nationality": _opt(row, "nationality") or "CHN",
            "document": {"doc_type": _opt(row, "doc_type"), "number": doc_number,
                         "valid_from": _opt(row, "doc_valid_from"), "valid_until": _opt(row, "doc_valid_until")},
            "ss_number": _opt(row, "ss_number"), "mobile": _opt(row, "mobile"),
            "occupation": _opt(row, "occupation"), "address": _opt(row, "address"),
            "area_code": _opt(row, "area_code"), "hardship": _opt(row, "hardship") or "none",
        }
        try:
            person = Person.model_validate(data)
        except ValidationError as exc:
            fields = sorted({".".join(str(p) for p in e["loc"]) for e in exc.errors()})
            problems.append(f"第 {line} 行 line {line}: 字段无效 invalid field(s) {', '.join(fields)}")
            continue
        check = check_person(person, today=today)
        bad = [p for p in check.problems if p.code not in IGNORED_PROBLEMS]
        if bad:
            problems.append(f"第 {line} 行 line {line}: " + "; ".join(f"{p.message_zh} / {p.message_en}" for p in bad))
            continue
        if pid in seen:
            problems.append(f"第 {line} 行 line {line}: 重复的人员 / duplicate person")
            continue
        seen.add(pid)
        people.append(person.model_dump(mode="json"))
