"""Experience reports, their comments and helpful marks, and the operator's flag queue.

Revision ID: 0009
Revises: 0005, 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = ("0005", "0006")
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reports",
        sa.Column("id", sa.String(36), primary_key=True),
        # No foreign key: an organisation's own report outlives a federated listing that
        # its author deleted (the report stays on its page and on other nodes).
        sa.Column("listing_id", sa.String(36), nullable=False),
        sa.Column("org_id", sa.String(36), sa.ForeignKey("organisations.id", ondelete="CASCADE")),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("narrative", sa.Text, nullable=False),
        sa.Column("narrative_html", sa.Text),
        sa.Column("facts", sa.Text, nullable=False),
        sa.Column("published_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.Column("deleted_at", sa.Float),
        sa.Column("origin_iri", sa.Text, unique=True),
        sa.Column("author_iri", sa.Text),
        sa.Column("received_at", sa.Float),
        sa.CheckConstraint("state IN ('published', 'deleted')", name="ck_reports_state"),
    )
    op.create_index("ix_reports_listing", "reports", ["listing_id", "state", "id"])
    op.create_table(
        "report_comments",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "report_id",
            sa.String(36),
            sa.ForeignKey("reports.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("iri", sa.Text, nullable=False, unique=True),
        sa.Column("author_iri", sa.Text, nullable=False),
        sa.Column("content_html", sa.Text, nullable=False),
        sa.Column("published_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_index("ix_report_comments_report", "report_comments", ["report_id", "id"])
    op.create_table(
        "report_helpful",
        sa.Column(
            "report_id",
            sa.String(36),
            sa.ForeignKey("reports.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("actor_iri", sa.Text, primary_key=True),
        sa.Column("activity_iri", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_index("ix_report_helpful_activity", "report_helpful", ["activity_iri"])
    op.create_table(
        "flags",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("reporter_iri", sa.Text, nullable=False),
        sa.Column("object_iris", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("activity_iri", sa.Text),
        sa.Column("decided_at", sa.Float),
        sa.Column("note", sa.Text, nullable=False),
        sa.CheckConstraint("source IN ('local', 'remote')", name="ck_flags_source"),
        sa.CheckConstraint("state IN ('open', 'resolved', 'dismissed')", name="ck_flags_state"),
    )
    op.create_index("ix_flags_state", "flags", ["state", "id"])
    op.create_index("ix_flags_activity", "flags", ["activity_iri"])


def downgrade() -> None:
    op.drop_index("ix_flags_activity", table_name="flags")
    op.drop_index("ix_flags_state", table_name="flags")
    op.drop_table("flags")
    op.drop_index("ix_report_helpful_activity", table_name="report_helpful")
    op.drop_table("report_helpful")
    op.drop_index("ix_report_comments_report", table_name="report_comments")
    op.drop_table("report_comments")
    op.drop_index("ix_reports_listing", table_name="reports")
    op.drop_table("reports")
