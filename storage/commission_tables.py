"""The commission tables as the repositories see them (DDL: migrations/versions/0010)."""

from __future__ import annotations

import sqlalchemy as sa

from storage.tables import BigId, metadata

commission_requests = sa.Table(
    "commission_requests",
    metadata,
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
)

commission_request_recipients = sa.Table(
    "commission_request_recipients",
    metadata,
    sa.Column("request_id", sa.String(36), primary_key=True),
    sa.Column("actor", sa.Text, primary_key=True),
)

commission_bids = sa.Table(
    "commission_bids",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("iri", sa.Text, nullable=False, unique=True),
    sa.Column("request_id", sa.String(36), nullable=False),
    sa.Column("bidder", sa.Text, nullable=False),
    sa.Column("bidder_name", sa.Text, nullable=False),
    sa.Column("terms", sa.Text, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("price", sa.BigInteger, nullable=False),
    sa.Column("submitted_at", sa.Float, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("approach_mark", sa.Integer, nullable=True),
)

commission_contracts = sa.Table(
    "commission_contracts",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("iri", sa.Text, nullable=False, unique=True),
    sa.Column("request_id", sa.String(36), nullable=False, unique=True),
    sa.Column("buyer", sa.Text, nullable=False),
    sa.Column("supplier", sa.Text, nullable=False),
    sa.Column("listing", sa.Text, nullable=True),
    sa.Column("document", sa.Text, nullable=False),
    sa.Column("state", sa.String(24), nullable=False),
    sa.Column("milestone_states", sa.Text, nullable=False),
    sa.Column("accepted_at", sa.Text, nullable=False),
    sa.Column("dispute_reason", sa.Text, nullable=True),
    sa.Column("disputed_by", sa.Text, nullable=True),
    sa.Column("disputed_from", sa.String(24), nullable=True),
    sa.Column("termination_reason", sa.Text, nullable=True),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)

commission_signatures = sa.Table(
    "commission_signatures",
    metadata,
    sa.Column("contract_id", sa.String(36), primary_key=True),
    sa.Column("party", sa.Text, primary_key=True),
    sa.Column("proof", sa.Text, nullable=False),
    sa.Column("recorded_at", sa.Float, nullable=False),
)

commission_payments = sa.Table(
    "commission_payments",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("contract_id", sa.String(36), nullable=False),
    sa.Column("reference", sa.String(200), nullable=False),
    sa.Column("milestone", sa.Integer, nullable=False),
    sa.Column("payer", sa.Text, nullable=False),
    sa.Column("payee", sa.Text, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("amount", sa.BigInteger, nullable=False),
    sa.Column("paid_on", sa.String(10), nullable=False),
    sa.UniqueConstraint("contract_id", "reference"),
)

commission_postings = sa.Table(
    "commission_postings",
    metadata,
    sa.Column("payment_id", BigId, primary_key=True),
    sa.Column("line", sa.Integer, primary_key=True),
    sa.Column("account", sa.Text, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("amount", sa.BigInteger, nullable=False),
    sa.Column("kind", sa.String(8), nullable=False),
)
