"""The laptop's trust in the center: the device signer, and the center's Merkle log as last seen.

What is kept in vault meta (never keys of the device; the vault keeps those itself):
``sync.center_url``, ``sync.center_sign_key``, ``sync.center_box_key``, ``sync.role``, ``sync.area``,
``sync.log`` (the last verified signed checkpoint, JSON: one key, so size and root change together),
``sync.revoked`` (when the center first answered that this device is revoked: the supervisor home marks it).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from sync import merkle
from sync.errors import BadResponse, LogRewritten, NotEnrolled
from sync.protocol import (
    HDR_DEVICE,
    HDR_NONCE,
    HDR_PROTOCOL,
    HDR_SIGNATURE,
    HDR_TIME,
    PROTOCOL_VERSION,
    Checkpoint,
    LogProof,
    answer_bytes,
)
from sync.protocol import signing_bytes as _signing_bytes

META_URL = "sync.center_url"
META_SIGN_KEY = "sync.center_sign_key"
META_BOX_KEY = "sync.center_box_key"
META_ROLE = "sync.role"
META_AREA = "sync.area"
META_LOG = "sync.log"
META_REVOKED = "sync.revoked"


class VaultLike(Protocol):
    """What sync needs of :class:`storage.Vault` (see docs/contracts.md)."""

    @property
    def device_id(self) -> str: ...
    @property
    def worker_id(self) -> str: ...
    @property
    def public_key(self) -> bytes: ...
    def pending_operations(self, limit: int = 500) -> list[Any]: ...
    def record_push_results(self, results: list[dict[str, Any]]) -> None: ...
    def apply_pulled(self, changes: list[dict[str, Any]], checkpoint: str) -> None: ...
    def pull_checkpoint(self) -> str | None: ...
    def get_meta(self, key: str) -> str | None: ...
    def set_meta(self, key: str, value: str) -> None: ...


Signer = Callable[[bytes], bytes]


def device_signer(vault: Any) -> Signer:
    """The device's Ed25519 signing function.

    The vault keeps the private key and signs (``vault.sign``; it refuses 32-byte messages so that nothing
    signed for sync can pass for an operation signature). Older vaults without ``sign``: their signer object.
    """
    sign = getattr(vault, "sign", None)
    if callable(sign):
        return sign  # type: ignore[no-any-return]
    signer = getattr(vault, "_signer", None)
    if signer is None:
        raise NotEnrolled("vault locked or has no device key")
    return signer.sign  # type: ignore[no-any-return]


def signed_headers(signer: Signer, device_id: str, method: str, path: str, body: bytes, now_iso: str) -> dict[str, str]:
    nonce = secrets.token_hex(16)
    sig = signer(_signing_bytes(method, path, now_iso, nonce, body))
    return {HDR_PROTOCOL: str(PROTOCOL_VERSION), HDR_DEVICE: device_id, HDR_TIME: now_iso, HDR_NONCE: nonce,
            HDR_SIGNATURE: sig.hex()}


def verify_answer(center_key: str, method: str, path: str, nonce: str, status: int, body: bytes,
                  signature: str) -> None:
    """Check the center's signature over an answer to the request sent with ``nonce``, before it is used.

    Raises:
        BadResponse: no signature, or not the pinned center's over this very request and body (altered on the
            way, or an old answer replayed).
    """
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(center_key)).verify(
            bytes.fromhex(signature), answer_bytes(method, path, nonce, status, body))
    except (InvalidSignature, ValueError):
        raise BadResponse("answer signature", message_zh="中心回复的签名无效（可能在途中被篡改），未应用任何内容",
                          message_en="the center's answer is not validly signed (possibly altered on the way); "
                                     "nothing was applied") from None


def known_log(vault: VaultLike) -> tuple[int, str]:
    raw = vault.get_meta(META_LOG)
    if not raw:
        return 0, merkle.EMPTY_ROOT
    cp = Checkpoint.model_validate_json(raw)
    return cp.tree_size, cp.root


def verify_log(vault: VaultLike, proof: LogProof) -> tuple[int, str]:
    """Check the center's signed checkpoint extends the one seen before. Returns the new (size, root).

    Raises:
        LogRewritten: bad checkpoint signature, or the log is not an extension of what this laptop saw.
    """
    key = vault.get_meta(META_SIGN_KEY)
    if not key:
        raise NotEnrolled("no center key")
    cp = proof.checkpoint
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(key)).verify(bytes.fromhex(cp.signature), cp.signed_bytes())
    except (InvalidSignature, ValueError):
        raise LogRewritten("checkpoint signature") from None
    size, root = known_log(vault)
    if proof.from_size != size or not merkle.verify_consistency(size, cp.tree_size, root, cp.root, proof.consistency):
        raise LogRewritten(f"from {size} to {cp.tree_size}")
    return cp.tree_size, cp.root


def save_log(vault: VaultLike, proof: LogProof) -> None:
    cp = proof.checkpoint
    if known_log(vault)[0] > cp.tree_size:
        return
    vault.set_meta(META_LOG, cp.model_dump_json())
