"""The center's Merkle log over stored subtrees gives the bytes the full computation gives (so a laptop's
proofs verify as before), at every size, and rebuilds what is missing from the leaves."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync import merkle
from sync.center import merkle_log
from sync.center.sqlstore import SqlStore
from tests.sync.conftest import make_store
from tests.sync.test_load_people import _dumps, _people


def _grown(n: int, chunks: list[int]) -> tuple[list[bytes], dict[merkle.NodeKey, bytes]]:
    """Leaves 0..n-1 appended in chunks of the given sizes, with the subtrees :func:`merkle.extend` stores."""
    leaves = [merkle.leaf_hash(i.to_bytes(8, "big")) for i in range(n)]
    stored = {(0, i): leaf for i, leaf in enumerate(leaves)}
    frontier: dict[int, bytes] = {}
    size, k = 0, 0
    while size < n:
        step = min(n - size, chunks[k % len(chunks)] if chunks else 1)
        k += 1
        stored.update(merkle.extend(frontier, size, leaves[size:size + step]))
        size += step
        assert {level for level, _ in merkle.frontier_keys(size)} == set(frontier)
    return leaves, stored


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 600), st.lists(st.integers(1, 40), max_size=5), st.data())
def test_roots_and_proofs_equal_the_full_computation(n, chunks, data):
    leaves, stored = _grown(n, chunks)
    size = data.draw(st.integers(0, n))
    assert merkle.root_of(size, stored.__getitem__) == merkle.root(leaves[:size])
    first = data.draw(st.integers(0, size))
    proof = merkle.consistency_proof_of(first, size, stored.__getitem__)
    assert proof == merkle.consistency_proof(first, leaves[:size])
    assert merkle.verify_consistency(first, size, merkle.root(leaves[:first]), merkle.root(leaves[:size]), proof)
    # what keys_for names is all the computation reads
    needed = merkle.keys_for(size, first)
    only = {k: stored[k] for k in needed}
    assert merkle.consistency_proof_of(first, size, only.__getitem__) == proof


def test_every_stored_subtree_is_the_hash_of_its_leaves():
    rng = random.Random(15)
    for n in (1, 2, 3, 7, 64, 65, 1000, 1023, 1024, 1025, rng.randrange(2000, 5000)):
        leaves, stored = _grown(n, [1, 3, 50])
        for (level, index), h in stored.items():
            assert h == bytes.fromhex(merkle.root(leaves[index << level:(index + 1) << level]))
        assert len(stored) - n < n  # at most one stored subtree per leaf


def test_work_per_reply_is_logarithmic():
    """A tree head reads one stored hash per set bit of the size; a proof O(log^2 n), never the leaves."""
    for size in (10**3, 10**5, 10**7, 2**40 + 12345):
        assert len(merkle.keys_for(size)) == bin(size).count("1")
        assert len(merkle.keys_for(size, size // 3)) <= (size.bit_length() + 1) ** 2


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_the_store_log_matches_its_leaves_and_rebuilds_missing_subtrees(kind: str, tmp_path: Path,
                                                                       request: pytest.FixtureRequest) -> None:
    store: SqlStore = make_store(kind, tmp_path, request)
    people = _dumps(_people(700))
    now = dt.datetime.now(dt.UTC)
    try:
        heads, start = [], 0
        for size in (1, 2, 5, 64, 100, 333):  # loads append in batches of several sizes
            store.load_people(people[start:start + size], now)
            start += size
            heads.append(store.log_proof(0).checkpoint)
        leaves = [bytes.fromhex(r[0]) for r in store.transaction(
            lambda tx: tx.rows("SELECT leaf FROM merkle ORDER BY idx"))]
        assert len(leaves) == 505
        assert heads[-1].root == merkle.root(leaves)
        for earlier in heads[:-1]:
            proof = store.log_proof(earlier.tree_size)
            assert proof.consistency == merkle.consistency_proof(earlier.tree_size, leaves)
            assert merkle.verify_consistency(earlier.tree_size, 505, earlier.root, proof.checkpoint.root,
                                             proof.consistency)
        store.transaction(lambda tx: tx.execute("DELETE FROM merkle_nodes"))
        fresh = make_store(kind, tmp_path, request)
        try:
            assert fresh.log_proof(0).checkpoint.root == heads[-1].root
            assert fresh.log_proof(100).consistency == merkle.consistency_proof(100, leaves)
            n = fresh.transaction(lambda tx: tx.rows("SELECT COUNT(*) FROM merkle_nodes"))[0][0]
            assert 0 < int(n) < 505
            fresh.load_people(people[505:], now)  # appends continue from the rebuilt subtrees
            more = [bytes.fromhex(r[0]) for r in fresh.transaction(
                lambda tx: tx.rows("SELECT leaf FROM merkle ORDER BY idx"))]
            assert fresh.log_proof(0).checkpoint.root == merkle.root(more)
            assert len(more) == 700
        finally:
            fresh.close()
    finally:
        store.close()


def test_node_ids_do_not_collide():
    keys = [(lv, i) for lv in range(0, 40) for i in (0, 1, 2**20, 2**47)]
    assert len({merkle_log.node_id(k) for k in keys}) == len(keys)
