"""The audit log as a transparency log: what a leaf is, the tree head, and verification.

Each row is a leaf: SHA-256 over 0x00 and the canonical JSON of its id, leaf index and content.
The head row keeps the tree size, root and frontier (the perfect subtrees the tree is made of), so
an append needs only the new leaves; merkle_node keeps every complete aligned subtree's hash, so a
proof needs O(log n) reads (store.proofs). Verification recomputes every leaf and the root from one
consistent snapshot and, given a signed checkpoint kept outside the database, proves the log is an
append-only extension of it (a consistency proof, RFC 9162 2.1.4).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy import Engine

from computegate.store import merkle
from computegate.store.checkpoint import Checkpoint

CONTENT = (
    "created_at",
    "kind",
    "request",
    "response",
    "regime_date",
    "overlays",
    "list_versions",
    "software_version",
    "key_label",
)
AUDIT = sa.table("audit_log", *(sa.column(c) for c in ("id", "leaf_index", "leaf_hash", *CONTENT)))
HEAD = sa.table(
    "audit_head", *(sa.column(c) for c in ("id", "tree_size", "last_id", "root_hash", "frontier"))
)
NODES = sa.table("merkle_node", *(sa.column(c) for c in ("level", "idx", "hash")))


def leaf_data(row: dict[str, Any]) -> bytes:
    """Canonical JSON (sorted keys, no spaces, UTF-8) of the row's id, leaf index and content."""
    return orjson.dumps(
        {k: row.get(k) for k in ("id", "leaf_index", *CONTENT)}, option=orjson.OPT_SORT_KEYS
    )


def row_leaf_hash(row: dict[str, Any]) -> bytes:
    return merkle.leaf_hash(leaf_data(row))


@dataclass(frozen=True)
class Head:
    tree_size: int
    last_id: int
    root_hash: bytes
    frontier: dict[tuple[int, int], bytes]

    @classmethod
    def empty(cls) -> Head:
        return cls(0, 0, merkle.EMPTY_ROOT, {})

    @classmethod
    def from_row(cls, row: Any) -> Head:
        nodes = {(lo, hi): bytes.fromhex(h) for lo, hi, h in json.loads(row.frontier)}
        return cls(int(row.tree_size), int(row.last_id), bytes.fromhex(row.root_hash), nodes)

    def values(self) -> dict[str, Any]:
        nodes = [[lo, hi, h.hex()] for (lo, hi), h in sorted(self.frontier.items())]
        return {
            "tree_size": self.tree_size,
            "last_id": self.last_id,
            "root_hash": self.root_hash.hex(),
            "frontier": json.dumps(nodes),
        }


def head_after(size: int, last_id: int, mth: merkle.SubtreeHash) -> Head:
    root = mth(0, size) if size else merkle.EMPTY_ROOT
    return Head(size, last_id, root, {(lo, hi): mth(lo, hi) for lo, hi in merkle.frontier(size)})


@dataclass
class Verification:
    ok: bool
    tree_size: int
    root_hash: str
    problems: list[str] = field(default_factory=list)
    checkpoint_size: int | None = None


def verify(engine: Engine, checkpoint: Checkpoint | None = None) -> Verification:
    """Recompute every leaf and the root; check the stored head; prove consistency with a checkpoint.

    The head and the rows are read in one transaction (REPEATABLE READ on PostgreSQL, one read
    transaction on SQLite): one snapshot, whatever is being appended meanwhile. Rows are streamed;
    only their 32-byte leaf hashes are kept. The stored subtree hashes (merkle_node) are checked
    against the rows in the same snapshot: a cache, but receipts are built from it.
    """
    problems: list[str] = []
    leaves: list[bytes] = []
    options: dict[str, Any] = {"stream_results": True, "yield_per": 2_000}
    if engine.dialect.name == "postgresql":
        options["isolation_level"] = "REPEATABLE READ"
    with engine.connect().execution_options(**options) as conn, conn.begin():
        head_row = conn.execute(sa.select(HEAD).where(HEAD.c.id == 1)).first()
        head = Head.from_row(head_row) if head_row else Head.empty()
        previous_id = 0
        rows = conn.execute(sa.select(AUDIT).order_by(AUDIT.c.leaf_index)).mappings()
        for expected, row in enumerate(rows):
            where = f"row {row['id']} (leaf {row['leaf_index']})"
            if row["leaf_index"] != expected:
                problems.append(
                    f"{where}: leaf index should be {expected} (rows removed or renumbered)"
                )
                break
            if row["id"] <= previous_id:
                problems.append(f"{where}: ids are out of order (rows renumbered)")
            digest = row_leaf_hash(dict(row))
            if digest.hex() != row["leaf_hash"]:
                problems.append(
                    f"{where}: its content does not match its leaf hash (the row was altered)"
                )
            leaves.append(digest)
            previous_id = row["id"]
        nodes = conn.execute(sa.select(NODES).order_by(NODES.c.level, NODES.c.idx))
        problems += _node_problems(nodes, leaves)
    mth = merkle.subtree_hasher(leaves, {}, remember=False)  # each node is needed once
    size = len(leaves)
    root = mth(0, size) if size else merkle.EMPTY_ROOT
    if (head.tree_size, head.root_hash) != (size, root):
        problems.append(
            f"the tree head says {head.tree_size} entries with root {head.root_hash.hex()[:16]}…, "
            f"the rows make {size} with root {root.hex()[:16]}…"
        )
    result = Verification(not problems, size, root.hex(), problems)
    if checkpoint is not None:
        result.checkpoint_size = checkpoint.tree_size
        problem = _inconsistent(checkpoint, size, root, mth)
        if problem:
            result.problems.append(problem)
            result.ok = False
    return result


def _node_problems(stored: Iterable[Any], leaves: list[bytes]) -> list[str]:
    """Stored subtree hashes (merkle_node, ordered by level and index) that the rows do not give,
    or that are missing: receipts are built from them, so a wrong one makes them fail to verify.
    The tree is rebuilt a level at a time, holding one level besides the leaves."""
    level, hashes = 0, leaves
    wrong: list[str] = []
    present = 0  # stored nodes that are nodes of the tree, right or wrong
    for lv, idx, text in stored:
        while level < lv:
            level += 1
            pairs = zip(hashes[::2], hashes[1::2], strict=False)  # an odd last one waits
            hashes = [merkle.node_hash(a, b) for a, b in pairs]
        present += idx < len(hashes)
        if idx >= len(hashes) or hashes[idx].hex() != text:
            wrong.append(f"(level {lv}, index {idx})")
    out = []
    if wrong:
        out.append(
            f"{len(wrong)} stored subtree hashes do not match the rows, first {wrong[0]} "
            "(receipts built from them will not verify against the root)"
        )
    # a tree of n leaves has n - popcount(n) complete aligned subtrees of two leaves or more
    if missing := len(leaves) - bin(len(leaves)).count("1") - present:
        out.append(f"{missing} subtree hashes of the tree are not stored (receipts will fail)")
    return out


def _inconsistent(cp: Checkpoint, size: int, root: bytes, mth: merkle.SubtreeHash) -> str | None:
    old_root = bytes.fromhex(cp.root_hash)
    if size < cp.tree_size:
        return (
            f"the log has {size} entries but the checkpoint of {cp.timestamp} saw {cp.tree_size} "
            "(entries were removed from the end, or the log was wiped)"
        )
    if cp.tree_size == 0:
        return None
    proof = merkle.consistency_proof(cp.tree_size, size, mth)
    if not merkle.verify_consistency(cp.tree_size, size, old_root, root, proof):
        return (
            f"the first {cp.tree_size} entries no longer hash to the checkpoint's root "
            f"{cp.root_hash[:16]}… of {cp.timestamp} (entries were edited, removed, reordered, "
            "renumbered or re-hashed)"
        )
    return None
