"""RFC 6962 / RFC 9162 Merkle tree hashing: tree heads and consistency proofs.

leaf = SHA256(0x00 || data), node = SHA256(0x01 || left || right). Hashes travel as hex.

Two ways to compute the same values: over the list of all leaves (:func:`root`, :func:`consistency_proof`;
what a laptop checks against, O(n)), and over stored perfect subtrees (:func:`root_of`,
:func:`consistency_proof_of`, :func:`extend`; what the center uses, O(log n) per append and O(log^2 n) per
proof). A perfect subtree is named by a :data:`NodeKey` ``(level, index)``: the 2**level leaves from
``index << level``; level 0 is a leaf. Appending a leaf completes at most log n of them (one on average), as a
certificate-transparency log's compact range does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

#: (level, index): the perfect subtree over leaves [index << level, (index + 1) << level).
NodeKey = tuple[int, int]

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


# -- over stored perfect subtrees ------------------------------------------------------------------------
def frontier_keys(size: int) -> list[NodeKey]:
    """The perfect subtrees a tree of ``size`` leaves decomposes into, largest (leftmost) first."""
    keys: list[NodeKey] = []
    start = 0
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            keys.append((level, start >> level))
            start += 1 << level
    return keys


def _range(start: int, size: int, get: Callable[[NodeKey], bytes]) -> bytes:
    """MTH of the leaves [start, start + size) of a subtree of the RFC 6962 tree."""
    if size & (size - 1) == 0:
        level = size.bit_length() - 1
        return get((level, start >> level))
    k = _split(size)
    return node_hash(_range(start, k, get), _range(start + k, size - k, get))


def root_of(size: int, get: Callable[[NodeKey], bytes]) -> str:
    """Tree head (hex) of the first ``size`` leaves, from stored perfect subtrees (``get``)."""
    return EMPTY_ROOT if size == 0 else _range(0, size, get).hex()


def _subproof_of(m: int, start: int, n: int, complete: bool, get: Callable[[NodeKey], bytes]) -> list[bytes]:
    if m == n:
        return [] if complete else [_range(start, n, get)]
    k = _split(n)
    if m <= k:
        return [*_subproof_of(m, start, k, complete, get), _range(start + k, n - k, get)]
    return [*_subproof_of(m - k, start + k, n - k, False, get), _range(start, k, get)]


def consistency_proof_of(first: int, size: int, get: Callable[[NodeKey], bytes]) -> list[str]:
    """The same proof as :func:`consistency_proof` over the first ``size`` leaves, from stored subtrees."""
    if not 0 <= first <= size:
        raise ValueError("first size out of range")
    if first in (0, size):
        return []
    return [h.hex() for h in _subproof_of(first, 0, size, True, get)]


def keys_for(size: int, first: int | None = None) -> set[NodeKey]:
    """The perfect subtrees :func:`root_of` (and :func:`consistency_proof_of` from ``first``) read."""
    seen: set[NodeKey] = set()

    def record(key: NodeKey) -> bytes:
        seen.add(key)
        return bytes(32)

    root_of(size, record)
    if first is not None and 0 <= first <= size:
        consistency_proof_of(first, size, record)
    return seen


def extend(frontier: dict[int, bytes], size: int, leaves: Iterable[bytes]) -> list[tuple[NodeKey, bytes]]:
    """Append ``leaves`` to a tree of ``size`` leaves whose frontier (level -> hash of the perfect subtrees of
    :func:`frontier_keys`) is ``frontier``, updated in place. Returns the perfect subtrees above the leaves
    (level >= 1) that the new leaves complete, to be stored."""
    made: list[tuple[NodeKey, bytes]] = []
    for leaf in leaves:
        h, level = leaf, 0
        while size >> level & 1:
            h = node_hash(frontier.pop(level), h)
            level += 1
            made.append(((level, size >> level), h))
        frontier[level] = h
        size += 1
    return made
