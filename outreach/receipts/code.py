"""The receipt's two codes: a QR payload signed by the device key, and a short code to read over the phone.

QR payload (``HNSC1|op_id|device_id|kind|day|op_hash|signature``): the device's Ed25519 signature over a
statement that binds the operation id, the device, the kind, the day and the operation's hash. Anyone who
knows the device's public key (the center knows every enrolled device's; a laptop knows its own) can check
it without the operation itself; whoever holds the operation also checks that its hash is the one signed.
The statement starts with ``outreach-receipt-v1`` and is longer than 32 bytes, so it can pass neither for a
sync request (``outreach-sync-v1``) nor for an operation signature (32 raw bytes).

Short code (``ABCD-1234-KQ7M-2XZP``): the first 8 hex digits of the operation id and 40 bits of its hash in
base32. It proves nothing alone; whoever holds the operation (the center after sync, the laptop that made
it) finds it by the id prefix and compares the hash bits, which only someone who saw the operation knows.

No personal data is in either code: the hash is one-way and the rest are ids, a kind and a day.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

PREFIX = "HNSC1"
STATEMENT_TAG = "outreach-receipt-v1"
_SHORT = re.compile(r"^([0-9A-F]{4})-?([0-9A-F]{4})-?([A-Z2-7]{4})-?([A-Z2-7]{4})$")


@dataclass(frozen=True)
class ReceiptCode:
    """What a QR payload carries."""

    op_id: str
    device_id: str
    kind: str
    day: date
    op_hash: str
    signature: bytes


@dataclass(frozen=True)
class ShortCode:
    """What a short code carries: an operation-id prefix (8 hex digits) and 40 bits of the hash (base32)."""

    op_prefix: str
    hash_tag: str

    def matches(self, op_id: str, op_hash: str) -> bool:
        return op_id.replace("-", "").lower().startswith(self.op_prefix.lower()) and hash_tag(op_hash) == self.hash_tag


ParsedCode = ReceiptCode | ShortCode


def statement(op_id: str, device_id: str, kind: str, day: date, op_hash: str) -> bytes:
    """The bytes the device signs for a receipt."""
    return "\n".join([STATEMENT_TAG, op_id, device_id, kind, day.isoformat(), op_hash]).encode("utf-8")


def hash_tag(op_hash: str) -> str:
    """40 bits of the operation hash, as 8 base32 letters and digits."""
    return base64.b32encode(bytes.fromhex(op_hash)[:5]).decode("ascii")


def short_code(op_id: str, op_hash: str) -> str:
    """``ABCD-1234-KQ7M-2XZP``: read over the phone to the 12333 hotline or the center."""
    head = op_id.replace("-", "")[:8].upper()
    tag = hash_tag(op_hash)
    return f"{head[:4]}-{head[4:]}-{tag[:4]}-{tag[4:]}"


def qr_payload(code: ReceiptCode) -> str:
    sig = base64.urlsafe_b64encode(code.signature).decode("ascii").rstrip("=")
    return "|".join([PREFIX, code.op_id, code.device_id, code.kind, code.day.isoformat(), code.op_hash, sig])


def parse(text: str) -> ParsedCode | None:
    """A QR payload or a short code; None when it is neither (garbled, truncated, another format)."""
    text = text.strip()
    if text.startswith(PREFIX + "|"):
        parts = text.split("|")
        if len(parts) != 7:
            return None
        _, op_id, device_id, kind, day, op_hash, sig = parts
        try:
            signature = base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4))
            parsed_day = date.fromisoformat(day)
            bytes.fromhex(op_hash)
        except ValueError:
            return None
        if len(signature) != 64 or len(op_hash) != 64 or not op_id or not device_id or not kind:
            return None
        return ReceiptCode(op_id, device_id, kind, parsed_day, op_hash.lower(), signature)
    match = _SHORT.match(text.upper().replace(" ", ""))
    if match is None:
        return None
    head, tag = match.group(1) + match.group(2), match.group(3) + match.group(4)
    return ShortCode(op_prefix=head.lower(), hash_tag=tag)


def signature_ok(code: ReceiptCode, public_key: bytes) -> bool:
    """True when the device whose public key this is signed exactly this receipt."""
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            code.signature, statement(code.op_id, code.device_id, code.kind, code.day, code.op_hash)
        )
    except (InvalidSignature, ValueError):
        return False
    return True


Validity = Literal["valid", "invalid", "unknown_device", "unreadable", "not_found"]
