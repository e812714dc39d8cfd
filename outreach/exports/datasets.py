"""The columns of each dataset and how a record from a source becomes one row.

Sources (the laptop's vault, the center's store) yield plain dict records:

* visit: ``{"visit": Visit dump, "worker_id": str, "person": Person dump or None}``
* operation: ``{"op_id", "seq", "worker_id", "device_id", "kind", "subject", "hlc", "payload",
  "status", "code", "message_zh", "person"}``
* cards: ``{"person": Person dump or None, "cards": PersonCards dump}``

A row is a tuple of ``str``, ``int`` and ``datetime.date`` values in column order. Masking is applied here,
so no writer ever sees an unmasked value unless the request is a full export.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from outreach.domain.calendar import WorkingDayCalendar
from outreach.domain.deadlines import card_deadlines
from outreach.domain.enums import STATUS_ZH
from outreach.domain.masking import mask_free_text, mask_id_number, mask_mobile, mask_name
from outreach.domain.models import CardState
from outreach.exports import labels
from outreach.exports.filters import ExportFilter, op_day_time
from outreach.exports.summary import Summary

Row = tuple[Any, ...]
PersonCells = tuple[str, str, str, str, str]
_PERSON_CACHE = 4096


@dataclass(frozen=True)
class Column:
    key: str  # English key (JSON Lines)
    zh: str  # Chinese header (CSV, XLSX)
    type: str = "text"  # text | date | int


def _cols(*spec: tuple[str, str, str]) -> tuple[Column, ...]:
    return tuple(Column(k, zh, t) for k, zh, t in spec)


_PERSON = (("person_id", "人员编号", "text"), ("name", "姓名", "text"), ("id_number", "证件号码", "text"),
           ("mobile", "手机号码", "text"), ("area_code", "地区代码", "text"))

COLUMNS: dict[str, tuple[Column, ...]] = {
    "visits": _cols(("visit_id", "走访编号", "text"), ("day", "走访日期", "date"), ("worker_id", "工作人员", "text"),
                    *_PERSON, ("outcome", "走访结果", "text"), ("present", "在场人员", "text"),
                    ("notes", "备注", "text"), ("operations", "办理业务数", "int"), ("planned", "计划内", "text")),
    "operations": _cols(("op_id", "操作编号", "text"), ("day", "日期", "date"), ("time", "时间", "text"),
                        ("worker_id", "工作人员", "text"), ("device_id", "设备", "text"), ("kind", "业务类型", "text"),
                        *_PERSON, ("card_id", "卡编号", "text"), ("answer", "中心答复", "text"),
                        ("code", "原因代码", "text"), ("reason", "原因", "text")),
    "deadlines": _cols(*_PERSON, ("card_id", "卡编号", "text"), ("card_status", "卡状态", "text"),
                       ("deadline", "期限", "text"), ("article", "条款", "text"), ("due", "到期日", "date"),
                       ("state", "状态", "text"), ("days_left", "剩余天数", "int")),
    "reveals": _cols(("op_id", "操作编号", "text"), ("day", "日期", "date"), ("time", "时间", "text"),
                     ("worker_id", "工作人员", "text"), ("device_id", "设备", "text"), *_PERSON,
                     ("field", "查看字段", "text"), ("screen", "界面", "text")),
    "sessions": _cols(("session_id", "场次编号", "text"), ("employer", "单位统一社会信用代码", "text"),
                      ("closed_on", "结束日期", "date"), *_PERSON, ("outcome", "结果", "text"),
                      ("reason", "原因", "text"), ("agrees", "清单与中心一致", "text"),
                      ("device_id", "结束设备", "text")),
}


#: A laptop's export cannot say whether the center agreed with a close manifest (the compact push answer
#: carries no code for it): ``outreach center session check`` or the center's export says.
NOT_KNOWN_HERE = "本机未知（以中心核对为准）"


class RowBuilder:
    """Turns records into rows for one request: filters what sources cannot, masks, and feeds the summary."""

    def __init__(self, flt: ExportFilter, masked: bool, today: dt.date, summary: Summary,
                 calendar: WorkingDayCalendar | None = None) -> None:
        self.flt = flt
        self.masked = masked
        self.today = today
        self.summary = summary
        self.calendar = calendar or WorkingDayCalendar()
        # Sources hand out the same person dict for every record of that person (their LRU caches), so the
        # masked cells are built once per person, not once per row. Keyed by the dict's id, holding the dict
        # itself so that the id cannot be reused while the entry lives.
        self._people: dict[int, tuple[dict[str, Any], str, PersonCells]] = {}

    def _person(self, person: dict[str, Any] | None, person_id: str) -> PersonCells:
        if not person:
            return person_id, "", "", "", ""
        hit = self._people.get(id(person))
        if hit is not None and hit[0] is person and hit[1] == person_id:
            return hit[2]
        if len(self._people) >= _PERSON_CACHE:
            self._people.clear()
        cells = self._person_cells(person, person_id)
        self._people[id(person)] = (person, person_id, cells)
        return cells

    def _person_cells(self, person: dict[str, Any], person_id: str) -> PersonCells:
        number = str((person.get("document") or {}).get("number") or "")
        name, mobile = str(person.get("name") or ""), str(person.get("mobile") or "")
        if self.masked:
            name, number, mobile = mask_name(name), mask_id_number(number), mask_mobile(mobile)
        return person_id, name, number, mobile, str(person.get("area_code") or "")

    def rows(self, dataset: str, records: Iterator[dict[str, Any]]) -> Iterator[Row]:
        if dataset == "deadlines":
            for record in records:
                yield from self._deadlines(record)
            return
        # One row or none per record: a plain call, not a generator per record.
        build: Callable[[dict[str, Any]], Row | None] = {
            "visits": self._visits, "operations": self._operations, "reveals": self._reveals,
            "sessions": self._sessions}[dataset]
        for record in records:
            row = build(record)
            if row is not None:
                yield row

    def _visits(self, rec: dict[str, Any]) -> Row | None:
        visit, person = rec["visit"], rec.get("person")
        day = dt.date.fromisoformat(str(visit["day"]))
        outcome = str(visit.get("outcome") or "")
        worker = str(rec.get("worker_id") or visit.get("worker_id") or "")
        if not (self.flt.in_dates(day) and self.flt.in_area((person or {}).get("area_code"))):
            return None
        if (self.flt.worker and worker != self.flt.worker) or (self.flt.outcome and outcome != self.flt.outcome):
            return None
        notes = str(visit.get("notes") or "")
        present = "、".join(str(p) for p in visit.get("present") or [])
        if self.masked:
            notes, present = mask_free_text(notes), mask_free_text(present)
        self.summary.visit(worker, day, outcome)
        return (str(visit["visit_id"]), day, worker, *self._person(person, str(visit["person_id"])),
               labels.OUTCOME_ZH.get(outcome, outcome), present, notes, len(visit.get("op_ids") or []),
               "是" if visit.get("planned") else "否")

    def _op_common(self, rec: dict[str, Any]) -> tuple[dt.date | None, str, bool]:
        day, time = op_day_time(str(rec["hlc"]))
        person = rec.get("person")
        ok = (self.flt.in_dates(day) and self.flt.in_area((person or {}).get("area_code"))
              and not (self.flt.worker and rec["worker_id"] != self.flt.worker))
        return day, time, ok

    def _operations(self, rec: dict[str, Any]) -> Row | None:
        kind = str(rec["kind"])
        if not kind.startswith("card."):
            return None
        day, time, ok = self._op_common(rec)
        if not ok or not self.flt.kind_ok(kind):
            return None
        if self.flt.session and (rec.get("payload") or {}).get("session_id") != self.flt.session:
            return None
        status = str(rec.get("status") or "")
        event = (rec.get("payload") or {}).get("event") or {}
        self.summary.operation(kind, status)
        return (str(rec["op_id"]), day, time, str(rec["worker_id"]), str(rec["device_id"]),
               labels.KIND_ZH.get(kind, kind), *self._person(rec.get("person"), str(rec["subject"])),
               str(event.get("card_id") or ""), labels.ANSWER_ZH.get(status, status), str(rec.get("code") or ""),
               str(rec.get("message_zh") or ""))

    def _reveals(self, rec: dict[str, Any]) -> Row | None:
        if rec["kind"] != "audit.reveal":
            return None
        day, time, ok = self._op_common(rec)
        if not ok:
            return None
        payload = rec.get("payload") or {}
        field = str(payload.get("field") or "")
        self.summary.reveal(str(rec["worker_id"]))
        return (str(rec["op_id"]), day, time, str(rec["worker_id"]), str(rec["device_id"]),
               *self._person(rec.get("person"), str(rec["subject"])), labels.FIELD_ZH.get(field, field),
               str(payload.get("screen") or ""))

    def _sessions(self, rec: dict[str, Any]) -> Row | None:
        """One roster person of a closed bulk activation day: the outcome the close reported for them."""
        person, line = rec.get("person"), rec["line"]
        day = dt.date.fromisoformat(str(rec["closed_on"]))
        if not (self.flt.in_dates(day) and self.flt.in_area((person or {}).get("area_code"))):
            return None
        if self.flt.session and rec["session_id"] != self.flt.session:
            return None
        reason = str(line.get("reason") or "")
        agrees = rec.get("agrees")
        return (str(rec["session_id"]), str(rec.get("employer") or ""), day,
                *self._person(person, str(line["person_id"])),
                labels.SESSION_OUTCOME_ZH.get(str(line["outcome"]), str(line["outcome"])),
                mask_free_text(reason) if self.masked else reason,
                NOT_KNOWN_HERE if agrees is None else ("是" if agrees else "否"), str(rec.get("device_id") or ""))

    def _deadlines(self, rec: dict[str, Any]) -> Iterator[Row]:
        person = rec.get("person")
        if not self.flt.in_area((person or {}).get("area_code")):
            return
        horizon = self.today + dt.timedelta(days=self.flt.horizon_days)
        for raw in (rec.get("cards") or {}).get("cards") or []:
            card = CardState.model_validate(raw)
            self.summary.deadlines_kept(card, self.calendar)
            for deadline in card_deadlines(card, self.calendar):
                if deadline.due > horizon:
                    continue
                if (self.flt.date_from or self.flt.date_to) and not self.flt.in_dates(deadline.due):
                    continue
                overdue = deadline.due < self.today
                self.summary.deadline(deadline.kind, overdue)
                yield (*self._person(person, str(card.person_id)), card.card_id, STATUS_ZH.get(card.status, card.status.value),
                       labels.DEADLINE_ZH.get(deadline.kind, deadline.kind), f"第{deadline.article}条",
                       deadline.due, "逾期" if overdue else "临近", (deadline.due - self.today).days)
