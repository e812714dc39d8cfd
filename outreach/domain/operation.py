"""The operation envelope: the one record every layer exchanges.

Every user action is an immutable :class:`Operation`. The laptop's vault appends them to a hash-chained,
signed log; the sync client pushes them; the center re-checks and records them. This module is pure: it
defines the fields, the canonical encoding, the hash and the signature check, so that the laptop and the
center compute them identically.

Hash: SHA-256 over the canonical JSON (sorted keys, no spaces, UTF-8, no NaN) of every field except
``hash`` and ``signature``. ``prev_hash`` is the hash of the same device's previous operation, or
:data:`GENESIS_HASH` for its first. Signature: Ed25519 by the device key over the 32 raw hash bytes.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import BaseModel, ConfigDict, Field

#: ``prev_hash`` of a device's first operation.
GENESIS_HASH = "0" * 64
#: Version of the operation payload schema written by this code. Bump on incompatible payload changes.
SCHEMA_VERSION = 1

#: Operation kinds. Card kinds carry ``payload["event"]`` (a lifecycle event, see
#: :mod:`outreach.domain.lifecycle`) and ``payload["cards"]`` (the provisional PersonCards snapshot after it).
#: Person kinds carry ``payload["person"]``; visit kinds ``payload["visit"]``.
KINDS: frozenset[str] = frozenset(
    {
        "person.register",  # a person first recorded on this device
        "person.update",  # non-key data change (Art. 23, last sentence)
        "card.apply",  # Art. 8-11
        "card.issue",  # card produced and ready to collect (center)
        "card.deliver",  # collected / home delivery (Art. 12)
        "card.bank_activate",  # Art. 15
        "card.loss_temporary",  # Art. 17
        "card.loss_formal",  # Art. 18
        "card.unlock",  # Art. 19
        "card.replace",  # Art. 20
        "card.exchange",  # Art. 21-22
        "card.reissue",  # Art. 23 key data change
        "card.return_old",  # Art. 25
        "card.cancel",  # Art. 27-28
        "card.suspend",  # Art. 42
        "card.lift_suspension",  # Art. 42: the department lifts its suspension
        "card.recall",  # Art. 12: uncollected 180 days (center)
        "card.lift_temporary",  # Art. 17: 15-day temporary loss lifts itself (center)
        "visit.log",  # a home visit and its outcome
        "conflict.resolve",  # a person's decision on a conflict shown to them
        "audit.reveal",  # a sensitive field was revealed on screen (Art. 40)
        "audit.export",  # a supervisor's full (unmasked) export; subject "export:<id>" (Art. 40, 41)
        "session.plan",  # an employer bulk activation day (Art. 15 para. 2); subject "session:<id>"
        "session.roster",  # the employer's staff roster for it, one revision replacing the last
        "session.close",  # the session's reconciliation and signed close manifest
    }
)


def canonical_json(value: Any) -> bytes:
    """The one byte encoding used for hashing and signing."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


class Operation(BaseModel):
    """One immutable, hash-chained, signed operation."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    op_id: str = Field(description="UUID (text) chosen by the device; unique forever.")
    device_id: str = Field(description="Enrolled device that created the operation.")
    worker_id: str = Field(description="Worker logged in on that device.")
    seq: int = Field(ge=1, description="Device sequence: 1, 2, 3 ... without gaps.")
    kind: str = Field(description="One of KINDS.")
    subject: str = Field(description="Person id (card ops: the holder's person id).")
    base_version: int = Field(ge=0, description="Subject version this operation was made against.")
    payload: dict[str, Any]
    hlc: str = Field(description="Hybrid logical clock time, 'WWWWWWWWWWWWW.CCCCC' (wall ms, counter).")
    schema_version: int = SCHEMA_VERSION
    prev_hash: str
    hash: str
    signature: str = Field(description="Ed25519 signature (hex) of the raw hash bytes.")

    def signed_fields(self) -> dict[str, Any]:
        return self.model_dump(exclude={"hash", "signature"})


def compute_hash(fields: dict[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of the signed fields (``hash``/``signature`` excluded)."""
    body = {k: v for k, v in fields.items() if k not in ("hash", "signature")}
    return hashlib.sha256(canonical_json(body)).hexdigest()


def hash_ok(op: Operation) -> bool:
    return compute_hash(op.signed_fields()) == op.hash


def signature_ok(op: Operation, public_key: bytes) -> bool:
    """True when ``op.signature`` is the device's Ed25519 signature over ``op.hash``."""
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            bytes.fromhex(op.signature), bytes.fromhex(op.hash)
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def format_hlc(wall_ms: int, counter: int) -> str:
    return f"{wall_ms:013d}.{counter:05d}"


def parse_hlc(value: str) -> tuple[int, int]:
    wall, _, counter = value.partition(".")
    return int(wall), int(counter)
