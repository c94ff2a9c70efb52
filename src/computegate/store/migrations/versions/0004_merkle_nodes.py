"""Stored Merkle subtree hashes (merkle_node), so a proof reads O(log n) nodes instead of every leaf.
Existing logs get theirs from the leaf hashes, read in batches of leaf indexes.

Revision ID: 0004_merkle_nodes
Revises: 0003_licences
"""

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0004_merkle_nodes"
down_revision = "0003_licences"

# Frozen copies, as computegate.store.models/merkle defined them when this was written (a migration
# must not change meaning with the application code; see 0002).
AUDIT = sa.table("audit_log", sa.column("leaf_index"), sa.column("leaf_hash"))
HEAD = sa.table("audit_head", sa.column("id"), sa.column("tree_size"))
NODE = sa.table("merkle_node", sa.column("level"), sa.column("idx"), sa.column("hash"))
BATCH = 20_000


def backfill(conn: sa.Connection, batch: int = BATCH) -> None:
    """Hash the leaves of the head's tree in order, keeping only the perfect subtrees still open (a
    stack of at most log2 n): each merge of two equal ones is a complete aligned node to store.
    Memory is one batch of leaves and their nodes, whatever the log's size."""
    size = conn.execute(sa.select(HEAD.c.tree_size).where(HEAD.c.id == 1)).scalar() or 0
    stack: list[tuple[int, bytes]] = []  # (level, hash) of the open subtrees, left to right
    for start in range(0, size, batch):
        hashes = conn.execute(
            sa.select(AUDIT.c.leaf_hash)
            .where(AUDIT.c.leaf_index >= start, AUDIT.c.leaf_index < min(start + batch, size))
            .order_by(AUDIT.c.leaf_index)
        ).scalars()
        nodes = []
        for index, text in enumerate(hashes, start=start):
            level, value = 0, bytes.fromhex(text)
            while stack and stack[-1][0] == level:
                value = hashlib.sha256(b"\x01" + stack.pop()[1] + value).digest()
                level += 1
                nodes.append({"level": level, "idx": index >> level, "hash": value.hex()})
            stack.append((level, value))
        if nodes:
            conn.execute(sa.insert(NODE), nodes)


def upgrade() -> None:
    op.create_table(
        "merkle_node",
        sa.Column("level", sa.SmallInteger, primary_key=True, autoincrement=False),
        sa.Column("idx", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    backfill(op.get_bind())


def downgrade() -> None:
    op.drop_table("merkle_node")
