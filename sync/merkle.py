"""RFC 6962 / RFC 9162 Merkle tree hashing: tree heads and consistency proofs.

leaf = SHA256(0x00 || data), node = SHA256(0x01 || left || right). Hashes travel as hex.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

EMPTY_ROOT = hashlib.sha256(b"").hexdigest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """Largest power of two strictly smaller than n (n >= 2)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def _mth(leaves: Sequence[bytes]) -> bytes:
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return leaves[0]
    k = _split(n)
    return node_hash(_mth(leaves[:k]), _mth(leaves[k:]))


def root(leaves: Sequence[bytes]) -> str:
    """Tree head (hex) over leaf hashes."""
    return _mth(leaves).hex()


def _subproof(m: int, leaves: Sequence[bytes], complete: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [_mth(leaves)]
    k = _split(n)
    if m <= k:
        return [*_subproof(m, leaves[:k], complete), _mth(leaves[k:])]
    return [*_subproof(m - k, leaves[k:], False), _mth(leaves[:k])]


def consistency_proof(first: int, leaves: Sequence[bytes]) -> list[str]:
    """Proof (hex) that the tree of size ``first`` is a prefix of the tree over ``leaves``."""
    if not 0 <= first <= len(leaves):
        raise ValueError("first size out of range")
    if first in (0, len(leaves)):
        return []
    return [h.hex() for h in _subproof(first, leaves, True)]


def verify_consistency(first: int, second: int, first_root: str, second_root: str, proof: Sequence[str]) -> bool:
    """RFC 9162 section 2.1.4.2: True when tree ``second`` extends tree ``first``."""
    if first > second or first < 0:
        return False
    if first == second:
        return first_root == second_root and not proof
    if first == 0:
        return not proof
    try:
        path = [bytes.fromhex(p) for p in proof]
    except ValueError:
        return False
    if not path:
        return False
    if first & (first - 1) == 0:
        path = [bytes.fromhex(first_root), *path]
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not (fn & 1 or fn == 0):
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr.hex() == first_root and sr.hex() == second_root and sn == 0
