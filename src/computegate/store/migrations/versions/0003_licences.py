"""Licence register, shipments drawn against licences, and the volume-cap ledger.

Revision ID: 0003_licences
Revises: 0002_transparency_log
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_licences"
down_revision = "0002_transparency_log"


def upgrade() -> None:
    op.create_table(
        "licences",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("number", sa.String(40), nullable=False, unique=True),
        sa.Column("issued", sa.Date, nullable=False),
        sa.Column("expires", sa.Date, nullable=False),
        sa.Column("destination", sa.String(2), nullable=False),
        sa.Column("parties", sa.Text, nullable=False),
        sa.Column("conditions", sa.Text, nullable=False),
        sa.Column("registered_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "licence_lines",
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
    op.create_table(
        "ledger_products",
        sa.Column("product", sa.String(200), primary_key=True),
    )
    op.create_table(
        "shipments",
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
    )
    op.create_index("ix_shipments_product_date", "shipments", ["product", "shipped_on"])


def downgrade() -> None:
    op.drop_index("ix_shipments_product_date", "shipments")
    op.drop_table("shipments")
    op.drop_table("ledger_products")
    op.drop_table("licence_lines")
    op.drop_table("licences")
