"""The signed credits a publisher announced, kept for followers that arrive later.

Revision ID: 0015_announced_credits
Revises: 0014_contract_disputes

`announced_credits` holds, per listing and contract, the organisation-signed
`CommissionCredit` Announced about it: by us as its publisher, or (a hub) relayed for a copy
we hold. A node that starts following the organisation or the catalog later is sent the same
objects (federation/credits.py). Credits announced before this revision are taken from the
organisations' stored Announces (our own listings' only: no hub relayed any before).
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0015_announced_credits"
down_revision = "0014_contract_disputes"
branch_labels = None
depends_on = None

CREDIT_TYPE = "CommissionCredit"


def upgrade() -> None:
    table = op.create_table(
        "announced_credits",
        sa.Column(
            "listing_id",
            sa.String(36),
            sa.ForeignKey("listings.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("contract_iri", sa.Text, primary_key=True),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("announced_at", sa.Float, nullable=False),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT document, created_at FROM activities WHERE type = 'Announce' "
            "AND org_id IS NOT NULL AND document LIKE :kind ORDER BY created_at"
        ),
        {"kind": f"%{CREDIT_TYPE}%"},
    )
    listings = {row[0] for row in bind.execute(sa.text("SELECT id FROM listings"))}
    kept: dict[tuple[str, str], dict[str, object]] = {}
    for document, created_at in rows:
        credit = json.loads(document).get("object")
        if not isinstance(credit, dict) or credit.get("type") != CREDIT_TYPE:
            continue
        listing_id = str(credit.get("listing") or "").rstrip("/").rsplit("/", 1)[-1]
        contract = credit.get("contract")
        if listing_id in listings and isinstance(contract, str):
            kept.setdefault(
                (listing_id, contract),
                {
                    "listing_id": listing_id,
                    "contract_iri": contract,
                    "document": json.dumps(credit),
                    "announced_at": created_at,
                },
            )
    if kept:
        op.bulk_insert(table, list(kept.values()))


def downgrade() -> None:
    op.drop_table("announced_credits")
