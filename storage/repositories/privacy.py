"""Privacy rubric answers and grades per tool (implements commonsnode.ports.PrivacyRepository)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from commonsnode.model.privacy_rubric import RubricAnswer
from storage.tables import listing_search, privacy_answers, privacy_grades
from storage.upsert import upsert

_ANSWER_FIELDS = ("answer", "evidence", "level", "answered_at")


def grade_subquery(key: str) -> sa.ScalarSelect[str]:
    """The tool's stored letter as a scalar subquery, for indexing a listing in one statement."""
    return (
        sa.select(privacy_grades.c.letter)
        .where(privacy_grades.c.repository_key == key)
        .scalar_subquery()
    )


class SqlPrivacyRepository:
    def __init__(self, connection: AsyncConnection, dialect: str) -> None:
        self._connection = connection
        self._dialect = dialect

    async def answers(self, key: str) -> list[RubricAnswer]:
        a = privacy_answers.c
        rows = await self._connection.execute(
            sa.select(a.criterion, a.answer, a.evidence, a.level, a.answered_by)
            .where(a.repository_key == key)
            .order_by(a.criterion, a.answered_by)
        )
        return [
            RubricAnswer(
                criterion=row.criterion,
                answer=row.answer,
                evidence=row.evidence,
                level=row.level,
                answered_by=row.answered_by,
            )
            for row in rows
        ]

    async def save_answers(self, key: str, answers: Sequence[RubricAnswer], now: float) -> None:
        for answer in answers:
            values = {
                "repository_key": key,
                "criterion": answer.criterion,
                "answered_by": answer.answered_by,
                "answer": answer.answer,
                "evidence": answer.evidence,
                "level": answer.level,
                "answered_at": now,
            }
            await self._connection.execute(
                upsert(
                    self._dialect,
                    privacy_answers,
                    values,
                    ("repository_key", "criterion", "answered_by"),
                    _ANSWER_FIELDS,
                )
            )

    async def delete_answers(
        self, key: str, answered_by: str, criteria: Sequence[str] | None = None
    ) -> int:
        a = privacy_answers.c
        statement = privacy_answers.delete().where(
            a.repository_key == key, a.answered_by == answered_by
        )
        if criteria is not None:
            statement = statement.where(a.criterion.in_(list(criteria)))
        result = await self._connection.execute(statement)
        return int(result.rowcount or 0)

    async def grade_letter(self, key: str) -> str | None:
        row = await self._connection.execute(
            sa.select(privacy_grades.c.letter).where(privacy_grades.c.repository_key == key)
        )
        return row.scalar_one_or_none()

    async def save_grade(self, key: str, letter: str | None, score: float, now: float) -> None:
        g = privacy_grades.c
        if letter is None:
            await self._connection.execute(privacy_grades.delete().where(g.repository_key == key))
        else:
            values = {"repository_key": key, "letter": letter, "score": score, "graded_at": now}
            await self._connection.execute(
                upsert(
                    self._dialect,
                    privacy_grades,
                    values,
                    ("repository_key",),
                    ("letter", "score", "graded_at"),
                )
            )
        s = listing_search.c
        # Only rows whose letter changes: on SQLite every updated row is re-indexed in FTS.
        await self._connection.execute(
            listing_search.update()
            .where(s.repository_key == key, s.privacy.is_distinct_from(letter))
            .values(privacy=letter)
        )
