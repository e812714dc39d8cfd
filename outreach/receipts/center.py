"""Verifying a receipt code with the center's knowledge: every enrolled device's key, and the center's decision.

Two ways in, one answer. At the center, :func:`verify_at_center` reads its store directly
(:meth:`sync.center.store.Store.receipt_lookup`: operations by id or id prefix, with the status the center gave
each: applied, applied_with_conflict, duplicate, rejected). On any enrolled laptop, :func:`verify_with_center`
takes the same rows and the signing device's key from one signed request to the center
(:func:`sync.client.client.receipt_lookup`), so a laptop can check a receipt another laptop printed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from outreach.receipts import code as codes
from outreach.receipts.content import operation_day
from outreach.receipts.verify import OpRecord, Verdict, verify

#: ``(op prefix or id, device whose key is wanted or None) -> (the center's rows, that device's public key)``.
CenterAsk = Callable[[str, str | None], tuple[Sequence[Mapping[str, Any]], bytes | None]]


def records(rows: Iterable[Mapping[str, Any]]) -> list[OpRecord]:
    """The center's rows (``op_id, device_id, kind, hlc, hash, status, code, message_zh, message_en``)."""
    return [OpRecord(
        op_id=str(row["op_id"]), device_id=str(row["device_id"]), kind=str(row["kind"]), op_hash=str(row["hash"]),
        day=operation_day(str(row["hlc"])), status=row.get("status"), code=row.get("code"),
        message_zh=row.get("message_zh"), message_en=row.get("message_en"),
    ) for row in rows]


def verify_at_center(store: Any, text: str) -> Verdict:
    """Check a QR payload or short code against the center's store."""

    def public_key(device_id: str) -> bytes | None:
        device = store.device(device_id)
        return bytes(device.public_key) if device is not None else None

    def find(prefix: str) -> list[OpRecord]:
        return records(store.receipt_lookup(prefix))

    return verify(text, where="center", public_key=public_key, find=find)


def verify_with_center(text: str, ask: CenterAsk) -> Verdict:
    """Check a QR payload or short code with what the center answers to one question (see :data:`CenterAsk`).

    Raises nothing for a bad code; ``ask``'s own errors (center unreachable, refused) pass through.
    """
    parsed = codes.parse(text)
    if parsed is None:
        return Verdict("unreadable", "center")
    if isinstance(parsed, codes.ReceiptCode):
        prefix, key_of = parsed.op_id, parsed.device_id
    else:
        prefix, key_of = parsed.op_prefix, None
    rows, key = ask(prefix, key_of)
    held = records(rows)
    return verify(text, where="center", public_key=lambda device: key if device == key_of else None,
                  find=lambda _prefix: held)
