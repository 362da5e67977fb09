"""The node's catalog actor: its follows, what it announced, and backfill cursors.

Revision ID: 0005
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "catalog_follows",
        sa.Column("direction", sa.String(3), primary_key=True),
        sa.Column("remote_iri", sa.Text, primary_key=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("activity_iri", sa.Text, nullable=False),
        sa.Column("inbox", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.CheckConstraint("direction IN ('in', 'out')", name="ck_catalog_follows_direction"),
    )
    op.create_index("ix_catalog_follows_activity", "catalog_follows", ["activity_iri"])
    op.create_table(
        "catalog_announced",
        sa.Column("object_iri", sa.Text, primary_key=True),
        sa.Column("version", sa.Text, nullable=False),
        sa.Column("listing_id", sa.String(36), nullable=True),
        sa.Column("activity_id", sa.String(36), nullable=False),
        sa.Column("live", sa.Boolean, nullable=False),
        sa.Column("announced_at", sa.Float, nullable=False),
    )
    op.create_index(
        "ix_catalog_announced_order", "catalog_announced", ["live", "announced_at", "object_iri"]
    )
    op.create_table(
        "catalog_backfills",
        sa.Column("remote_iri", sa.Text, primary_key=True),
        sa.Column("next_url", sa.Text, nullable=True),
        sa.Column("pages", sa.Integer, nullable=False),
        sa.Column("items", sa.Integer, nullable=False),
        sa.Column("started_at", sa.Float, nullable=False),
        sa.Column("finished_at", sa.Float, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("catalog_backfills")
    op.drop_index("ix_catalog_announced_order", table_name="catalog_announced")
    op.drop_table("catalog_announced")
    op.drop_index("ix_catalog_follows_activity", table_name="catalog_follows")
    op.drop_table("catalog_follows")
