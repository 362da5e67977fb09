"""Ratings of listings and their per-criterion scores.

Revision ID: 0008
Revises: 0005, 0006

`ratings`: one row per (listing, rater), the rater being a local organisation id or a remote
author IRI; `origin_iri` is the remote Note. `rating_scores`: one row per criterion, with the
listing and node repeated so a listing's aggregates are one indexed GROUP BY.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = ("0005", "0006")
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ratings",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "listing_id",
            sa.String(36),
            sa.ForeignKey("listings.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("rater", sa.Text, nullable=False),
        sa.Column("org_id", sa.String(36), sa.ForeignKey("organisations.id", ondelete="CASCADE")),
        sa.Column("author_iri", sa.Text),
        sa.Column("origin_iri", sa.Text, unique=True),
        sa.Column("node_host", sa.Text),
        sa.Column("via_iri", sa.Text),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.UniqueConstraint("listing_id", "rater", name="uq_ratings_listing_rater"),
    )
    op.create_index("ix_ratings_recent", "ratings", ["listing_id", "updated_at", "id"])
    op.create_table(
        "rating_scores",
        sa.Column(
            "rating_id",
            sa.String(36),
            sa.ForeignKey("ratings.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("criterion", sa.String(32), primary_key=True),
        sa.Column("value", sa.Integer, nullable=False),
        sa.Column("listing_id", sa.String(36), nullable=False),
        sa.Column("node_host", sa.Text),
    )
    op.create_index(
        "ix_rating_scores_listing", "rating_scores", ["listing_id", "criterion", "value"]
    )


def downgrade() -> None:
    op.drop_index("ix_rating_scores_listing", table_name="rating_scores")
    op.drop_table("rating_scores")
    op.drop_index("ix_ratings_recent", table_name="ratings")
    op.drop_table("ratings")
