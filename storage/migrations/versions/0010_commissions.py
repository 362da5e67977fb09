"""Commissions: requests, bids, contracts with the parties' proofs, and the payments ledger.

Revision ID: 0010
Revises: 0005, 0006

Money columns are integer minor units (BIGINT: amounts reach 10^15). A payment is unique per
(contract, reference), so recording the same payment twice, even in two racing transactions,
books it once.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = ("0005", "0006")
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "commission_requests",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("requester", sa.Text, nullable=False),
        sa.Column("requester_name", sa.Text, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("requirements", sa.Text, nullable=False),
        sa.Column("listing", sa.Text, nullable=True),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("budget_min", sa.BigInteger, nullable=False),
        sa.Column("budget_max", sa.BigInteger, nullable=False),
        sa.Column("deadline", sa.Float, nullable=False),
        sa.Column("criteria", sa.Text, nullable=False),
        sa.Column("directed", sa.Boolean, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.Column("published_at", sa.Float, nullable=True),
        sa.Column("closed_at", sa.Float, nullable=True),
        sa.Column("awarded_at", sa.Float, nullable=True),
        sa.Column("awarded_bid", sa.String(36), nullable=True),
        sa.Column("cancelled_at", sa.Float, nullable=True),
        sa.Column("cancel_reason", sa.Text, nullable=True),
        sa.CheckConstraint(
            "state IN ('draft', 'open', 'evaluating', 'awarded', 'cancelled')",
            name="ck_commission_requests_state",
        ),
    )
    op.create_index("ix_commission_requests_requester", "commission_requests", ["requester"])
    op.create_index("ix_commission_requests_state", "commission_requests", ["state", "id"])
    op.create_table(
        "commission_request_recipients",
        sa.Column(
            "request_id",
            sa.String(36),
            sa.ForeignKey("commission_requests.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("actor", sa.Text, primary_key=True),
    )
    op.create_index(
        "ix_commission_request_recipients_actor", "commission_request_recipients", ["actor"]
    )
    op.create_table(
        "commission_bids",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("iri", sa.Text, nullable=False, unique=True),
        sa.Column(
            "request_id",
            sa.String(36),
            sa.ForeignKey("commission_requests.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("bidder", sa.Text, nullable=False),
        sa.Column("bidder_name", sa.Text, nullable=False),
        sa.Column("terms", sa.Text, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("price", sa.BigInteger, nullable=False),
        sa.Column("submitted_at", sa.Float, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("approach_mark", sa.Integer, nullable=True),
    )
    op.create_index("ix_commission_bids_request", "commission_bids", ["request_id", "submitted_at"])
    op.create_table(
        "commission_contracts",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("iri", sa.Text, nullable=False, unique=True),
        sa.Column(
            "request_id",
            sa.String(36),
            sa.ForeignKey("commission_requests.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.Column("buyer", sa.Text, nullable=False),
        sa.Column("supplier", sa.Text, nullable=False),
        sa.Column("listing", sa.Text, nullable=True),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("state", sa.String(24), nullable=False),
        sa.Column("milestone_states", sa.Text, nullable=False),
        sa.Column("accepted_at", sa.Text, nullable=False),
        sa.Column("dispute_reason", sa.Text, nullable=True),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_index("ix_commission_contracts_buyer", "commission_contracts", ["buyer"])
    op.create_index("ix_commission_contracts_supplier", "commission_contracts", ["supplier"])
    op.create_index("ix_commission_contracts_listing", "commission_contracts", ["listing", "state"])
    op.create_table(
        "commission_signatures",
        sa.Column(
            "contract_id",
            sa.String(36),
            sa.ForeignKey("commission_contracts.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("party", sa.Text, primary_key=True),
        sa.Column("proof", sa.Text, nullable=False),
        sa.Column("recorded_at", sa.Float, nullable=False),
    )
    op.create_table(
        "commission_payments",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column(
            "contract_id",
            sa.String(36),
            sa.ForeignKey("commission_contracts.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("reference", sa.String(200), nullable=False),
        sa.Column("milestone", sa.Integer, nullable=False),
        sa.Column("payer", sa.Text, nullable=False),
        sa.Column("payee", sa.Text, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("paid_on", sa.String(10), nullable=False),
        sa.UniqueConstraint("contract_id", "reference", name="uq_commission_payments_reference"),
    )
    op.create_table(
        "commission_postings",
        sa.Column(
            "payment_id",
            BigId,
            sa.ForeignKey("commission_payments.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("line", sa.Integer, primary_key=True),
        sa.Column("account", sa.Text, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
    )
    op.create_index("ix_commission_postings_account", "commission_postings", ["account"])


def downgrade() -> None:
    op.drop_index("ix_commission_postings_account", table_name="commission_postings")
    op.drop_table("commission_postings")
    op.drop_table("commission_payments")
    op.drop_table("commission_signatures")
    for name in ("listing", "supplier", "buyer"):
        op.drop_index(f"ix_commission_contracts_{name}", table_name="commission_contracts")
    op.drop_table("commission_contracts")
    op.drop_index("ix_commission_bids_request", table_name="commission_bids")
    op.drop_table("commission_bids")
    op.drop_index(
        "ix_commission_request_recipients_actor", table_name="commission_request_recipients"
    )
    op.drop_table("commission_request_recipients")
    op.drop_index("ix_commission_requests_state", table_name="commission_requests")
    op.drop_index("ix_commission_requests_requester", table_name="commission_requests")
    op.drop_table("commission_requests")
