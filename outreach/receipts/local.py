"""Verifying a receipt code on a laptop, offline: this device's own key, the operations in its vault and the
center's decision on each as recorded at the last sync (the vault's push outcomes).

A laptop knows its own public key only, so a QR code signed by another laptop is "unknown device" here;
the center knows every device's key (:mod:`outreach.receipts.center`), and an enrolled laptop asks it.
"""

from __future__ import annotations

from typing import Any

from outreach.receipts.content import operation_day
from outreach.receipts.verify import OpRecord, Verdict, verify


def _record(op: Any, outcome: dict[str, Any] | None) -> OpRecord:
    got = outcome or {}
    return OpRecord(op_id=op.op_id, device_id=op.device_id, kind=op.kind, op_hash=op.hash,
                    day=operation_day(op.hlc), status=got.get("status"), code=got.get("code"),
                    message_zh=got.get("message_zh"), message_en=got.get("message_en"))


def verify_on_laptop(vault: Any, text: str) -> Verdict:
    """Check a QR payload or short code against ``vault`` (an open :class:`storage.Vault`)."""

    def public_key(device_id: str) -> bytes | None:
        return bytes(vault.public_key) if device_id == vault.device_id else None

    def find(prefix: str) -> list[OpRecord]:
        exact = vault.operations_by_id([prefix]).get(prefix) if len(prefix) == 36 else None
        if exact is not None:
            ops = [exact]
        else:
            head = prefix.replace("-", "").lower()
            ops = [op for op in vault.operations() if op.op_id.replace("-", "").startswith(head)]
        if not ops:
            return []
        wanted = {op.op_id for op in ops}
        outcomes = {o["op_id"]: o for o in vault.op_outcomes() if o["op_id"] in wanted}
        return [_record(op, outcomes.get(op.op_id)) for op in ops]

    return verify(text, where="laptop", public_key=public_key, find=find)
