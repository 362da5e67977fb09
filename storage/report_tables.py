"""The tables of experience reports and flags (migration 0009), on the shared metadata."""

from __future__ import annotations

import sqlalchemy as sa

from storage.tables import metadata

reports = sa.Table(
    "reports",
    metadata,
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
)

report_comments = sa.Table(
    "report_comments",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column(
        "report_id", sa.String(36), sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("iri", sa.Text, nullable=False, unique=True),
    sa.Column("author_iri", sa.Text, nullable=False),
    sa.Column("content_html", sa.Text, nullable=False),
    sa.Column("published_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)

report_helpful = sa.Table(
    "report_helpful",
    metadata,
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

flags = sa.Table(
    "flags",
    metadata,
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
)
