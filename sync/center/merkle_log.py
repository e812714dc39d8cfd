"""The center's Merkle log inside a transaction: appending leaves and reading stored subtrees.

``merkle`` holds the leaves (idx, leaf); ``merkle_nodes`` every perfect subtree above them (level >= 1) the
leaves complete, written in the transaction that appends the completing leaf (under the log lock). So an
append costs O(log n) (one node on average) and a tree head or consistency proof reads O(log^2 n) stored
hashes (:mod:`sync.merkle`), instead of hashing every leaf for each reply.

``merkle_nodes`` is derived data: a subtree found missing (a database made before it existed, or one whose
log an operator rewrote together with its subtrees) is rebuilt from the leaves and stored, once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, TypeVar

from sync import merkle
from sync.merkle import NodeKey

if TYPE_CHECKING:
    from sync.center.sqlstore import Tx

T = TypeVar("T")
_INDEX_BITS = 48  # a node id is level << 48 | index: 2**48 leaves, one integer key
_IN_CHUNK = 500


def node_id(key: NodeKey) -> int:
    return key[0] << _INDEX_BITS | key[1]


def next_index(tx: Tx) -> int:
    """The index the next leaf gets. The log lock is held to commit, so it is counted once per transaction."""
    tx.lock("log")
    idx = tx.cache.get("next_idx")
    if idx is None:
        idx = int(tx.rows("SELECT COALESCE(MAX(idx) + 1, 0) FROM merkle")[0][0])
        tx.cache["next_idx"] = idx
    return int(idx)


def append(tx: Tx, leaves: list[bytes]) -> int:
    """Append leaf hashes in order, with the subtrees they complete; returns the index of the first."""
    first = next_index(tx)
    frontier: dict[int, bytes] | None = tx.cache.get("frontier")
    if frontier is None:
        keys = merkle.frontier_keys(first)
        got = read(tx, keys)
        frontier = {key[0]: got[key] for key in keys}
    made = merkle.extend(frontier, first, leaves)
    tx.cache["frontier"] = frontier
    _write(tx, "merkle", ("idx", "leaf"), [(first + i, leaf.hex()) for i, leaf in enumerate(leaves)])
    _write(tx, "merkle_nodes", ("id", "hash"), [(node_id(k), h.hex()) for k, h in made])
    tx.cache["next_idx"] = first + len(leaves)
    return first


def _write(tx: Tx, table: str, columns: tuple[str, str], rows: list[tuple[int, str]]) -> None:
    if len(rows) == 1:
        tx.write(f"INSERT INTO {table} ({columns[0]}, {columns[1]}) VALUES (?, ?)", rows[0])
    elif rows:
        tx.stage(table, columns, rows)


def size(tx: Tx) -> int:
    """Leaves committed (a prefix: they commit under the log lock, in order)."""
    return int(tx.rows("SELECT COALESCE(MAX(idx) + 1, 0) FROM merkle")[0][0])


class NodeCache:
    """Stored hashes a process has read: a committed leaf or subtree never changes, so they may be kept."""

    def __init__(self, limit: int = 1 << 16) -> None:
        self._lock = threading.Lock()
        self._hashes: dict[NodeKey, bytes] = {}
        self._limit = limit

    def get(self, key: NodeKey) -> bytes | None:
        with self._lock:
            return self._hashes.get(key)

    def put(self, found: dict[NodeKey, bytes]) -> None:
        with self._lock:
            if len(self._hashes) + len(found) > self._limit:
                self._hashes.clear()
            self._hashes.update(found)


def read(tx: Tx, keys: Iterable[NodeKey], cache: NodeCache | None = None) -> dict[NodeKey, bytes]:
    """The hashes of committed leaves and subtrees ``keys``; missing subtrees are rebuilt and stored."""
    out: dict[NodeKey, bytes] = {}
    wanted: list[NodeKey] = []
    for key in set(keys):
        hit = cache.get(key) if cache is not None else None
        if hit is None:
            wanted.append(key)
        else:
            out[key] = hit
    leaves = [k for k in wanted if k[0] == 0]
    nodes = [k for k in wanted if k[0] > 0]
    found: dict[NodeKey, bytes] = {}
    for part in _chunks([k[1] for k in leaves]):
        marks = ", ".join("?" * len(part))
        for idx, leaf in tx.rows(f"SELECT idx, leaf FROM merkle WHERE idx IN ({marks})", tuple(part)):
            found[(0, int(idx))] = bytes.fromhex(leaf)
    for part in _chunks([node_id(k) for k in nodes]):
        marks = ", ".join("?" * len(part))
        for nid, h in tx.rows(f"SELECT id, hash FROM merkle_nodes WHERE id IN ({marks})", tuple(part)):
            found[(int(nid) >> _INDEX_BITS, int(nid) & ((1 << _INDEX_BITS) - 1))] = bytes.fromhex(h)
    for key in wanted:
        if key not in found:
            if key[0] == 0:
                raise LookupError(f"log leaf {key[1]} missing")  # callers ask for committed leaves only
            found[key] = _rebuild(tx, key)
    if cache is not None:
        cache.put(found)
    out.update(found)
    return out


def _rebuild(tx: Tx, key: NodeKey) -> bytes:
    """Hash the subtree ``key`` from its leaves and store it with every subtree inside it."""
    level, index = key
    lo, hi = index << level, (index + 1) << level
    rows = tx.rows("SELECT idx, leaf FROM merkle WHERE idx >= ? AND idx < ? ORDER BY idx", (lo, hi))
    if len(rows) != hi - lo or any(int(r[0]) != lo + i for i, r in enumerate(rows)):
        raise LookupError(f"log leaves {lo}..{hi - 1} incomplete")
    frontier: dict[int, bytes] = {}
    made = merkle.extend(frontier, 0, [bytes.fromhex(r[1]) for r in rows])  # relative to lo: same shape
    shifted = [((lv, (lo >> lv) + i), h) for (lv, i), h in made]
    for part in _chunks(shifted):
        marks = ", ".join(["(?, ?)"] * len(part))
        params = tuple(v for k, h in part for v in (node_id(k), h.hex()))
        tx.write(f"INSERT INTO merkle_nodes (id, hash) VALUES {marks} ON CONFLICT DO NOTHING", params)
    return frontier[level]


def _chunks(items: list[T]) -> Iterable[list[T]]:
    for i in range(0, len(items), _IN_CHUNK):
        yield items[i:i + _IN_CHUNK]
