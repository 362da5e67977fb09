"""Tables as the repositories see them; migrations spell their own DDL and never import this."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

organisations = sa.Table(
    "organisations",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("handle", sa.String(64), nullable=False, unique=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("manually_approves_followers", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)

actor_keys = sa.Table(
    "actor_keys",
    metadata,
    sa.Column("owner", sa.String(64), primary_key=True),
    sa.Column("type", sa.String(16), primary_key=True),
    sa.Column("private_pem", sa.Text, nullable=False),
    sa.Column("public_pem", sa.Text, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column(
        "org_id",
        sa.String(36),
        sa.ForeignKey("organisations.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("revoked_at", sa.Float, nullable=True),
    sa.Column("operator", sa.Boolean, nullable=False, server_default=sa.false()),
)

jobs = sa.Table(
    "jobs",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("run_at", sa.Float, nullable=False),
    sa.Column("locked_until", sa.Float, nullable=True),
    sa.Column("lease_token", sa.String(32), nullable=True),
    sa.Column("locked_by", sa.String(128), nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("ordering_key", sa.Text, nullable=True),
    sa.Column("dedupe_key", sa.Text, nullable=True),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)

remote_actors = sa.Table(
    "remote_actors",
    metadata,
    sa.Column("iri", sa.Text, primary_key=True),
    sa.Column("host", sa.Text, nullable=False),
    sa.Column("type", sa.String(32), nullable=False),
    sa.Column("inbox", sa.Text, nullable=False),
    sa.Column("shared_inbox", sa.Text),
    sa.Column("preferred_username", sa.Text),
    sa.Column("name", sa.Text),
    sa.Column("summary", sa.Text),
    sa.Column("url", sa.Text),
    sa.Column("outbox", sa.Text),
    sa.Column("followers", sa.Text),
    sa.Column("following", sa.Text),
    sa.Column("kind", sa.String(32)),
    sa.Column("manually_approves_followers", sa.Boolean, nullable=False),
    sa.Column("fetched_at", sa.Float, nullable=False),
    sa.Column("gone_at", sa.Float),
)

remote_keys = sa.Table(
    "remote_keys",
    metadata,
    sa.Column("key_id", sa.Text, primary_key=True),
    sa.Column("actor_iri", sa.Text, sa.ForeignKey("remote_actors.iri", ondelete="CASCADE")),
    sa.Column("type", sa.String(16), nullable=False),
    sa.Column("public_pem", sa.Text, nullable=False),
)

key_fetch_failures = sa.Table(
    "key_fetch_failures",
    metadata,
    sa.Column("key_id", sa.Text, primary_key=True),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("until", sa.Float, nullable=False),
)

inbox_log = sa.Table(
    "inbox_log",
    metadata,
    sa.Column("activity_id", sa.Text, primary_key=True),
    sa.Column("recipient", sa.Text, primary_key=True),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("received_at", sa.Float, nullable=False),
)

tombstones = sa.Table(
    "tombstones",
    metadata,
    sa.Column("iri", sa.Text, primary_key=True),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("deleted_at", sa.Float, nullable=False),
)

follows = sa.Table(
    "follows",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("direction", sa.String(3), nullable=False),
    sa.Column("org_id", sa.String(36), sa.ForeignKey("organisations.id", ondelete="CASCADE")),
    sa.Column("remote_iri", sa.Text, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("activity_iri", sa.Text, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)

activities = sa.Table(
    "activities",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("org_id", sa.String(36), sa.ForeignKey("organisations.id", ondelete="CASCADE")),
    sa.Column("type", sa.String(32), nullable=False),
    sa.Column("public", sa.Boolean, nullable=False),
    sa.Column("document", sa.Text, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)

domain_rules = sa.Table(
    "domain_rules",
    metadata,
    sa.Column("domain", sa.Text, primary_key=True),
    sa.Column("rule", sa.String(8), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)

instance_settings = sa.Table(
    "instance_settings",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

actor_blocks = sa.Table(
    "actor_blocks",
    metadata,
    sa.Column("org_id", sa.String(36), primary_key=True),
    sa.Column("remote_iri", sa.Text, primary_key=True),
    sa.Column("created_at", sa.Float, nullable=False),
)

delivery_hosts = sa.Table(
    "delivery_hosts",
    metadata,
    sa.Column("host", sa.Text, primary_key=True),
    sa.Column("state", sa.Text, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False),
)

listings = sa.Table(
    "listings",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("org_id", sa.String(36), sa.ForeignKey("organisations.id", ondelete="CASCADE")),
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
    sa.Column("publiccode", sa.Text),
    sa.Column("search_text", sa.Text, nullable=False),
    sa.Column("published_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
    sa.Column("withdrawn_at", sa.Float),
    sa.Column("origin_iri", sa.Text, unique=True),
    sa.Column("author_iri", sa.Text),
    sa.Column("node_host", sa.Text),
    sa.Column("received_at", sa.Float),
    sa.Column("via_iri", sa.Text),
)

catalog_follows = sa.Table(
    "catalog_follows",
    metadata,
    sa.Column("direction", sa.String(3), primary_key=True),
    sa.Column("remote_iri", sa.Text, primary_key=True),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("activity_iri", sa.Text, nullable=False),
    sa.Column("inbox", sa.Text, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)

catalog_announced = sa.Table(
    "catalog_announced",
    metadata,
    sa.Column("object_iri", sa.Text, primary_key=True),
    sa.Column("version", sa.Text, nullable=False),
    sa.Column("listing_id", sa.String(36)),
    sa.Column("activity_id", sa.String(36), nullable=False),
    sa.Column("live", sa.Boolean, nullable=False),
    sa.Column("announced_at", sa.Float, nullable=False),
)

catalog_backfills = sa.Table(
    "catalog_backfills",
    metadata,
    sa.Column("remote_iri", sa.Text, primary_key=True),
    sa.Column("next_url", sa.Text),
    sa.Column("pages", sa.Integer, nullable=False),
    sa.Column("items", sa.Integer, nullable=False),
    sa.Column("started_at", sa.Float, nullable=False),
    sa.Column("finished_at", sa.Float),
)

# One row per published listing, for search (0004_search): tokens and facet values.
listing_search = sa.Table(
    "listing_search",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column(
        "listing_id",
        sa.String(36),
        sa.ForeignKey("listings.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    sa.Column("repository_key", sa.Text, nullable=False),
    sa.Column("is_local", sa.Boolean, nullable=False),
    sa.Column("name_tokens", sa.Text, nullable=False),
    sa.Column("summary_tokens", sa.Text, nullable=False),
    sa.Column("feature_tokens", sa.Text, nullable=False),
    sa.Column("all_tokens", sa.Text, nullable=False),
    sa.Column("license", sa.Text, nullable=False),
    sa.Column("development_status", sa.String(32), nullable=False),
    sa.Column("software_type", sa.String(64), nullable=False),
    sa.Column("categories", sa.Text, nullable=False),
    sa.Column("platforms", sa.Text, nullable=False),
    sa.Column("countries", sa.Text, nullable=False),
    sa.Column("used_by_count", sa.Integer, nullable=False),
    sa.Column("privacy", sa.String(1)),  # the tool's privacy grade (0011_privacy); NULL: none
)

# Privacy rubric answers per tool and its current grade (0011_privacy).
privacy_answers = sa.Table(
    "privacy_answers",
    metadata,
    sa.Column("repository_key", sa.Text, primary_key=True),
    sa.Column("criterion", sa.String(64), primary_key=True),
    sa.Column("answered_by", sa.Text, primary_key=True),
    sa.Column("answer", sa.String(16), nullable=False),
    sa.Column("evidence", sa.Text, nullable=False),
    sa.Column("level", sa.String(16), nullable=False),
    sa.Column("answered_at", sa.Float, nullable=False),
)

privacy_grades = sa.Table(
    "privacy_grades",
    metadata,
    sa.Column("repository_key", sa.Text, primary_key=True),
    sa.Column("letter", sa.String(1), nullable=False),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("graded_at", sa.Float, nullable=False),
)

# Ratings of listings (0008_ratings): one per (listing, rater); scores one row per criterion,
# with the listing and node repeated so the listing API aggregates with one GROUP BY.
ratings = sa.Table(
    "ratings",
    metadata,
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

rating_scores = sa.Table(
    "rating_scores",
    metadata,
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

# Reputation (0012_reputation): each subject's last computed score with its explanation, and
# when this node's own clock first met each remote node (the per-node trust cap grows from it).
reputation_scores = sa.Table(
    "reputation_scores",
    metadata,
    sa.Column("subject", sa.Text, primary_key=True),
    sa.Column("kind", sa.String(32)),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("document", sa.Text, nullable=False),
    sa.Column("computed_at", sa.Float, nullable=False),
)

reputation_nodes = sa.Table(
    "reputation_nodes",
    metadata,
    sa.Column("node", sa.Text, primary_key=True),
    sa.Column("first_seen", sa.Float, nullable=False),
)
