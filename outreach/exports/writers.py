"""Writers that stream rows to disk in bounded memory: CSV (UTF-8 with BOM), JSON Lines, and XLSX.

Every file carries the export id: CSV and JSON Lines in a last line (whose absence also shows a file cut
short), XLSX in the summary sheet and the workbook properties. Text cells that a spreadsheet would run as a
formula are escaped in CSV and XLSX (:func:`outreach.exports.masking.safe_cell`); JSON Lines is for machines
and keeps values as they are.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

import xlsxwriter

from outreach.exports.datasets import Column, Row
from outreach.exports.labels import DATASET_EN, DATASET_ZH
from outreach.exports.masking import FORMULA_LEAD_CHARS, safe_cell

CSV_END = "#导出结束 export end"
XLSX_MAX_ROWS = 1_048_576  # the format's limit, header included


def _csv_value(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return safe_cell(value)
    return str(value)


class CsvWriter:
    """One dataset as CSV that Excel and WPS open as UTF-8 (BOM first)."""

    def __init__(self, path: Path, columns: Sequence[Column], export_id: str) -> None:
        self.path, self.export_id, self.rows = path, export_id, 0
        self._fh: IO[str] = open(path, "w", encoding="utf-8-sig", newline="")  # noqa: SIM115
        self._csv = csv.writer(self._fh)
        self._csv.writerow([c.zh for c in columns])
        self._writerow = self._csv.writerow
        # Per column, not per cell: which cells need a look at all (text may need escaping, dates formatting).
        self._texts = tuple(i for i, c in enumerate(columns) if c.type == "text")
        self._others = tuple(i for i, c in enumerate(columns) if c.type != "text")

    def write(self, row: Row) -> None:
        """The same text as :func:`_csv_value` of every cell; the common cases inline."""
        cells = list(row)
        leads = FORMULA_LEAD_CHARS
        for i in self._texts:
            value = cells[i]
            if value.__class__ is str:
                if value and value[0] in leads:
                    cells[i] = "'" + value
            else:
                cells[i] = _csv_value(value)
        for i in self._others:
            value = cells[i]
            if value.__class__ is dt.date:
                cells[i] = value.isoformat()
            elif value.__class__ is not int:
                cells[i] = _csv_value(value)
        self._writerow(cells)
        self.rows += 1

    def close(self) -> None:
        self._csv.writerow([CSV_END, self.export_id, self.rows])
        self._fh.flush()
        self._fh.close()

    def abort(self) -> None:
        self._fh.close()


class JsonlWriter:
    """One dataset as JSON Lines: a head line, one object per row (English keys), an end line."""

    def __init__(self, path: Path, columns: Sequence[Column], export_id: str, dataset: str) -> None:
        self.path, self.export_id, self.rows = path, export_id, 0
        self._keys = [c.key for c in columns]
        self._fh: IO[str] = open(path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
        head = {"export_id": export_id, "dataset": dataset, "columns": self._keys}
        self._fh.write(json.dumps({"export_head": head}, ensure_ascii=False) + "\n")

    def write(self, row: Row) -> None:
        obj = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in zip(self._keys, row, strict=True)}
        self._fh.write(json.dumps(obj, ensure_ascii=False) + "\n")
        self.rows += 1

    def close(self) -> None:
        self._fh.write(json.dumps({"export_end": {"export_id": self.export_id, "rows": self.rows}}) + "\n")
        self._fh.flush()
        self._fh.close()

    def abort(self) -> None:
        self._fh.close()


class XlsxBook:
    """One workbook for the whole export: a summary sheet first, then one or more sheets per dataset.

    ``target``: a path (streamed with ``constant_memory``: one row in memory per sheet) or a BytesIO (built in
    memory, for full exports that are encrypted before anything touches the disk).
    """

    def __init__(self, target: Path | io.BytesIO, export_id: str, rows_per_sheet: int = XLSX_MAX_ROWS - 1) -> None:
        # Cells are written with write_string/write_datetime/write_number, never the guessing write(); the
        # options say so anyway, so that no text ever turns into a formula or a link.
        options: dict[str, Any] = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
        if isinstance(target, Path):  # stream; the row files stay beside the output, removed with it on failure
            options = {**options, "in_memory": False, "constant_memory": True, "tmpdir": str(target.parent)}
        self.path = target if isinstance(target, Path) else None
        self.export_id = export_id
        self.rows_per_sheet = min(rows_per_sheet, XLSX_MAX_ROWS - 1)
        self.book = xlsxwriter.Workbook(target, options)
        self.book.set_properties({"title": "社保卡上门服务导出 outreach export", "comments": export_id})
        self.book.set_custom_property("export_id", export_id)
        self.summary_sheet = self.book.add_worksheet("汇总 Summary")
        self.fmt_head = self.book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        self.fmt_date = self.book.add_format({"num_format": "yyyy-mm-dd"})
        self.rows: dict[str, int] = {}
        self._sheet: Any = None
        self._sheet_row = 0
        self._columns: Sequence[Column] = ()
        self._dataset = ""
        self._part = 0

    def start(self, dataset: str, columns: Sequence[Column]) -> None:
        self._finish_sheet()
        self._dataset, self._columns, self._part = dataset, columns, 0
        self.rows[dataset] = 0
        self._new_sheet()

    def _new_sheet(self) -> None:
        self._finish_sheet()
        self._part += 1
        name = DATASET_ZH[self._dataset] + ("" if self._part == 1 else f" ({self._part})")
        sheet = self.book.add_worksheet(name)
        for col, column in enumerate(self._columns):
            sheet.write_string(0, col, column.zh, self.fmt_head)
            sheet.set_column(col, col, 12 if column.type != "text" else 18)
        sheet.freeze_panes(1, 0)
        self._sheet, self._sheet_row = sheet, 0

    def _finish_sheet(self) -> None:
        if self._sheet is not None:
            self._sheet.autofilter(0, 0, max(self._sheet_row, 1), len(self._columns) - 1)
            self._sheet = None

    def write(self, row: Row) -> None:
        """One row: text escaped (:func:`safe_cell`, inline), dates typed, numbers as numbers.

        xlsxwriter's own per-cell work is the floor here (``bench/bench_export.py`` measures it); ``write_row``
        was measured slower than these typed calls, as it guesses each cell's type again."""
        if self._sheet_row >= self.rows_per_sheet:
            self._new_sheet()
        self._sheet_row += 1
        r, sheet = self._sheet_row, self._sheet
        write_string, leads = sheet.write_string, FORMULA_LEAD_CHARS
        for c, value in enumerate(row):
            if value.__class__ is str:
                write_string(r, c, "'" + value if value and value[0] in leads else value)
            elif isinstance(value, str):
                write_string(r, c, safe_cell(value))
            elif isinstance(value, dt.date):
                sheet.write_datetime(r, c, value, self.fmt_date)
            elif value is not None:
                sheet.write_number(r, c, value)
        self.rows[self._dataset] += 1

    def write_summary(self, lines: Sequence[tuple[str, Any]]) -> None:
        """Key/value lines of the summary sheet (export id first, then counts)."""
        self._finish_sheet()
        sheet = self.summary_sheet
        sheet.set_column(0, 0, 36)
        sheet.set_column(1, 1, 40)
        sheet.write_string(0, 0, "导出编号 Export ID", self.fmt_head)
        sheet.write_string(0, 1, self.export_id, self.fmt_head)
        for i, (key, value) in enumerate(lines, start=1):
            sheet.write_string(i, 0, key)
            if isinstance(value, int | float):
                sheet.write_number(i, 1, value)
            else:
                sheet.write_string(i, 1, safe_cell(str(value)))

    def close(self) -> None:
        self._finish_sheet()
        self.book.close()

    def abort(self) -> None:
        """Drop the workbook unwritten: close the sheets' row files (the caller removes the folder)."""
        self._sheet = None
        for sheet in self.book.worksheets():
            fh = getattr(sheet, "row_data_fh", None)
            if fh is not None and not fh.closed:
                fh.close()


def dataset_title(dataset: str) -> str:
    return f"{DATASET_ZH[dataset]} {DATASET_EN[dataset]}"
