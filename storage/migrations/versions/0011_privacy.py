"""Privacy rubric: answers per tool, the current grade, and the grade in the search index.

Revision ID: 0011
Revises: 0005, 0006

Answers belong to a tool (a repository key), not to one listing: the rubric is about the
software, and every listing of it shows the same grade. One answer per (tool, criterion,
answering actor IRI), so re-answering replaces and a remote actor's answer fits the same row.
`listing_search.privacy` copies the tool's letter onto each of its indexed listings (NULL:
not graded), so a search filters and counts it without a join.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = ("0005", "0006")
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "privacy_answers",
        sa.Column("repository_key", sa.Text, primary_key=True),
        sa.Column("criterion", sa.String(64), primary_key=True),
        sa.Column("answered_by", sa.Text, primary_key=True),
        sa.Column("answer", sa.String(16), nullable=False),
        sa.Column("evidence", sa.Text, nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("answered_at", sa.Float, nullable=False),
        sa.CheckConstraint(
            "answer IN ('yes', 'no', 'not-applicable')", name="ck_privacy_answers_answer"
        ),
        sa.CheckConstraint(
            "level IN ('self-declared', 'peer-reviewed', 'verified')",
            name="ck_privacy_answers_level",
        ),
    )
    op.create_table(
        "privacy_grades",
        sa.Column("repository_key", sa.Text, primary_key=True),
        sa.Column("letter", sa.String(1), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("graded_at", sa.Float, nullable=False),
    )
    op.add_column("listing_search", sa.Column("privacy", sa.String(1), nullable=True))


def downgrade() -> None:
    op.drop_column("listing_search", "privacy")
    op.drop_table("privacy_grades")
    op.drop_table("privacy_answers")
