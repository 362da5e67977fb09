"""What the commons adds to listings: deployments, support offers and credits.

Revision ID: 0007
Revises: 0005, 0006 (merges the two heads)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = ("0005", "0006")
branch_labels = None
depends_on = None


def _record_table(name: str) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "listing_id",
            sa.String(36),
            sa.ForeignKey("listings.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("org_id", sa.String(36), sa.ForeignKey("organisations.id", ondelete="CASCADE")),
        sa.Column("terms", sa.Text, nullable=False),
        sa.Column("declarer_name", sa.Text, nullable=False),
        sa.Column("declared_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.Column("origin_iri", sa.Text, unique=True),
        sa.Column("author_iri", sa.Text),
        sa.Column("node_host", sa.Text),
        sa.Column("received_at", sa.Float),
        sa.Column("via_iri", sa.Text),
        sa.UniqueConstraint("listing_id", "org_id", name=f"uq_{name}_local"),
        sa.UniqueConstraint("listing_id", "author_iri", name=f"uq_{name}_remote"),
    )


def upgrade() -> None:
    _record_table("deployments")
    _record_table("support_offers")
    op.create_table(
        "credits",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "listing_id",
            sa.String(36),
            sa.ForeignKey("listings.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("party_name", sa.Text, nullable=False),
        sa.Column("party_iri", sa.Text),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("source_ref", sa.Text),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.CheckConstraint("role IN ('funder', 'builder', 'maintainer')", name="ck_credits_role"),
    )
    op.create_index("ix_credits_listing", "credits", ["listing_id", "source"])
    # A contract credits one party in one role once, however often its completion is replayed.
    op.create_index(
        "uq_credits_contract",
        "credits",
        ["listing_id", "source_ref", "role", "party_name"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("uq_credits_contract", table_name="credits")
    op.drop_index("ix_credits_listing", table_name="credits")
    op.drop_table("credits")
    op.drop_table("support_offers")
    op.drop_table("deployments")
