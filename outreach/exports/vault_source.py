"""Exports on the laptop, from what its vault holds (a supervisor's vault pulled the area's people, cards and
visits). Role and area are those the vault learned at enrolment (``sync.role``, ``sync.area``): a worker
cannot export, a supervisor only their area.

Incremental exports ("since my last export"): the checkpoint (vault meta ``export.checkpoint``) holds the last
operation seq read and a digest set of the visits read, so a visit a colleague logged earlier but that was
pulled only now is still exported once.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import zlib
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from outreach.exports.errors import BadExportRequest, ExportRefused
from outreach.exports.filters import ExportFilter, ExportRequest
from storage import Vault
from sync.client.trust import META_AREA, META_ROLE

CHECKPOINT_META = "export.checkpoint"
_FAR_PAST_DAYS = 3650


def _digest(visit_id: str) -> bytes:
    return hashlib.sha256(visit_id.encode()).digest()[:8]


def _pack(digests: set[bytes]) -> str:
    return base64.b64encode(zlib.compress(b"".join(sorted(digests)))).decode()


def _unpack(text: str) -> set[bytes]:
    try:
        raw = zlib.decompress(base64.b64decode(text))
    except (ValueError, zlib.error) as exc:
        raise BadExportRequest("导出检查点已损坏", "the export checkpoint is damaged") from exc
    return {raw[i:i + 8] for i in range(0, len(raw), 8)}


class VaultSource:
    """A :class:`outreach.exports.engine.RecordSource` over an open vault."""

    signer_kind = "device"

    def __init__(self, vault: Vault, today: Any = None) -> None:
        self.vault = vault
        self.signer_id = vault.device_id
        self.public_key = vault.public_key
        self._people: OrderedDict[str, dict[str, Any] | None] = OrderedDict()
        self._seq = 0
        self._seen: set[bytes] | None = None
        self._since: dict[str, Any] = {}
        self._today = today

    # -- authorisation -------------------------------------------------------------------------------
    def authorise(self, request: ExportRequest) -> ExportRequest:
        """The request limited to this supervisor's area.

        Raises:
            ExportRefused: not enrolled, not a supervisor, no area, or an area outside one's own.
        """
        role, area = self.vault.get_meta(META_ROLE), self.vault.get_meta(META_AREA) or ""
        if role is None:
            raise ExportRefused("本设备尚未登记，不能导出", "this laptop is not enrolled; it cannot export")
        if role != "supervisor":
            raise ExportRefused("只有主管可以导出", "only a supervisor may export")
        if not area:
            raise ExportRefused("登记时未指定辖区，不能导出", "no area was given at enrolment; cannot export")
        wanted = request.filter.area or area
        if not wanted.startswith(area):
            raise ExportRefused("只能导出本人辖区的数据", "you may export only your own area")
        return dataclasses.replace(request, filter=dataclasses.replace(request.filter, area=wanted))

    # -- checkpoint ----------------------------------------------------------------------------------
    def load_checkpoint(self) -> dict[str, Any] | None:
        raw = self.vault.get_meta(CHECKPOINT_META)
        return None if raw is None else dict(json.loads(raw))

    def save_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        self.vault.set_meta(CHECKPOINT_META, json.dumps(checkpoint))

    def checkpoint(self) -> dict[str, Any]:
        if self._seen is not None:
            seen = self._seen
        else:
            seen = _unpack(self._since["_visits"]) if self._since.get("_visits") else set()
        return {"seq": max(self._seq, int(self._since.get("seq", 0))), "visits": len(seen), "_visits": _pack(seen)}

    # -- records -------------------------------------------------------------------------------------
    def sign(self, message: bytes) -> bytes:
        return self.vault.sign(message)

    def record_full_export(self, payload: dict[str, Any]) -> None:
        self.vault.append("audit.export", "export:" + str(payload["export_id"]), payload)

    def _person(self, person_id: str) -> dict[str, Any] | None:
        if person_id in self._people:
            self._people.move_to_end(person_id)
            return self._people[person_id]
        person = self.vault.get_person(person_id)
        found = None if person is None else person.model_dump(mode="json")
        self._people[person_id] = found
        if len(self._people) > 4096:
            self._people.popitem(last=False)
        return found

    def records(self, dataset: str, flt: ExportFilter, since: dict[str, Any] | None) -> Iterator[dict[str, Any]]:
        self._since = since or {}
        if dataset == "visits":
            return self._visits(flt)
        if dataset == "deadlines":
            return self._deadlines(flt)
        if dataset == "sessions":
            return self._sessions()
        return self._operations(dataset, flt)

    def _visits(self, flt: ExportFilter) -> Iterator[dict[str, Any]]:
        old = _unpack(self._since["_visits"]) if self._since.get("_visits") else set()
        self._seen = set(old)
        for visit in self.vault.iter_visits():  # in pages: 200,000 visits in bounded memory
            digest = _digest(visit.visit_id)
            if digest in old:
                continue
            self._seen.add(digest)
            if not flt.in_dates(visit.day):
                continue
            yield {"visit": visit.model_dump(mode="json"), "worker_id": visit.worker_id,
                   "person": self._person(visit.person_id)}

    def _operations(self, dataset: str, flt: ExportFilter) -> Iterator[dict[str, Any]]:
        prefix = "card." if dataset == "operations" else "audit.reveal"
        outcomes = {o["op_id"]: o for o in self.vault.op_outcomes()} if dataset == "operations" else {}
        for op in self.vault.operations(after_seq=int(self._since.get("seq", 0))):
            self._seq = max(self._seq, op.seq)
            if not op.kind.startswith(prefix):
                continue
            outcome = outcomes.get(op.op_id) or {}
            yield {"op_id": op.op_id, "seq": op.seq, "worker_id": op.worker_id, "device_id": op.device_id,
                   "kind": op.kind, "subject": op.subject, "hlc": op.hlc, "payload": op.payload,
                   "status": outcome.get("status") or "pending", "code": outcome.get("code"),
                   "message_zh": outcome.get("message_zh"), "person": self._person(op.subject)}

    def _sessions(self) -> Iterator[dict[str, Any]]:
        """The reconciliations of the bulk activation days this laptop closed (``session.close`` in its own log;
        a supervisor's laptop pulls no other laptop's session records), one record per roster person. Whether
        the center agreed is known only when its answer carried the code (``manifest_agrees`` /
        ``manifest_differs``; the compact push answer does not), else None."""
        outcomes = {o["op_id"]: o for o in self.vault.op_outcomes()}
        employers: dict[str, str] = {}
        for op in self.vault.operations():
            if op.kind == "session.plan":
                plan = op.payload.get("session") or {}
                employers[str(plan.get("session_id"))] = str((plan.get("employer") or {}).get("credit_code") or "")
            if op.kind != "session.close" or op.seq <= int(self._since.get("seq", 0)):
                continue
            self._seq = max(self._seq, op.seq)
            close = op.payload.get("close") or {}
            code = (outcomes.get(op.op_id) or {}).get("code")
            agrees = None if code not in ("manifest_agrees", "manifest_differs") else code == "manifest_agrees"
            sid = str(close.get("session_id") or "")
            for line in close.get("lines") or []:
                yield {"session_id": sid, "employer": employers.get(sid, ""), "closed_on": close.get("closed_on"),
                       "line": line, "agrees": agrees, "device_id": op.device_id,
                       "person": self._person(str(line.get("person_id")))}

    def _deadlines(self, flt: ExportFilter) -> Iterator[dict[str, Any]]:
        import datetime as dt

        today = self._today or dt.date.today()
        cards = self.vault.cards_needing_attention(today, horizon_days=flt.horizon_days,
                                                   overdue_days=_FAR_PAST_DAYS)
        by_person: dict[str, list[dict[str, Any]]] = {}
        for card in cards:
            by_person.setdefault(card.person_id, []).append(card.model_dump(mode="json"))
        for person_id in sorted(by_person):
            yield {"person": self._person(person_id), "cards": {"person_id": person_id, "cards": by_person[person_id]}}
