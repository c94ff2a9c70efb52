"""Audit log as a Merkle tree (leaf index and leaf hash per row, tree head), idempotency keys,
key scopes and revocation times. Existing rows become the first leaves, in id order.

Revision ID: 0002_transparency_log
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from computegate.store.transparency import backfill

revision = "0002_transparency_log"
down_revision = "0001"

ALL_SCOPES = "decide screen simulate audit:read"


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
