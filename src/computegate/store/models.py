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

# The hash of every complete, aligned subtree of the audit tree of two leaves or more, leaves
# [idx * 2**level, (idx + 1) * 2**level): written with the leaves that complete it, never changed, so
# a proof reads O(log n) of them. A cache of what the rows hash to: verification recomputes it.
merkle_node = sa.Table(
    "merkle_node",
    metadata,
    sa.Column("level", sa.SmallInteger, primary_key=True, autoincrement=False),
    sa.Column("idx", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("hash", sa.String(64), nullable=False),
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

licences = sa.Table(
    "licences",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("number", sa.String(40), nullable=False, unique=True),
    sa.Column("issued", sa.Date, nullable=False),
    sa.Column("expires", sa.Date, nullable=False),
    sa.Column("destination", sa.String(2), nullable=False),
    sa.Column("parties", sa.Text, nullable=False),
    sa.Column("conditions", sa.Text, nullable=False),
    sa.Column("registered_at", sa.String(40), nullable=False),
)

licence_lines = sa.Table(
    "licence_lines",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("licence_id", sa.Integer, sa.ForeignKey("licences.id"), nullable=False),
    sa.Column("line_no", sa.Integer, nullable=False),
    sa.Column("item", sa.String(200), nullable=False),
    sa.Column("quantity_limit", sa.BigInteger),
    sa.Column("value_limit_cents", sa.BigInteger),
    sa.Column("quantity_used", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("value_used_cents", sa.BigInteger, nullable=False, server_default="0"),
    sa.UniqueConstraint("licence_id", "line_no"),
)

ledger_products = sa.Table(
    "ledger_products",
    metadata,
    sa.Column("product", sa.String(200), primary_key=True),
)

shipments = sa.Table(
    "shipments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("reference", sa.String(100), unique=True),
    sa.Column("licence_line_id", sa.Integer, sa.ForeignKey("licence_lines.id")),
    sa.Column("product", sa.String(200), nullable=False),
    sa.Column("eccn", sa.String(20)),
    sa.Column("tpp_per_unit", sa.Float),
    sa.Column("quantity", sa.BigInteger, nullable=False),
    sa.Column("value_cents", sa.BigInteger),
    sa.Column("to_country", sa.String(2), nullable=False),
    sa.Column("end_user", sa.String(200)),
    sa.Column("us_end_use", sa.Boolean, nullable=False),
    sa.Column("shipped_on", sa.Date, nullable=False),
    sa.Column("recorded_at", sa.String(40), nullable=False),
    sa.Index("ix_shipments_product_date", "product", "shipped_on"),
)
