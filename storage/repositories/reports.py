"""Experience reports, comments and helpful marks (implements ports.ReportRepository)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from commonsnode.errors import ConflictError
from commonsnode.model.reports import (
    Comment,
    ExperienceReport,
    ReportOrigin,
    ReportState,
    ReportText,
    check_facts,
    facts_values,
)
from storage.report_tables import report_comments, report_helpful, reports
from storage.upsert import upsert

_HELPFUL_BATCH = 500


def _values(report: ExperienceReport) -> dict[str, Any]:
    origin = report.origin
    return {
        "id": report.id,
        "listing_id": report.listing_id,
        "org_id": report.org_id,
        "state": report.state,
        "title": report.text.title,
        "summary": report.text.summary,
        "narrative": report.text.narrative,
        "narrative_html": report.narrative_html,
        "facts": json.dumps(facts_values(report.facts), ensure_ascii=False),
        "published_at": report.published_at,
        "updated_at": report.updated_at,
        "deleted_at": report.deleted_at,
        "origin_iri": origin.origin_iri if origin else None,
        "author_iri": origin.author_iri if origin else None,
        "received_at": origin.received_at if origin else None,
    }


def _report(row: Any) -> ExperienceReport:
    origin = None
    if row.origin_iri is not None:
        origin = ReportOrigin(row.origin_iri, row.author_iri, row.received_at)
    return ExperienceReport(
        id=row.id,
        listing_id=row.listing_id,
        text=ReportText(row.title, row.summary, row.narrative),
        facts=check_facts(json.loads(row.facts)),
        state=cast(ReportState, row.state),
        published_at=row.published_at,
        updated_at=row.updated_at,
        deleted_at=row.deleted_at,
        org_id=row.org_id,
        origin=origin,
        narrative_html=row.narrative_html,
    )


def _comment(row: Any) -> Comment:
    return Comment(
        id=row.id,
        report_id=row.report_id,
        iri=row.iri,
        author_iri=row.author_iri,
        content_html=row.content_html,
        published_at=row.published_at,
        updated_at=row.updated_at,
    )


class SqlReportRepository:
    """Implements ports.ReportRepository."""

    def __init__(self, connection: AsyncConnection, dialect: str) -> None:
        self._connection = connection
        self._dialect = dialect

    async def add(self, report: ExperienceReport) -> None:
        try:
            async with self._connection.begin_nested():
                await self._connection.execute(reports.insert().values(_values(report)))
        except IntegrityError as exc:
            raise ConflictError(f"report {report.id} is already held") from exc

    async def update(self, report: ExperienceReport) -> None:
        values = _values(report)
        values.pop("id")
        await self._connection.execute(
            reports.update().where(reports.c.id == report.id).values(values)
        )

    async def get_by_id(self, report_id: str) -> ExperienceReport | None:
        row = (
            await self._connection.execute(reports.select().where(reports.c.id == report_id))
        ).first()
        return None if row is None else _report(row)

    async def get_by_origin(self, origin_iri: str) -> ExperienceReport | None:
        row = (
            await self._connection.execute(
                reports.select().where(reports.c.origin_iri == origin_iri)
            )
        ).first()
        return None if row is None else _report(row)

    async def delete(self, report_id: str) -> bool:
        # Children first: the rows go even where foreign keys are not enforced.
        await self._connection.execute(
            report_comments.delete().where(report_comments.c.report_id == report_id)
        )
        await self._connection.execute(
            report_helpful.delete().where(report_helpful.c.report_id == report_id)
        )
        result = await self._connection.execute(reports.delete().where(reports.c.id == report_id))
        return bool(result.rowcount)

    async def for_listings(
        self, listing_ids: Sequence[str], limit: int, before: str | None = None
    ) -> list[ExperienceReport]:
        if not listing_ids:
            return []
        statement = reports.select().where(
            reports.c.listing_id.in_(list(listing_ids)), reports.c.state == "published"
        )
        if before is not None:
            statement = statement.where(reports.c.id < before)
        rows = await self._connection.execute(statement.order_by(reports.c.id.desc()).limit(limit))
        return [_report(row) for row in rows]

    async def save_comment(self, comment: Comment) -> None:
        await self._connection.execute(
            upsert(
                self._dialect,
                report_comments,
                {
                    "id": comment.id,
                    "report_id": comment.report_id,
                    "iri": comment.iri,
                    "author_iri": comment.author_iri,
                    "content_html": comment.content_html,
                    "published_at": comment.published_at,
                    "updated_at": comment.updated_at,
                },
                ["iri"],
                ["content_html", "updated_at"],
            )
        )

    async def get_comment(self, iri: str) -> Comment | None:
        row = (
            await self._connection.execute(
                report_comments.select().where(report_comments.c.iri == iri)
            )
        ).first()
        return None if row is None else _comment(row)

    async def delete_comment(self, iri: str) -> bool:
        result = await self._connection.execute(
            report_comments.delete().where(report_comments.c.iri == iri)
        )
        return bool(result.rowcount)

    async def comments(self, report_id: str, limit: int) -> list[Comment]:
        rows = await self._connection.execute(
            report_comments.select()
            .where(report_comments.c.report_id == report_id)
            .order_by(report_comments.c.id)
            .limit(limit)
        )
        return [_comment(row) for row in rows]

    async def add_helpful(
        self, report_id: str, actor_iri: str, activity_iri: str, now: float
    ) -> bool:
        result = await self._connection.execute(
            upsert(
                self._dialect,
                report_helpful,
                {
                    "report_id": report_id,
                    "actor_iri": actor_iri,
                    "activity_iri": activity_iri,
                    "created_at": now,
                },
                ["report_id", "actor_iri"],
            )
        )
        return bool(result.rowcount)

    async def remove_helpful(self, report_id: str, actor_iri: str) -> str | None:
        where = (report_helpful.c.report_id == report_id, report_helpful.c.actor_iri == actor_iri)
        found = await self._connection.scalar(
            sa.select(report_helpful.c.activity_iri).where(*where)
        )
        if found is None:
            return None
        await self._connection.execute(report_helpful.delete().where(*where))
        return str(found)

    async def helpful_by_activity(self, activity_iri: str) -> tuple[str, str] | None:
        row = (
            await self._connection.execute(
                sa.select(report_helpful.c.report_id, report_helpful.c.actor_iri).where(
                    report_helpful.c.activity_iri == activity_iri
                )
            )
        ).first()
        return None if row is None else (row.report_id, row.actor_iri)

    async def helpful_counts(self, report_ids: Sequence[str]) -> dict[str, int]:
        counts: dict[str, int] = {}
        ids = list(dict.fromkeys(report_ids))
        for start in range(0, len(ids), _HELPFUL_BATCH):
            rows = await self._connection.execute(
                sa.select(report_helpful.c.report_id, sa.func.count())
                .where(report_helpful.c.report_id.in_(ids[start : start + _HELPFUL_BATCH]))
                .group_by(report_helpful.c.report_id)
            )
            counts.update({row[0]: int(row[1]) for row in rows})
        return counts
