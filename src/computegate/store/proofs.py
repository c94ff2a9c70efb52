"""Receipts for rows already in the audit log: the leaf's canonical bytes and its inclusion proof
at the current head, so a reader (the web page, a script) can check the row is in the tree."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine

from computegate.store import merkle
from computegate.store.models import audit_head, audit_log
from computegate.store.transparency import Head, leaf_data


def row_receipt(engine: Engine, row_id: int) -> dict[str, Any] | None:
    """The row's leaf data (canonical JSON text) and RFC 9162 inclusion proof against the current
    root; None when the row does not exist or is not yet in the tree. Reads every leaf hash of the
    tree once (one indexed column), which is fine for an on-demand check of one row."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(audit_log).where(audit_log.c.id == row_id)).mappings().first()
        head_row = conn.execute(sa.select(audit_head)).first()
        if row is None or head_row is None or row["leaf_index"] is None:
            return None
        head = Head.from_row(head_row)
        index = int(row["leaf_index"])
        if index >= head.tree_size:
            return None
        hashes = conn.execute(
            sa.select(audit_log.c.leaf_hash)
            .where(audit_log.c.leaf_index < head.tree_size)
            .order_by(audit_log.c.leaf_index)
        ).scalars()
        leaves: list[bytes | None] = [bytes.fromhex(h) for h in hashes]
    mth = merkle.subtree_hasher(leaves, {}, remember=False)
    data = leaf_data(dict(row))
    return {
        "leaf_data": data.decode(),
        "leaf_index": index,
        "tree_size": head.tree_size,
        "root_hash": head.root_hash.hex(),
        "leaf_hash": row["leaf_hash"],
        "inclusion_proof": [h.hex() for h in merkle.inclusion_proof(index, head.tree_size, mth)],
    }
