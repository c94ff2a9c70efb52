"""Receipts for rows already in the audit log: the leaf's canonical bytes and its inclusion proof
at the current head, so a reader (the web page, a script) can check the row is in the tree.

A proof is assembled from the stored subtree hashes (merkle_node), O(log n) of them read by key,
not from every leaf. They are a cache, trusted by no one: the proof is checked against the root
(the head, a signed checkpoint), which a wrong node cannot match, and `audit verify` recomputes
the tree from the rows themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection, Engine

from computegate.store import merkle
from computegate.store.models import audit_head, audit_log, merkle_node
from computegate.store.transparency import Head, leaf_data


class MissingNodes(LookupError):
    """A subtree a proof needs is neither stored nor a leaf: the log predates its nodes or lost some."""


def asked(proof: Callable[[merkle.SubtreeHash], list[bytes]]) -> set[tuple[int, int]]:
    """The subtrees [lo, hi) a proof builder asks MTH of (proofs ask only for nodes they list)."""
    seen: set[tuple[int, int]] = set()

    def record(lo: int, hi: int) -> bytes:
        seen.add((lo, hi))
        return b""

    proof(record)
    return seen


def stored_hasher(
    conn: Connection, head: Head, ranges: Iterable[tuple[int, int]]
) -> merkle.SubtreeHash:
    """MTH of each node [lo, hi) in `ranges` of the tree `head`, from its perfect pieces: the head's
    frontier, single leaves (audit_log.leaf_hash) and stored nodes, read in at most two keyed
    queries. Stored nodes never change once written and those of a head are committed with it, so
    no snapshot is needed beyond reading the head first."""
    known = dict(head.frontier)
    need = {p for lo, hi in ranges for p in merkle.pieces(lo, hi)} - known.keys()
    leaves = sorted(lo for lo, hi in need if hi - lo == 1)
    nodes = sorted(merkle.position(lo, hi) for lo, hi in need if hi - lo > 1)
    if leaves:
        found = conn.execute(
            sa.select(audit_log.c.leaf_index, audit_log.c.leaf_hash).where(
                audit_log.c.leaf_index.in_(leaves)
            )
        )
        known |= {(int(i), int(i) + 1): bytes.fromhex(h) for i, h in found}
    if nodes:
        # OR of key equalities: SQLite answers a row-value IN list with a scan of the table
        keys = [sa.and_(merkle_node.c.level == lv, merkle_node.c.idx == i) for lv, i in nodes]
        stored = conn.execute(sa.select(merkle_node).where(sa.or_(*keys)))
        known |= {(i << lv, (i + 1) << lv): bytes.fromhex(h) for lv, i, h in stored}
    if missing := need - known.keys():
        raise MissingNodes(f"subtrees {sorted(missing)} of the audit tree are not stored")
    return merkle.subtree_hasher([], known, offset=head.tree_size)


Hasher = Callable[[Connection, Head, Iterable[tuple[int, int]]], merkle.SubtreeHash]


def row_receipt(
    engine: Engine, row_id: int, hasher: Hasher = stored_hasher
) -> dict[str, Any] | None:
    """The row's leaf data (canonical JSON text) and RFC 9162 inclusion proof against the current
    root; None when the row does not exist or is not yet in the tree. `hasher` gives the proof's
    subtree hashes (the stored nodes; benchmarks/receipts.py passes the old every-leaf one)."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(audit_log).where(audit_log.c.id == row_id)).mappings().first()
        head_row = conn.execute(sa.select(audit_head)).first()
        if row is None or head_row is None or row["leaf_index"] is None:
            return None
        head = Head.from_row(head_row)
        index = int(row["leaf_index"])
        if index >= head.tree_size:
            return None

        def proof(mth: merkle.SubtreeHash) -> list[bytes]:
            return merkle.inclusion_proof(index, head.tree_size, mth)

        mth = hasher(conn, head, asked(proof))
    data = leaf_data(dict(row))
    return {
        "leaf_data": data.decode(),
        "leaf_index": index,
        "tree_size": head.tree_size,
        "root_hash": head.root_hash.hex(),
        "leaf_hash": row["leaf_hash"],
        "inclusion_proof": [h.hex() for h in proof(mth)],
    }
