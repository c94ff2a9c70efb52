"""Merkle tree hashing and proofs as in RFC 9162 (Certificate Transparency 2.0), section 2.1.

Leaves are hashed with a 0x00 prefix and interior nodes with 0x01, so a leaf can never pass for a
node. Inclusion proofs show one entry is in a tree of a given size and root; consistency proofs show
a tree is an append-only extension of an older one. Hashes are raw 32-byte SHA-256 digests here;
callers store and print them as hex.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


SubtreeHash = Callable[[int, int], bytes]


def subtree_hasher(
    leaves: Sequence[bytes | None],
    known: dict[tuple[int, int], bytes],
    remember: bool = True,
    offset: int = 0,
) -> SubtreeHash:
    """MTH over the tree's leaves [lo, hi); subtrees in `known` (lo, hi) are taken as given,
    results are memoised.

    `leaves` holds the tree's leaves from index `offset` on, when `known` covers those before, as
    the writer does with the stored frontier: an append of k leaves to a tree of n then costs
    O(k + log n) hashes, whatever n. `remember=False` keeps no interior nodes (for a whole-log
    check, where the memo would hold two entries per leaf).
    """
    memo = dict(known)

    def mth(lo: int, hi: int) -> bytes:
        if (lo, hi) in memo:
            return memo[(lo, hi)]
        if hi - lo == 1:
            value = leaves[lo - offset] if lo >= offset else None
            if value is None:
                raise KeyError(f"leaf {lo} is neither stored nor covered by a known subtree")
        else:
            k = _split(hi - lo)
            value = node_hash(mth(lo, lo + k), mth(lo + k, hi))
        if remember:
            memo[(lo, hi)] = value
        return value

    return mth


def frontier(size: int) -> list[tuple[int, int]]:
    """The maximal perfect subtrees [lo, hi) that make up a tree of `size` leaves, left to right."""
    out, lo = [], 0
    for bit in reversed(range(size.bit_length())):
        if size & (1 << bit):
            out.append((lo, lo + (1 << bit)))
            lo += 1 << bit
    return out


def completed(old: int, new: int) -> list[tuple[int, int]]:
    """The aligned perfect subtrees [i * 2**l, (i + 1) * 2**l) of two leaves or more that a tree of
    `new` leaves has and one of `old` does not: what an append adds to the stored nodes."""
    out, level = [], 1
    while 1 << level <= new:
        out += [(i << level, (i + 1) << level) for i in range(old >> level, new >> level)]
        level += 1
    return out


def position(lo: int, hi: int) -> tuple[int, int]:
    """(level, index) of the aligned perfect subtree [lo, hi): [index * 2**level, (index + 1) * 2**level)."""
    return (hi - lo).bit_length() - 1, lo // (hi - lo)


def pieces(lo: int, hi: int) -> list[tuple[int, int]]:
    """The perfect subtrees MTH(lo, hi) is hashed from, as RFC 9162 splits it: the range itself if
    perfect, else its left child and the pieces of the rest. For a node of a tree (as proofs ask
    for) they are aligned, so stored; there are at most log2(hi - lo) + 1."""
    out = []
    while (hi - lo) & (hi - lo - 1):
        k = _split(hi - lo)
        out.append((lo, lo + k))
        lo += k
    return [*out, (lo, hi)]


def inclusion_proof(index: int, size: int, mth: SubtreeHash) -> list[bytes]:
    """PATH(m, D[0:n]) of RFC 6962 2.1.1: the sibling hashes from leaf `index` up to the root."""

    def path(m: int, lo: int, hi: int) -> list[bytes]:
        if hi - lo == 1:
            return []
        k = _split(hi - lo)
        if m < k:
            return [*path(m, lo, lo + k), mth(lo + k, hi)]
        return [*path(m - k, lo + k, hi), mth(lo, lo + k)]

    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size}")
    return path(index, 0, size)


def consistency_proof(old_size: int, new_size: int, mth: SubtreeHash) -> list[bytes]:
    """PROOF(m, D[0:n]) of RFC 6962 2.1.2: what links the root of the first m leaves to the root of n."""

    def subproof(m: int, lo: int, hi: int, complete: bool) -> list[bytes]:
        if m == hi - lo:
            return [] if complete else [mth(lo, hi)]
        k = _split(hi - lo)
        if m <= k:
            return [*subproof(m, lo, lo + k, complete), mth(lo + k, hi)]
        return [*subproof(m - k, lo + k, hi, False), mth(lo, lo + k)]

    if not 0 < old_size <= new_size:
        raise ValueError(f"no consistency proof from size {old_size} to {new_size}")
    return subproof(old_size, 0, new_size, True)


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root_hash: bytes
) -> bool:
    """RFC 9162 2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root_hash


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 2.1.4.2."""
    if old_size > new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is the first node
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
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
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root
