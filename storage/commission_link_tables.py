"""The commission federation tables as the repository sees them (DDL: migrations 0013)."""

from __future__ import annotations

import sqlalchemy as sa

from storage.tables import metadata

commission_links = sa.Table(
    "commission_links",
    metadata,
    sa.Column("iri", sa.Text, primary_key=True),
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("local_id", sa.String(36), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)

commission_refusals = sa.Table(
    "commission_refusals",
    metadata,
    sa.Column("bid_iri", sa.Text, primary_key=True),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("content", sa.Text, nullable=False),
    sa.Column("received_at", sa.Float, nullable=False),
)
