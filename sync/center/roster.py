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
from collections.abc import Iterator
from typing import Any, TextIO

from pydantic import ValidationError

from outreach.domain import check_person
from outreach.domain.models import Person

COLUMNS = ("person_id", "name", "gender", "ethnicity", "birth_date", "nationality", "doc_type", "doc_number",
           "doc_valid_from", "doc_valid_until", "ss_number", "mobile", "occupation", "address", "area_code",
           "hardship")
REQUIRED = ("name", "gender", "birth_date", "doc_type", "doc_number", "area_code")
#: Form problems a roster cannot carry: photos and guardians are recorded at the visit.
IGNORED_PROBLEMS = frozenset({"photo_required", "guardian_required"})
#: Rows of a roster read into memory (:func:`parse`); a file streamed by ``load-people`` may hold a province.
MAX_ROWS = 200_000
MAX_STREAM_ROWS = 20_000_000
#: A person id from the provincial system: short, plain characters (never SQL, markup or a whole document).
PERSON_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")


class RosterChanged(ValueError):
    """A file checked without problems has one when read again: it was changed during the load."""


def _opt(row: dict[str, str], key: str) -> str | None:
    value = (row.get(key) or "").strip()
    return value or None


def parse(text: str, today: dt.date) -> tuple[list[dict[str, Any]], list[str]]:
    """(people as Person JSON dumps, problems). Problems name line and field, never values."""
    people: list[dict[str, Any]] = []
    problems: list[str] = []
    for person, problem in _read(io.StringIO(text), today, MAX_ROWS):
        if problem is not None:
            problems.append(problem)
        elif person is not None:
            people.append(person)
    return ([] if problems else people), problems


def problems(source: TextIO, today: dt.date, max_rows: int = MAX_STREAM_ROWS) -> list[str]:
    """The problems of a whole file read as a stream (nothing kept but the ids seen): the first pass of a
    load, so that one bad row means nothing is loaded."""
    return [problem for _, problem in _read(source, today, max_rows) if problem is not None]


def stream(source: TextIO, today: dt.date, max_rows: int = MAX_STREAM_ROWS) -> Iterator[dict[str, Any]]:
    """The people of a file :func:`problems` found none in, one at a time (the second pass of a load).

    Raises:
        RosterChanged: the file has a problem after all (it changed between the passes).
    """
    for person, problem in _read(source, today, max_rows):
        if problem is not None:
            raise RosterChanged("the file changed while it was loaded")
        if person is not None:
            yield person


def _read(source: TextIO, today: dt.date, max_rows: int) -> Iterator[tuple[dict[str, Any] | None, str | None]]:
    reader = csv.DictReader(source)
    try:
        header = reader.fieldnames or []
    except csv.Error:
        yield None, "表头 header: 字段过长或 CSV 格式错误 / field too long or malformed CSV"
        return
    missing = [c for c in REQUIRED if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if missing or unknown:
        yield None, f"表头 header: 缺少 missing {missing}, 未知 unknown {unknown}"
        return
    count = 0
    try:
        for person, problem in _rows(reader, today, max_rows):
            count += person is not None
            yield person, problem
    except csv.Error:
        yield None, (f"第 {reader.line_num} 行 line {reader.line_num}: 字段过长或 CSV 格式错误 / field too long or "
                     "malformed CSV")
        return
    if count == 0:
        yield None, "文件只有表头，没有人员 / the file has a header but no people"


def _rows(reader: csv.DictReader[str], today: dt.date,
          max_rows: int) -> Iterator[tuple[dict[str, Any] | None, str | None]]:
    seen: set[str] = set()
    for line, row in enumerate(reader, start=2):
        if line > max_rows + 1:
            yield None, f"超过 {max_rows} 行 / more than {max_rows} rows"
            return
        problem, person = _row(line, row, today, seen)
        yield person, problem


def _row(line: int, row: dict[str, str], today: dt.date,
         seen: set[str]) -> tuple[str | None, dict[str, Any] | None]:
    """(problem, None) or (None, the person's JSON dump)."""
    if None in row:  # DictReader keeps fields beyond the header under the key None
        return f"第 {line} 行 line {line}: 字段比表头多 / more fields than the header", None
    doc_number = _opt(row, "doc_number") or ""
    given = _opt(row, "person_id")
    if given is not None and not PERSON_ID.fullmatch(given):
        return (f"第 {line} 行 line {line}: person_id 无效（至多 64 个字母、数字或 -_.:） / invalid "
                "person_id (at most 64 letters, digits or -_.:)"), None
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
        return f"第 {line} 行 line {line}: 字段无效 invalid field(s) {', '.join(fields)}", None
    check = check_person(person, today=today)
    bad = [p for p in check.problems if p.code not in IGNORED_PROBLEMS]
    if bad:
        return f"第 {line} 行 line {line}: " + "; ".join(f"{p.message_zh} / {p.message_en}" for p in bad), None
    if pid in seen:
        return f"第 {line} 行 line {line}: 重复的人员 / duplicate person", None
    seen.add(pid)
    return None, person.model_dump(mode="json")


def to_row(person: dict[str, Any]) -> dict[str, str]:
    """The roster row (:data:`COLUMNS`) of a person's JSON dump; what the roster cannot carry (photo, agent)
    is left out. Used to make roster files for tests and benchmarks."""
    doc = person.get("document") or {}
    values = {**person, "doc_type": doc.get("doc_type"), "doc_number": doc.get("number"),
              "doc_valid_from": doc.get("valid_from"), "doc_valid_until": doc.get("valid_until")}
    return {c: "" if values.get(c) is None else str(values[c]) for c in COLUMNS}
