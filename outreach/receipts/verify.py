"""Checking a receipt's code, on a laptop or at the center: what it is for, whether it is genuine, what was decided.

The checker supplies two look-ups: the public key of a device (the center: every enrolled device; a laptop:
its own) and the operations whose id starts with a given prefix (the center's store, or the laptop's vault),
with the center's decision where it has one. :func:`verify` never raises for a bad code: a garbled,
altered or forged code is a verdict, not an error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from outreach.receipts import code as codes
from outreach.receipts.content import tr

Validity = Literal["valid", "invalid", "unknown_device", "unreadable", "not_found"]
Where = Literal["center", "laptop"]


@dataclass(frozen=True)
class OpRecord:
    """An operation as the checker holds it; ``status`` etc. are the center's decision (on a laptop: as recorded
    at its last sync; None when the center has not answered for it yet)."""

    op_id: str
    device_id: str
    kind: str
    op_hash: str
    day: date | None
    status: str | None = None
    code: str | None = None
    message_zh: str | None = None
    message_en: str | None = None


@dataclass(frozen=True)
class Verdict:
    validity: Validity
    where: Where
    op_id: str | None = None
    kind: str | None = None
    day: date | None = None
    device_id: str | None = None
    record: OpRecord | None = None
    """The checker's own record of the operation, when it has one."""

    @property
    def ok(self) -> bool:
        return self.validity == "valid"

    def lines(self, lang: str) -> list[str]:
        """The verdict in words (catalogue texts), most important first."""
        if self.validity != "valid":
            return [tr(lang, f"receipt.verify.{self.validity}")]
        kind = tr(lang, f"kind.{self.kind}")
        day = self.day.isoformat() if self.day else "?"
        device = (self.device_id or "")[:8]
        key = "receipt.verify.valid" if self.op_id else "receipt.verify.short_valid"
        out = [tr(lang, key, kind=kind, day=day, device=device)]
        rec = self.record
        if self.where == "center":
            if rec is None or rec.status is None:
                out.append(tr(lang, "receipt.verify.center_missing"))
            else:
                out.append(tr(lang, "receipt.verify.center_has", status=tr(lang, f"receipt.verify.status.{rec.status}")))
                reason = rec.message_zh if lang != "en" else rec.message_en
                if reason:
                    out.append(tr(lang, "receipt.verify.center_reason", reason=reason))
        elif rec is not None:
            out.append(tr(lang, "receipt.verify.local_has"))
            if rec.status is None:  # not answered by the center yet: in the outbox, or never synced
                out.append(tr(lang, "receipt.verify.laptop_unsent"))
            else:
                out.append(tr(lang, "receipt.verify.laptop_center_has",
                              status=tr(lang, f"receipt.verify.status.{rec.status}")))
                reason = rec.message_zh if lang != "en" else rec.message_en
                if reason:
                    out.append(tr(lang, "receipt.verify.center_reason", reason=reason))
        return out


def verify(
    text: str,
    *,
    where: Where,
    public_key: Callable[[str], bytes | None],
    find: Callable[[str], list[OpRecord]],
) -> Verdict:
    """Check a QR payload or a short code.

    Args:
        text: what was scanned or typed.
        where: who checks (words differ: the center states its decision).
        public_key: device id -> its Ed25519 public key, None when unknown.
        find: an operation id or an 8-hex-digit prefix -> the operations held whose id starts with it.

    Raises nothing for a bad code (the look-ups' own errors pass through).
    """
    parsed = codes.parse(text)
    if parsed is None:
        return Verdict("unreadable", where)
    if isinstance(parsed, codes.ShortCode):
        found = [r for r in find(parsed.op_prefix) if parsed.matches(r.op_id, r.op_hash)]
        if len(found) != 1:
            return Verdict("not_found", where)
        rec = found[0]
        return Verdict("valid", where, None, rec.kind, rec.day, rec.device_id, rec)
    key = public_key(parsed.device_id)
    if key is None:
        return Verdict("unknown_device", where, parsed.op_id)
    if not codes.signature_ok(parsed, key):
        return Verdict("invalid", where, parsed.op_id)
    held = next((r for r in find(parsed.op_id) if r.op_id == parsed.op_id), None)
    if held is not None and (held.op_hash != parsed.op_hash or held.device_id != parsed.device_id):
        return Verdict("invalid", where, parsed.op_id)
    return Verdict("valid", where, parsed.op_id, parsed.kind, parsed.day, parsed.device_id, held)
