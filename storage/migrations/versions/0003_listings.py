"""Tool listings: local ones with their publiccode.yml, remote ones with their provenance.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_PUBLISHED_LOCAL = sa.text("state = 'published' AND org_id IS NOT NULL")


def upgrade() -> None:
    op.create_table(
        "listings",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "org_id",
            sa.String(36),
            sa.ForeignKey("organisations.id", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("repository_key", sa.Text, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("descriptions", sa.Text, nullable=False),
        sa.Column("categories", sa.Text, nullable=False),
        sa.Column("platforms", sa.Text, nullable=False),
        sa.Column("license", sa.Text, nullable=False),
        sa.Column("development_status", sa.String(32), nullable=False),
        sa.Column("software_type", sa.String(64), nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("publiccode", sa.Text, nullable=True),
        sa.Column("search_text", sa.Text, nullable=False),
        sa.Column("published_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.Column("withdrawn_at", sa.Float, nullable=True),
        sa.Column("origin_iri", sa.Text, nullable=True),
        sa.Column("author_iri", sa.Text, nullable=True),
        sa.Column("node_host", sa.Text, nullable=True),
        sa.Column("received_at", sa.Float, nullable=True),
        sa.Column("via_iri", sa.Text, nullable=True),
        sa.UniqueConstraint("origin_iri", name="uq_listings_origin_iri"),
        sa.CheckConstraint("state IN ('published', 'withdrawn')", name="ck_listings_state"),
        sa.CheckConstraint(
            "(org_id IS NULL) <> (origin_iri IS NULL)", name="ck_listings_local_or_remote"
        ),
    )
    op.create_index("ix_listings_state_id", "listings", ["state", "id"])
    op.create_index("ix_listings_repository_key", "listings", ["repository_key"])
    op.create_index("ix_listings_author", "listings", ["author_iri"])
    # One published listing per organisation and repository: `import` updates it in place.
    op.create_index(
        "uq_listings_org_repository",
        "listings",
        ["org_id", "repository_key"],
        unique=True,
        sqlite_where=_PUBLISHED_LOCAL,
        postgresql_where=_PUBLISHED_LOCAL,
    )


def downgrade() -> None:
    op.drop_index("uq_listings_org_repository", table_name="listings")
    op.drop_table("listings")
