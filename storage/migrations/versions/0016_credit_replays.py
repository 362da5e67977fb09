"""When each follower was last sent the credits announced before it followed.

Revision ID: 0016_credit_replays
Revises: 0015_announced_credits

A follower whose Follow we accept is sent the kept credits again (federation/credits.py); one
that undoes its Follow and follows again over and over would otherwise be sent the whole
history each time, and each time we would store one Announce per credit. `credit_replays`
holds, per replaying actor (an organisation's id, or "catalog") and follower, when the last
replay started: a replay within a day of it is not made.

`announced_credits.via_iri`: the actor a hub took a relayed credit from (NULL for our own
listings' credits and those kept before this revision), so a replay does not send a credit back
to the node it came from.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_credit_replays"
down_revision = "0015_announced_credits"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "credit_replays",
        sa.Column("scope", sa.String(36), primary_key=True),
        sa.Column("follower_iri", sa.Text, primary_key=True),
        sa.Column("replayed_at", sa.Float, nullable=False),
    )
    op.add_column("announced_credits", sa.Column("via_iri", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("announced_credits") as batch:
        batch.drop_column("via_iri")
    op.drop_table("credit_replays")
