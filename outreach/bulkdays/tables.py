"""Reading an employer's roster file into rows of text: XLSX and XLS (python-calamine, which reads both and
never runs anything in the file), CSV in UTF-8, UTF-8 with BOM, UTF-16 (Excel's "Unicode text") or
GB18030/GBK, as HR exports them from Excel or WPS.

Bounded: a file over :data:`MAX_BYTES` or with more than :data:`MAX_ROWS` rows is refused with a message
before its rows are validated, so a 100,000-row file gets an answer in about a second, not a hang.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from outreach.bulkdays.errors import RosterFileError

#: A roster file larger than this is refused (a 20,000-row XLSX is about 1.5 MB).
MAX_BYTES = 20 * 1024 * 1024
#: Data rows at most (an employer day is hundreds of people; a bigger list is split by department).
MAX_ROWS = 20_000
#: Digits past which a number cell lost digits to floating point (an 18-digit number typed as a number).
_EXACT_DIGITS = 15

_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class Table:
    """The file's rows as text (``rows[i]`` is file row ``i + 1``), its SHA-256 and the cells that were numbers
    too long to be exact (``lossy``: (file row, column index))."""

    rows: list[tuple[str, ...]]
    sha256: str
    fmt: str
    lossy: set[tuple[int, int]] = field(default_factory=set)


def _too_many() -> RosterFileError:
    return RosterFileError(f"名单超过{MAX_ROWS}行，请按部门拆分后分别导入",
                           f"the roster has more than {MAX_ROWS} rows; split it by department and import each")


def read_table(path: Path) -> Table:
    """The rows of the first sheet (workbook) or of the CSV file.

    Raises:
        RosterFileError: missing, empty, too big, too many rows, damaged workbook, unknown encoding.
    """
    try:
        size = path.stat().st_size
    except OSError:
        raise RosterFileError("找不到名单文件或无法读取", "the roster file is missing or cannot be read") from None
    if size == 0:
        raise RosterFileError("名单文件是空的", "the roster file is empty")
    if size > MAX_BYTES:
        raise RosterFileError(f"名单文件过大（超过{MAX_BYTES // (1024 * 1024)} MB）",
                              f"the roster file is too big (over {MAX_BYTES // (1024 * 1024)} MB)")
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if data.startswith(_XLSX_MAGIC) or data.startswith(_XLS_MAGIC):
        fmt = "xlsx" if data.startswith(_XLSX_MAGIC) else "xls"
        rows, lossy = _workbook_rows(data)
        return Table(rows, digest, fmt, lossy)
    return Table(_csv_rows(data), digest, "csv")


def _workbook_rows(data: bytes) -> tuple[list[tuple[str, ...]], set[tuple[int, int]]]:
    from python_calamine import CalamineWorkbook, PasswordError

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = book.get_sheet_by_index(0)
        if sheet.total_height > MAX_ROWS + 20:
            raise _too_many()
        raw = list(islice(sheet.iter_rows(), MAX_ROWS + 21))
    except RosterFileError:
        raise
    except PasswordError:
        raise RosterFileError("表格设有打开密码，请另存为无密码的文件",
                              "the workbook has an opening password; save a copy without it") from None
    except Exception:  # calamine's own errors (zip, XML, CFB) and anything a damaged file provokes
        raise RosterFileError("表格文件已损坏或不是Excel/WPS表格",
                              "the workbook is damaged or not a spreadsheet") from None
    rows: list[tuple[str, ...]] = []
    lossy: set[tuple[int, int]] = set()
    for r, values in enumerate(raw, start=1):
        cells: list[str] = []
        for c, value in enumerate(values):
            text, exact = _cell_text(value)
            if not exact:
                lossy.add((r, c))
            cells.append(text)
        rows.append(tuple(cells))
    return rows, lossy


def _cell_text(value: object) -> tuple[str, bool]:
    """A cell as text; False when it was a number with more digits than floating point keeps exact."""
    if value is None:
        return "", True
    if isinstance(value, bool):
        return ("是" if value else "否"), True
    if isinstance(value, float):
        if value.is_integer():
            whole = int(value)
            return str(whole), len(str(abs(whole))) <= _EXACT_DIGITS
        return repr(value), True
    if isinstance(value, int):
        return str(value), len(str(abs(value))) <= _EXACT_DIGITS
    if isinstance(value, dt.datetime):
        return value.date().isoformat(), True
    if isinstance(value, dt.date):
        return value.isoformat(), True
    return str(value).strip(), True


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        encodings: tuple[str, ...] = ("utf-8-sig",)
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8", "gb18030")
    for enc in encodings:
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise RosterFileError("无法识别文件编码（应为UTF-8或GBK/GB18030），请在WPS/Excel中另存为CSV或XLSX",
                          "unknown text encoding (expected UTF-8 or GBK/GB18030); save it again as CSV or XLSX")


def _csv_rows(data: bytes) -> list[tuple[str, ...]]:
    text = _decode(data)
    if "\x00" in text:
        raise RosterFileError("文件不是文本表格（CSV）也不是Excel/WPS表格",
                              "the file is neither a text (CSV) table nor a spreadsheet")
    first = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";", "，"), key=first.count)
    if delimiter == "，":  # a full-width comma is not a CSV delimiter the csv module knows as such
        text = text.replace("，", ",")
        delimiter = ","
    rows: list[tuple[str, ...]] = []
    try:
        for values in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            rows.append(tuple(v.strip() for v in values))
            if len(rows) > MAX_ROWS + 20:
                raise _too_many()
    except csv.Error:
        raise RosterFileError("CSV文件格式有误（引号不成对等）", "the CSV file is malformed (unbalanced quotes)") from None
    return rows
