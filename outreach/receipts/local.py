"""Verifying a receipt code on a laptop: this device's own key and the operations in its vault.

A laptop knows its own public key only, so a QR code signed by another laptop is "unknown device" here;
the center knows every device's key (:mod:`outreach.receipts.center`).
"""

from __future__ import annotations

from typing import Any

from outreach.receipts.content import operation_day
from outreach.receipts.verify import OpRecord, Verdict, verify


def _record(op: Any) -> OpRecord:
    return OpRecord(op_id=op.op_id, device_id=op.device_id, kind=op.kind, op_hash=op.hash,
                    day=operation_day(op.hlc))


def verify_on_laptop(vault: Any, text: str) -> Verdict:
    """Check a QR payload or short code against ``vault`` (an open :class:`storage.Vault`)."""

    def public_key(device_id: str) -> bytes | None:
        return bytes(vault.public_key) if device_id == vault.device_id else None

    def find(prefix: str) -> list[OpRecord]:
        exact = vault.operations_by_id([prefix]).get(prefix) if len(prefix) == 36 else None
        if exact is not None:
            return [_record(exact)]
        head = prefix.replace("-", "").lower()
        return [_record(op) for op in vault.operations() if op.op_id.replace("-", "").startswith(head)]

    return verify(text, where="laptop", public_key=public_key, find=find)
