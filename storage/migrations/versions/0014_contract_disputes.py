"""Disputes get an end: who raised one, the state it was raised from, and why a contract ended.

Revision ID: 0014_contract_disputes
Revises: 0013

`disputed_by` (actor IRI) is the only party that may withdraw the dispute; `disputed_from`
is the state the withdrawal returns to (signed or in-progress: a started contract with no
milestone moved cannot be told from the milestones); `termination_reason` is the reason a
party gave for ending a disputed contract. All nullable: a contract disputed before this
revision has no `disputed_by`, so only `terminate` ends its dispute.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_contract_disputes"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("commission_contracts", sa.Column("disputed_by", sa.Text, nullable=True))
    op.add_column("commission_contracts", sa.Column("disputed_from", sa.String(24), nullable=True))
    op.add_column("commission_contracts", sa.Column("termination_reason", sa.Text, nullable=True))


def downgrade() -> None:
    # SQLite before 3.35 cannot drop a column in place: batch mode copies the table.
    with op.batch_alter_table("commission_contracts") as batch:
        batch.drop_column("termination_reason")
        batch.drop_column("disputed_from")
        batch.drop_column("disputed_by")
