"""Table definitions (SQLAlchemy Core), mirrored by the Alembic migrations."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("leaf_index", sa.BigInteger, nullable=False, unique=True),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("request", sa.Text, nullable=False),
    sa.Column("response", sa.Text, nullable=False),
    sa.Column("regime_date", sa.String(10)),
    sa.Column("overlays", sa.Text, nullable=False),
    sa.Column("list_versions", sa.Text, nullable=False),
    sa.Column("software_version", sa.String(40), nullable=False),
    sa.Column("key_label", sa.String(200)),
    sa.Column("leaf_hash", sa.String(64), nullable=False),
)

# One row (id 1): the tree the log currently is, and the lock every append takes.
audit_head = sa.Table(
    "audit_head",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("tree_size", sa.BigInteger, nullable=False),
    sa.Column("last_id", sa.BigInteger, nullable=False),
    sa.Column("root_hash", sa.String(64), nullable=False),
    sa.Column("frontier", sa.Text, nullable=False),
)

# A caller's Idempotency-Key and the answer it got: a retry gets the same answer, not new rows.
idempotency = sa.Table(
    "idempotency",
    metadata,
    sa.Column("key_label", sa.String(200), primary_key=True),
    sa.Column("idem_key", sa.String(200), primary_key=True),
    sa.Column("request_sha256", sa.String(64), nullable=False),
    sa.Column("outputs", sa.Text, nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
)

api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("label", sa.String(200), nullable=False, unique=True),
    sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("revoked", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column(
        "scopes", sa.String(200), nullable=False, server_default="decide screen simulate audit:read"
    ),
    sa.Column("revoked_at", sa.String(40)),
)
