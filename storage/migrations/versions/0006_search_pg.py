"""Search on PostgreSQL: recency buckets in the GIN indexes, so the newest matches of a common
word are found without reading every match.

Revision ID: 0006
Revises: 0004

PostgreSQL: `recency` (seq / 1024, stored) and one GIN index over (recency, all_vector,
name_vector) with the `btree_gin` extension (PostgreSQL contrib), replacing the vector-only GIN
indexes of 0004: a search asks for the newest buckets first (storage.repositories.listings) and
one index scan intersects them with the words. SQLite: nothing (FTS5 already returns the newest
matches first).
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None

# Must equal storage.search_index.RECENCY_BUCKET.
_BUCKET = 1024


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    op.execute(
        "ALTER TABLE listing_search ADD COLUMN recency INTEGER"
        f" GENERATED ALWAYS AS ((seq / {_BUCKET})::integer) STORED"
    )
    # One index for both vectors: a search by name and a search by every word scan the same
    # index with the bucket, never a bucket-only scan of another index (each row's vector is
    # then read from TOAST). No pending list (fastupdate): a search never scans up to 4 MB
    # of unsorted entries, and the planner's cost of the index stays true.
    op.execute("DROP INDEX ix_listing_search_all")
    op.execute("DROP INDEX ix_listing_search_name")
    op.execute(
        "CREATE INDEX ix_listing_search_recent ON listing_search"
        " USING gin (recency, all_vector, name_vector) WITH (fastupdate = off)"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_listing_search_recent")
    op.execute("ALTER TABLE listing_search DROP COLUMN recency")
    for name in ("all", "name"):
        op.execute(
            f"CREATE INDEX ix_listing_search_{name} ON listing_search USING gin ({name}_vector)"
        )
