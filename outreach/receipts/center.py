"""Verifying a receipt code at the center: every enrolled device's key, and the center's own decision.

The store answers :meth:`sync.center.store.Store.receipt_lookup` (operations by id or id prefix, with
the status the center gave each: applied, applied_with_conflict, duplicate, rejected).
"""

from __future__ import annotations

from typing import Any

from outreach.receipts.content import operation_day
from outreach.receipts.verify import OpRecord, Verdict, verify


def verify_at_center(store: Any, text: str) -> Verdict:
    """Check a QR payload or short code against the center's store."""

    def public_key(device_id: str) -> bytes | None:
        device = store.device(device_id)
        return bytes(device.public_key) if device is not None else None

    def find(prefix: str) -> list[OpRecord]:
        out = []
        for row in store.receipt_lookup(prefix):
            out.append(OpRecord(
                op_id=row["op_id"], device_id=row["device_id"], kind=row["kind"], op_hash=row["hash"],
                day=operation_day(row["hlc"]), status=row["status"], code=row.get("code"),
                message_zh=row.get("message_zh"), message_en=row.get("message_en"),
            ))
        return out

    return verify(text, where="center", public_key=public_key, find=find)
