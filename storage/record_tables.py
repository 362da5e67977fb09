"""Tables of what the commons adds to listings: deployments, support offers, credits (0007)."""

from __future__ import annotations

import sqlalchemy as sa

from storage.tables import metadata


def _record_table(name: str) -> sa.Table:
    """Deployments and support offers share one shape; `terms` is the kind's own JSON."""
    return sa.Table(
        name,
        metadata,
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


deployments = _record_table("deployments")
support_offers = _record_table("support_offers")

credits = sa.Table(
    "credits",
    metadata,
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
)

# The signed CommissionCredit announced about a listing we hold: one of our own (we are its
# publisher), or a copy whose credit we relayed as a hub (`via_iri`: whom we took it from);
# kept so a follower that arrives later can be sent the same object (federation/credits.py,
# 0015).
announced_credits = sa.Table(
    "announced_credits",
    metadata,
    sa.Column(
        "listing_id",
        sa.String(36),
        sa.ForeignKey("listings.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("contract_iri", sa.Text, primary_key=True),
    sa.Column("document", sa.Text, nullable=False),
    sa.Column("announced_at", sa.Float, nullable=False),
    sa.Column("via_iri", sa.Text),  # a relayed credit: the actor it came from (0016)
)

# When a follower was last sent the credits kept above, per replaying actor (an organisation's
# id, or "catalog"): a Follow undone and made again within a day is not sent them again (0016).
credit_replays = sa.Table(
    "credit_replays",
    metadata,
    sa.Column("scope", sa.String(36), primary_key=True),
    sa.Column("follower_iri", sa.Text, primary_key=True),
    sa.Column("replayed_at", sa.Float, nullable=False),
)
