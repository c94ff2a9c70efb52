"""RFC 9162 Merkle proofs: every proof the log hands out checks, and a wrong one does not."""

from __future__ import annotations

import hashlib
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from computegate.store import merkle

sizes = st.integers(min_value=1, max_value=300)


def _leaves(n: int) -> list[bytes]:
    return [merkle.leaf_hash(str(i).encode()) for i in range(n)]


def _reference_root(leaves: list[bytes]) -> bytes:
    """MTH written straight from RFC 6962 2.1, recursively, as the oracle."""
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return merkle.node_hash(_reference_root(leaves[:k]), _reference_root(leaves[k:]))


def test_known_values() -> None:
    assert hashlib.sha256(b"").digest() == merkle.EMPTY_ROOT
    assert merkle.leaf_hash(b"") == hashlib.sha256(b"\x00").digest()
    leaves = _leaves(3)
    assert merkle.subtree_hasher(leaves, {})(0, 3) == merkle.node_hash(
        merkle.node_hash(leaves[0], leaves[1]), leaves[2]
    )


@given(sizes, st.data())
def test_appending_from_the_frontier_gives_the_full_tree(n: int, data: st.DataObject) -> None:
    old = data.draw(st.integers(min_value=0, max_value=n))
    leaves = _leaves(n)
    full = merkle.subtree_hasher(leaves, {})
    known = {node: full(*node) for node in merkle.frontier(old)}
    mth = merkle.subtree_hasher(leaves[old:], known, offset=old)
    assert mth(0, n) == _reference_root(leaves)
    for index in range(old, n):
        assert merkle.inclusion_proof(index, n, mth) == merkle.inclusion_proof(index, n, full)


def test_an_append_costs_log_n_hashes_however_large_the_tree(monkeypatch: Any) -> None:
    """The writer keeps only the frontier of the tree and the new leaves: appending k leaves to a
    tree of n, with the new root and each new leaf's inclusion proof, hashes O(k log n) nodes."""
    calls = 0
    real = merkle.node_hash

    def counted(left: bytes, right: bytes) -> bytes:
        nonlocal calls
        calls += 1
        return real(left, right)

    monkeypatch.setattr(merkle, "node_hash", counted)
    for old in (1_000, 1_000_003, 2**40 - 1):
        known = {n: hashlib.sha256(repr(n).encode()).digest() for n in merkle.frontier(old)}
        new = _leaves(8)
        calls = 0
        mth = merkle.subtree_hasher(new, known, offset=old)
        size = old + len(new)
        mth(0, size)
        for index in range(old, size):
            merkle.inclusion_proof(index, size, mth)
        assert calls <= 4 * size.bit_length(), (old, calls)


@given(sizes, st.data())
def test_inclusion_proofs_verify_and_wrong_ones_fail(n: int, data: st.DataObject) -> None:
    leaves = _leaves(n)
    mth = merkle.subtree_hasher(leaves, {})
    root = mth(0, n)
    index = data.draw(st.integers(min_value=0, max_value=n - 1))
    proof = merkle.inclusion_proof(index, n, mth)
    assert merkle.verify_inclusion(leaves[index], index, n, proof, root)
    other = (index + 1) % n
    if other != index:
        assert not merkle.verify_inclusion(leaves[other], index, n, proof, root)
    if proof:
        bad = [*proof[:-1], hashlib.sha256(proof[-1]).digest()]
        assert not merkle.verify_inclusion(leaves[index], index, n, bad, root)


@given(sizes, st.data())
def test_consistency_proofs_verify_and_a_changed_history_fails(n: int, data: st.DataObject) -> None:
    old = data.draw(st.integers(min_value=1, max_value=n))
    leaves = _leaves(n)
    mth = merkle.subtree_hasher(leaves, {})
    proof = merkle.consistency_proof(old, n, mth)
    assert merkle.verify_consistency(old, n, mth(0, old), mth(0, n), proof)
    changed = list(leaves)
    victim = data.draw(st.integers(min_value=0, max_value=old - 1))
    changed[victim] = merkle.leaf_hash(b"edited")
    new = merkle.subtree_hasher(changed, {})
    forged = merkle.consistency_proof(old, n, new)
    assert not merkle.verify_consistency(old, n, mth(0, old), new(0, n), forged)
