"""What to export: the datasets, the filters, and the checkpoint of an incremental export.

Dates of operations are the day in China (UTC+8) of the operation's clock time; a visit's date is its day.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from outreach.domain.enums import VisitOutcome
from outreach.domain.operation import KINDS
from outreach.exports.errors import BadExportRequest

DATASETS = ("visits", "operations", "deadlines", "reveals", "sessions")
FORMATS = ("csv", "xlsx", "jsonl", "pdf")
CHINA = dt.timezone(dt.timedelta(hours=8))
_AREA = re.compile(r"^[0-9]{2,6}$")
_SESSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")


@dataclass(frozen=True)
class ExportFilter:
    """Filters; None means "all". ``area``: a region code prefix (``46`` province, ``4601`` Haikou ...)."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    area: str | None = None
    worker: str | None = None
    outcome: str | None = None
    kinds: tuple[str, ...] = ()
    horizon_days: int = 30
    #: one employer bulk activation day: its reconciliation, and the card operations done at it
    session: str | None = None

    def __post_init__(self) -> None:
        if self.area is not None and not _AREA.match(self.area):
            raise BadExportRequest("地区代码应为 2 到 6 位数字", "the area must be a region code of 2 to 6 digits")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise BadExportRequest("开始日期晚于结束日期", "the start date is after the end date")
        if self.outcome is not None and self.outcome not in {o.value for o in VisitOutcome}:
            raise BadExportRequest("未知的走访结果", "unknown visit outcome")
        unknown = [k for k in self.kinds if k not in KINDS and not any(x.startswith(k) for x in KINDS)]
        if unknown:
            raise BadExportRequest("未知的操作类型", "unknown operation kind")
        if self.session is not None and not _SESSION.match(self.session):
            raise BadExportRequest("场次编号无效", "not a session id")
        if not 0 <= self.horizon_days <= 3650:
            raise BadExportRequest("期限范围应在 0 到 3650 天之间", "the deadline horizon must be 0 to 3650 days")

    def in_area(self, area_code: str | None) -> bool:
        return self.area is None or (area_code is not None and area_code.startswith(self.area))

    def in_dates(self, day: dt.date | None) -> bool:
        if day is None:
            return self.date_from is None and self.date_to is None
        return not ((self.date_from and day < self.date_from) or (self.date_to and day > self.date_to))

    def kind_ok(self, kind: str) -> bool:
        """``kinds`` may hold whole kinds (``card.apply``) or prefixes (``card.``)."""
        return not self.kinds or any(kind == k or kind.startswith(k) for k in self.kinds)

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("date_from", "date_to"):
            if out[key] is not None:
                out[key] = out[key].isoformat()
        out["kinds"] = list(self.kinds)
        return out


@dataclass
class ExportRequest:
    """One export: which datasets in which formats, filtered, masked unless ``masked`` is False.

    ``since``: the checkpoint of a previous export (incremental; see the sources), or None for a full one.
    ``purpose``: required for an unmasked (full) export, recorded with it.
    """

    datasets: tuple[str, ...] = ("visits",)
    formats: tuple[str, ...] = ("csv",)
    filter: ExportFilter = field(default_factory=ExportFilter)
    masked: bool = True
    purpose: str = ""
    since: dict[str, Any] | None = None
    today: dt.date | None = None
    rows_per_sheet: int = 1_048_575

    def __post_init__(self) -> None:
        if not self.datasets or any(d not in DATASETS for d in self.datasets):
            raise BadExportRequest("未知的数据集", "unknown dataset")
        if not self.formats or any(f not in FORMATS for f in self.formats):
            raise BadExportRequest("未知的文件格式", "unknown file format")
        if not 1 <= self.rows_per_sheet <= 1_048_575:
            raise BadExportRequest("每个工作表的行数超出范围", "rows per sheet out of range")
        if not self.masked:
            if not self.purpose.strip():
                raise BadExportRequest("完整导出须说明用途", "a full export needs a stated purpose")
            if set(self.formats) - {"xlsx", "pdf"}:
                raise BadExportRequest("完整导出只能写成加密的 XLSX 文件",
                                       "a full export is written only as an encrypted XLSX file")


_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
_CHINA_MINUTES = 8 * 60
_MAX_WALL_MS = 253_402_271_999_999  # 9999-12-31T23:59:59.999 in China: beyond it the slow path answers
_HHMM = tuple(f"{m // 60:02d}:{m % 60:02d}" for m in range(24 * 60))
_DAYS: dict[int, dt.date] = {}


def op_day_time(hlc: str) -> tuple[dt.date | None, str]:
    """:func:`op_day` and :func:`op_time` of one clock, parsed once.

    A device clock (wall ms) is split into China days and minutes by integer arithmetic, with the day objects
    cached: an export of a million operations would otherwise build two timezone-aware datetimes per row."""
    if "T" not in hlc:
        wall_text = hlc.split(".")[0]
        if wall_text.isdigit():
            wall = int(wall_text)
            if wall <= _MAX_WALL_MS:
                days, minute = divmod(wall // 60_000 + _CHINA_MINUTES, 24 * 60)
                day = _DAYS.get(days)
                if day is None:
                    day = _DAYS[days] = dt.date.fromordinal(_EPOCH_ORDINAL + days)
                return day, _HHMM[minute]
    return op_day(hlc), op_time(hlc)


def op_day(hlc: str) -> dt.date | None:
    """The China day of an operation clock: ``'WWWWWWWWWWWWW.CCCCC'`` (wall ms) or an ISO time (center)."""
    try:
        if "T" in hlc:
            return dt.datetime.fromisoformat(hlc).astimezone(CHINA).date()
        return dt.datetime.fromtimestamp(int(hlc.split(".")[0]) / 1000, CHINA).date()
    except (ValueError, OverflowError, OSError):  # OSError: a wall clock beyond what the platform converts
        return None


def op_time(hlc: str) -> str:
    """``HH:MM`` in China time, or empty."""
    try:
        if "T" in hlc:
            moment = dt.datetime.fromisoformat(hlc).astimezone(CHINA)
        else:
            moment = dt.datetime.fromtimestamp(int(hlc.split(".")[0]) / 1000, CHINA)
    except (ValueError, OverflowError, OSError):  # OSError: a wall clock beyond what the platform converts
        return ""
    return moment.strftime("%H:%M")
