"""Reputation scores and the first sighting of each node.

Revision ID: 0012
Revises: 0005, 0006

`reputation_scores`: one row per subject (tool page IRI or organisation IRI) with its score
and the JSON explanation GET /api/v1/reputation returns; rewritten by the `reputation.
recompute` job. `reputation_nodes`: when this node first met a remote node, by its own clock.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = ("0005", "0006")
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reputation_scores",
        sa.Column("subject", sa.Text, primary_key=True),
        sa.Column("kind", sa.String(32)),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("computed_at", sa.Float, nullable=False),
    )
    op.create_table(
        "reputation_nodes",
        sa.Column("node", sa.Text, primary_key=True),
        sa.Column("first_seen", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("reputation_nodes")
    op.drop_table("reputation_scores")
