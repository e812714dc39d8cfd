"""Offline transfer by file (USB stick): the outbox encrypted to the center, and the center's signed reply.

Transfer file (JSON): ``{format, device_id, created_at, ephemeral, nonce, ciphertext, signature}``: the
push request, zstd-compressed, AES-256-GCM under a key from X25519(ephemeral, center box key) + HKDF-SHA256;
the header is authenticated as AAD; the device signs the canonical JSON of everything but ``signature``.
Reply file (JSON): ``{format, device_id, file_sha256, response, signature}`` signed by the center's
Ed25519 key. Importing either twice changes nothing.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from pydantic import ValidationError

from outreach.domain.operation import canonical_json
from sync import protocol as P
from sync.center.store import Store
from sync.client import trust
from sync.client.client import SyncSummary, conflict_of
from sync.errors import NotEnrolled, TransferFileInvalid

FILE_FORMAT = "outreach-transfer-v1"
REPLY_FORMAT = "outreach-reply-v1"
MAX_FILE = 64 * 1024 * 1024


def _key(shared: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=FILE_FORMAT.encode()).derive(shared)


def _load(data: bytes, fmt: str) -> dict[str, Any]:
    if len(data) > MAX_FILE:
        raise TransferFileInvalid("too large")
    try:
        doc = P.parse_json(data)
    except (ValueError, UnicodeDecodeError):
        raise TransferFileInvalid("not JSON") from None
    if not isinstance(doc, dict) or doc.get("format") != fmt or not isinstance(doc.get("signature"), str):
        raise TransferFileInvalid("format")
    return doc


def export_file(vault: trust.VaultLike, limit: int = P.MAX_BATCH) -> tuple[bytes, int]:
    """The outbox (up to ``limit`` operations) as a transfer file. Returns (file bytes, operation count)."""
    box = vault.get_meta(trust.META_BOX_KEY)
    if not box:
        raise NotEnrolled("no center key")
    ops = vault.pending_operations(limit)
    size, _ = trust.known_log(vault)
    req = P.PushRequest(protocol_version=P.PROTOCOL_VERSION, device_id=vault.device_id, known_tree_size=size,
                        operations=ops)
    eph = X25519PrivateKey.generate()
    shared = eph.exchange(X25519PublicKey.from_public_bytes(bytes.fromhex(box)))
    header = {"format": FILE_FORMAT, "device_id": vault.device_id,
              "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
              "ephemeral": eph.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex(),
              "nonce": os.urandom(12).hex()}
    ct = AESGCM(_key(shared)).encrypt(bytes.fromhex(header["nonce"]), P.encode_body(req), canonical_json(header))
    doc = {**header, "ciphertext": base64.b64encode(ct).decode()}
    doc["signature"] = trust.device_signer(vault)(canonical_json(doc)).hex()
    return json.dumps(doc).encode(), len(ops)


def import_file(store: Store, data: bytes, today: dt.date, now: dt.datetime) -> bytes:
    """Center side: check, decrypt and apply a transfer file; return the signed reply file.

    Raises:
        TransferFileInvalid: bad format, unknown or revoked device, bad signature, tampered ciphertext.
    """
    doc = _load(data, FILE_FORMAT)
    device = store.device(str(doc.get("device_id")))
    if device is None or device.revoked:
        raise TransferFileInvalid("device")
    sig = doc.pop("signature")
    try:
        Ed25519PublicKey.from_public_bytes(device.public_key).verify(bytes.fromhex(sig), canonical_json(doc))
        header = {k: doc[k] for k in ("format", "device_id", "created_at", "ephemeral", "nonce")}
        keys = store.center_keys()
        shared = X25519PrivateKey.from_private_bytes(keys.box_private).exchange(
            X25519PublicKey.from_public_bytes(bytes.fromhex(str(doc["ephemeral"]))))
        raw = AESGCM(_key(shared)).decrypt(bytes.fromhex(str(doc["nonce"])), base64.b64decode(str(doc["ciphertext"])),
                                           canonical_json(header))
        req = P.PushRequest.model_validate(P.parse_json(P.inflate(raw)))
    except (InvalidSignature, InvalidTag, ValueError, KeyError, TypeError, ValidationError, OverflowError):
        raise TransferFileInvalid("signature or content") from None
    if req.device_id != device.device_id:
        raise TransferFileInvalid("device")
    ops = req.all_operations()
    results = store.push(device, ops, today, now)
    resp = P.PushResponse.build(results, store.log_proof(req.known_tree_size))
    reply: dict[str, Any] = {"format": REPLY_FORMAT, "device_id": device.device_id,
                             "file_sha256": hashlib.sha256(data).hexdigest(),
                             "op_ids": [op.op_id for op in ops], "response": resp.model_dump(mode="json")}
    reply["signature"] = Ed25519PrivateKey.from_private_bytes(keys.sign_private).sign(canonical_json(reply)).hex()
    return json.dumps(reply).encode()


def import_reply(vault: trust.VaultLike, data: bytes) -> SyncSummary:
    """Laptop side: verify the center's reply and clear the answered operations from the outbox.

    Raises:
        TransferFileInvalid: bad signature, another device's reply, malformed.
        LogRewritten: the center's log does not extend what this laptop saw.
    """
    doc = _load(data, REPLY_FORMAT)
    key = vault.get_meta(trust.META_SIGN_KEY)
    if not key:
        raise NotEnrolled("no center key")
    sig = doc.pop("signature")
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(key)).verify(bytes.fromhex(sig), canonical_json(doc))
        resp = P.PushResponse.model_validate(doc["response"])
        results = resp.expand([str(i) for i in doc["op_ids"]])
    except (InvalidSignature, ValueError, KeyError, TypeError, ValidationError):
        raise TransferFileInvalid("signature or content") from None
    if doc.get("device_id") != vault.device_id:
        raise TransferFileInvalid("another device's reply")
    fresh = resp.log.from_size >= trust.known_log(vault)[0]
    if fresh:
        trust.verify_log(vault, resp.log)
    pending = {op.op_id: op for op in vault.pending_operations(P.MAX_BATCH * 10)}
    answered = [r for r in results if r.op_id in pending]
    vault.record_push_results([r.model_dump(exclude_none=True) for r in answered])
    if fresh:
        trust.save_log(vault, resp.log)
    summary = SyncSummary()
    for r in answered:
        setattr(summary, r.status, getattr(summary, r.status) + 1)
        if r.status in ("rejected", "applied_with_conflict"):
            summary.issues.append(conflict_of(pending[r.op_id], r))
    return summary
