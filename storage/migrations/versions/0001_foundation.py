"""Foundation: organisations, their keys and API tokens, and the job queue.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "organisations",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("handle", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("manually_approves_followers", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_table(
        "actor_keys",
        sa.Column("owner", sa.String(64), primary_key=True),
        sa.Column("type", sa.String(16), primary_key=True),
        sa.Column("private_pem", sa.Text, nullable=False),
        sa.Column("public_pem", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_table(
        "api_tokens",
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
    )
    op.create_index("ix_api_tokens_org_id", "api_tokens", ["org_id"])
    op.create_table(
        "jobs",
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
        sa.CheckConstraint("state IN ('ready', 'running', 'dead')", name="ck_jobs_state"),
    )
    live = sa.text("state <> 'dead'")
    # Claim scans live jobs in id order; dead jobs stay out of every hot index.
    op.create_index(
        "ix_jobs_live",
        "jobs",
        ["state", "id"],
        sqlite_where=live,
        postgresql_where=live,
    )
    has_key = sa.text("ordering_key IS NOT NULL AND state <> 'dead'")
    op.create_index(
        "ix_jobs_ordering",
        "jobs",
        ["ordering_key", "id"],
        sqlite_where=has_key,
        postgresql_where=has_key,
    )
    dedupe = sa.text("dedupe_key IS NOT NULL AND state <> 'dead'")
    op.create_index(
        "ux_jobs_dedupe",
        "jobs",
        ["dedupe_key"],
        unique=True,
        sqlite_where=dedupe,
        postgresql_where=dedupe,
    )


def downgrade() -> None:
    op.drop_table("jobs")
    op.drop_index("ix_api_tokens_org_id", table_name="api_tokens")
    op.drop_table("api_tokens")
    op.drop_table("actor_keys")
    op.drop_table("organisations")
