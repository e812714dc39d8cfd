"""Supervisor exports at the center: the records of a city or the province, read in pages from the store.

A :class:`CenterExportSource` is what ``outreach.exports.engine.run_export`` reads (its ``RecordSource``
shape; this module does not import ``outreach.exports``, so that ``sync`` keeps to its layer). Records are the
plain dicts described in ``outreach.exports.datasets``.

Authorisation is the device's: only a supervisor's device that is enrolled and not revoked may export, and
only its own area or a region under it (a province supervisor enrolled with ``46`` exports all of Hainan).

Reading: operations in ``log_index`` order, in pages of :data:`PAGE` rows, each page one short read
transaction, all bounded by the log size when the export began, so that rows recorded meanwhile wait for the
next export and paging never skips or repeats. The area and worker filters run in SQL. Incremental exports
start after the previous export's ``log_index`` (taken from its verified manifest).
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Iterator
from functools import partial
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from sync.center import access, sessions
from sync.center.sqlstore import SqlStore
from sync.center.store import Device
from sync.center.tables import operations, subjects
from sync.errors import SyncError

PAGE = 5000


class ExportNotAllowed(SyncError):
    """Raised when the device may not export (not a supervisor, revoked, unknown) or not that area."""

    code = "export_not_allowed"
    message_zh = "该设备无权导出这些数据"
    message_en = "this device may not export this data"


def authorise(store: SqlStore, device_id: str, area: str | None) -> tuple[Device, str]:
    """The device and the area it may export (``area`` if under its own, else its own).

    Raises:
        ExportNotAllowed: unknown or revoked device, not a supervisor, no area, or an area outside its own.
    """
    device = store.device(device_id)
    if device is None or device.revoked:
        raise ExportNotAllowed(message_zh="设备未登记或已被吊销", message_en="device unknown or revoked")
    if device.role != "supervisor":
        raise ExportNotAllowed(message_zh="只有主管可以导出", message_en="only a supervisor may export")
    own = device.area_code or ""
    if not own:
        raise ExportNotAllowed(message_zh="登记时未指定辖区", message_en="no area was given at enrolment")
    wanted = area or own
    if not access.valid_area(wanted) or not wanted.startswith(own):  # digits only: no LIKE wildcard in it
        raise ExportNotAllowed(message_zh="只能导出本人辖区的数据", message_en="you may export only your own area")
    return device, wanted


_KIND_OF = {"operations": "card.%", "reveals": "audit.reveal", "visits": "visit.log"}


class CenterExportSource:
    """Records for one authorised device; signs manifests with the center's key."""

    signer_kind = "center"
    signer_id = "center"

    def __init__(self, store: SqlStore, device: Device) -> None:
        self.store = store
        self.device = device
        self._key = Ed25519PrivateKey.from_private_bytes(store.center_keys().sign_private)
        self.public_key = self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self._mark: int | None = None
        self._people: OrderedDict[str, dict[str, Any] | None] = OrderedDict()

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message)

    def record_full_export(self, payload: dict[str, Any]) -> None:
        raise ExportNotAllowed(message_zh="完整导出只能在主管的笔记本上进行（在那里记录并上报）",
                               message_en="full exports are made on a supervisor's laptop, where they are recorded")

    def mark(self) -> int:
        """The log size when this export began (rows up to it are exported)."""
        if self._mark is None:
            self._mark = self.store.transaction(operations.last_log_index)
        return self._mark

    def checkpoint(self) -> dict[str, Any]:
        return {"log_index": self.mark()}

    def _person(self, subject: str, raw: str | None) -> dict[str, Any] | None:
        if subject in self._people:
            self._people.move_to_end(subject)
            return self._people[subject]
        person = json.loads(raw) if raw else None
        self._people[subject] = person
        if len(self._people) > 4096:
            self._people.popitem(last=False)
        return person

    def records(self, dataset: str, flt: Any, since: dict[str, Any] | None) -> Iterator[dict[str, Any]]:
        area = str(flt.area or self.device.area_code or "")
        if not area.startswith(self.device.area_code or "\0"):
            raise ExportNotAllowed(message_zh="只能导出本人辖区的数据", message_en="you may export only your own area")
        if dataset == "deadlines":
            return self._cards(area)
        if dataset == "sessions":
            return self._closes(int((since or {}).get("log_index", -1)))
        return self._ops(dataset, area, flt.worker, int((since or {}).get("log_index", -1)))

    def _ops(self, dataset: str, area: str, worker: str | None, after: int) -> Iterator[dict[str, Any]]:
        mark = self.mark()
        last = after
        while True:  # each page read in its own short transaction
            rows = self.store.transaction(partial(
                operations.export_page, after=last, upto=mark, kind_like=_KIND_OF[dataset], area_prefix=area,
                worker=worker, applied_only=dataset == "visits", limit=PAGE))
            for r in rows:
                if not r[13]:
                    continue  # outside the area: only its log position was read
                body = json.loads(r[8]) if r[8] else {}
                payload = body.get("payload") or {"event": body.get("event")}
                person = self._person(str(r[6]), r[12])
                if dataset == "visits":
                    visit = payload.get("visit") or {}
                    if visit.get("visit_id") and visit.get("day"):
                        yield {"visit": visit, "worker_id": r[4], "person": person}
                    continue
                yield {"op_id": r[1], "seq": r[3], "worker_id": r[4], "device_id": r[2], "kind": r[5],
                       "subject": r[6], "hlc": r[7], "payload": payload, "status": r[9], "code": r[10],
                       "message_zh": r[11], "person": person}
            if len(rows) < PAGE:
                return
            last = int(rows[-1][0])

    def _closes(self, after: int) -> Iterator[dict[str, Any]]:
        """Every ``session.close`` the center holds up to this export's mark (after ``after``), one record per
        roster person with the center's person record (the area filter and the masking are the export's, as
        for every dataset) and whether the manifest agreed with the center when it arrived."""
        mark = self.mark()
        last = after
        while True:
            rows = self.store.transaction(partial(sessions.closes_page, after=last, upto=mark, limit=PAGE))
            for _, sid, device_id, manifest, check, employer in rows:
                close = json.loads(manifest)
                agrees = bool(json.loads(check).get("agree"))
                for line in close.get("lines") or []:
                    pid = str(line.get("person_id"))
                    raw = self.store.transaction(partial(subjects.person_text, subject=pid))
                    yield {"session_id": sid, "employer": employer, "closed_on": close.get("closed_on"),
                           "line": line, "agrees": agrees, "device_id": device_id,
                           "person": self._person(pid, raw)}
            if len(rows) < PAGE:
                return
            last = int(rows[-1][0])

    def _cards(self, area: str) -> Iterator[dict[str, Any]]:
        last = ""
        while True:  # each page read in its own short transaction
            rows = self.store.transaction(partial(subjects.cards_page, area_prefix=area, after=last, limit=PAGE))
            for _subject, person, cards in rows:
                yield {"person": json.loads(person) if person else None, "cards": json.loads(cards)}
            if len(rows) < PAGE:
                return
            last = str(rows[-1][0])
