"""Audit log as a Merkle tree (leaf index and leaf hash per row, tree head), idempotency keys,
key scopes and revocation times. Existing rows become the first leaves, in id order.

Revision ID: 0002_transparency_log
Revises: 0001
"""

import hashlib
import json
from typing import Any

import orjson
import sqlalchemy as sa
from alembic import op

revision = "0002_transparency_log"
down_revision = "0001"

ALL_SCOPES = "decide screen simulate audit:read"

# Frozen copies of what this revision needs, as the code defined them when it was written
# (computegate.store.transparency and .merkle): a migration must give the same result whatever the
# application code later becomes. tests/test_service_transparency.py checks that the rows and head
# they write verify with today's code.
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
EMPTY_ROOT = hashlib.sha256(b"").digest()


def _leaf_hash(row: dict[str, Any]) -> bytes:
    """RFC 9162 leaf hash of the canonical JSON of the row's id, leaf index and content."""
    data = orjson.dumps(
        {k: row.get(k) for k in ("id", "leaf_index", *CONTENT)}, option=orjson.OPT_SORT_KEYS
    )
    return hashlib.sha256(b"\x00" + data).digest()


def _mth(leaves: list[bytes], lo: int, hi: int) -> bytes:
    """RFC 9162 Merkle tree hash of leaves[lo:hi]."""
    if hi - lo == 1:
        return leaves[lo]
    k = 1 << ((hi - lo - 1).bit_length() - 1)
    return hashlib.sha256(b"\x01" + _mth(leaves, lo, lo + k) + _mth(leaves, lo + k, hi)).digest()


def _frontier(size: int) -> list[tuple[int, int]]:
    out, lo = [], 0
    for bit in reversed(range(size.bit_length())):
        if size & (1 << bit):
            out.append((lo, lo + (1 << bit)))
            lo += 1 << bit
    return out


def backfill(conn: sa.Connection) -> None:
    """Number the existing rows as leaves in id order and write the tree head."""
    rows = conn.execute(sa.select(AUDIT.c.id, *(AUDIT.c[c] for c in CONTENT)).order_by(AUDIT.c.id))
    leaves: list[bytes] = []
    last_id = 0
    for index, row in enumerate(rows.mappings().all()):
        digest = _leaf_hash({**row, "leaf_index": index})
        conn.execute(
            sa.update(AUDIT)
            .where(AUDIT.c.id == row["id"])
            .values(leaf_index=index, leaf_hash=digest.hex())
        )
        leaves.append(digest)
        last_id = row["id"]
    size = len(leaves)
    nodes = [[lo, hi, _mth(leaves, lo, hi).hex()] for lo, hi in _frontier(size)]
    root = _mth(leaves, 0, size) if size else EMPTY_ROOT
    conn.execute(
        sa.insert(HEAD).values(
            id=1, tree_size=size, last_id=last_id, root_hash=root.hex(), frontier=json.dumps(nodes)
        )
    )


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("leaf_index", sa.BigInteger, nullable=True))
        batch.add_column(sa.Column("leaf_hash", sa.String(64), nullable=True))
    op.drop_table("audit_head")
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("tree_size", sa.BigInteger, nullable=False),
        sa.Column("last_id", sa.BigInteger, nullable=False),
        sa.Column("root_hash", sa.String(64), nullable=False),
        sa.Column("frontier", sa.Text, nullable=False),
    )
    backfill(op.get_bind())
    with op.batch_alter_table("audit_log") as batch:
        batch.alter_column("leaf_index", existing_type=sa.BigInteger, nullable=False)
        batch.alter_column("leaf_hash", existing_type=sa.String(64), nullable=False)
        batch.create_unique_constraint("uq_audit_leaf_index", ["leaf_index"])
        batch.drop_column("prev_hash")
        batch.drop_column("row_hash")
    op.create_index("ix_audit_created", "audit_log", ["created_at"])
    op.create_table(
        "idempotency",
        sa.Column("key_label", sa.String(200), primary_key=True),
        sa.Column("idem_key", sa.String(200), primary_key=True),
        sa.Column("request_sha256", sa.String(64), nullable=False),
        sa.Column("outputs", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    with op.batch_alter_table("api_keys") as batch:
        batch.add_column(
            sa.Column("scopes", sa.String(200), nullable=False, server_default=ALL_SCOPES)
        )
        batch.add_column(sa.Column("revoked_at", sa.String(40)))


def downgrade() -> None:
    raise NotImplementedError("the Merkle tree cannot be turned back into the old hash chain")
