"""Commissions across nodes: which local row stands for which remote object, and refusals.

Revision ID: 0013
Revises: 0010

`commission_links` maps an IRI of another node's request, bid Offer or contract to the local
row that mirrors it (and our own bids' IRIs to their rows on the bidder's node), so an
activity naming an IRI finds its row. `commission_refusals` keeps the reason a requester's
node gave when it refused one of our bids (late, closed request, own request, ...).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "commission_links",
        sa.Column("iri", sa.Text, primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("local_id", sa.String(36), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_index("ix_commission_links_local", "commission_links", ["kind", "local_id"])
    op.create_table(
        "commission_refusals",
        sa.Column("bid_iri", sa.Text, primary_key=True),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("received_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("commission_refusals")
    op.drop_index("ix_commission_links_local", table_name="commission_links")
    op.drop_table("commission_links")
