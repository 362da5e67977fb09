"""Federation: remote actors and keys, inbox log, tombstones, follows, activities, moderation.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "remote_actors",
        sa.Column("iri", sa.Text, primary_key=True),
        sa.Column("host", sa.Text, nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("inbox", sa.Text, nullable=False),
        sa.Column("shared_inbox", sa.Text, nullable=True),
        sa.Column("preferred_username", sa.Text, nullable=True),
        sa.Column("name", sa.Text, nullable=True),
        sa.Column("summary", sa.Text, nullable=True),
        sa.Column("url", sa.Text, nullable=True),
        sa.Column("outbox", sa.Text, nullable=True),
        sa.Column("followers", sa.Text, nullable=True),
        sa.Column("following", sa.Text, nullable=True),
        sa.Column("kind", sa.String(32), nullable=True),
        sa.Column("manually_approves_followers", sa.Boolean, nullable=False),
        sa.Column("fetched_at", sa.Float, nullable=False),
        sa.Column("gone_at", sa.Float, nullable=True),
    )
    op.add_column(
        "api_tokens",
        sa.Column("operator", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_remote_actors_host", "remote_actors", ["host"])
    op.create_table(
        "remote_keys",
        sa.Column("key_id", sa.Text, primary_key=True),
        sa.Column(
            "actor_iri",
            sa.Text,
            sa.ForeignKey("remote_actors.iri", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("public_pem", sa.Text, nullable=False),
    )
    op.create_index("ix_remote_keys_actor", "remote_keys", ["actor_iri"])
    op.create_table(
        "key_fetch_failures",
        sa.Column("key_id", sa.Text, primary_key=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("until", sa.Float, nullable=False),
    )
    op.create_table(
        "inbox_log",
        sa.Column("activity_id", sa.Text, primary_key=True),
        sa.Column("recipient", sa.Text, primary_key=True),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("received_at", sa.Float, nullable=False),
    )
    op.create_index("ix_inbox_log_received", "inbox_log", ["received_at"])
    op.create_table(
        "tombstones",
        sa.Column("iri", sa.Text, primary_key=True),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("deleted_at", sa.Float, nullable=False),
    )
    op.create_table(
        "follows",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("direction", sa.String(3), nullable=False),
        sa.Column(
            "org_id",
            sa.String(36),
            sa.ForeignKey("organisations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("remote_iri", sa.Text, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("activity_iri", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.UniqueConstraint("direction", "org_id", "remote_iri", name="uq_follows_pair"),
        sa.CheckConstraint("direction IN ('in', 'out')", name="ck_follows_direction"),
        sa.CheckConstraint("state IN ('pending', 'accepted', 'rejected')", name="ck_follows_state"),
    )
    op.create_index("ix_follows_activity", "follows", ["activity_iri"])
    op.create_index("ix_follows_remote", "follows", ["remote_iri"])
    op.create_table(
        "activities",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "org_id",
            sa.String(36),
            sa.ForeignKey("organisations.id", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("public", sa.Boolean, nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_index("ix_activities_org", "activities", ["org_id", "id"])
    op.create_table(
        "domain_rules",
        sa.Column("domain", sa.Text, primary_key=True),
        sa.Column("rule", sa.String(8), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.CheckConstraint("rule IN ('block', 'allow')", name="ck_domain_rules_rule"),
    )
    op.create_table(
        "instance_settings",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "actor_blocks",
        sa.Column(
            "org_id",
            sa.String(36),
            sa.ForeignKey("organisations.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("remote_iri", sa.Text, primary_key=True),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_table(
        "delivery_hosts",
        sa.Column("host", sa.Text, primary_key=True),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
    )
    op.create_index("ix_delivery_hosts_expires", "delivery_hosts", ["expires_at"])


def downgrade() -> None:
    for table in (
        "delivery_hosts",
        "actor_blocks",
        "instance_settings",
        "domain_rules",
        "activities",
        "follows",
        "tombstones",
        "inbox_log",
        "key_fetch_failures",
        "remote_keys",
        "remote_actors",
    ):
        op.drop_table(table)
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("operator")
