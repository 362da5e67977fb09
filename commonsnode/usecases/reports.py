"""Use-cases for experience reports: publish, change, delete, read; remote ones kept by author.

Each change of a local report writes a ReportEvent job in its transaction (the transactional
outbox), so federation sends Create, Update or Delete exactly once after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from commonsnode.clock import Clock
from commonsnode.errors import ConflictError, ForbiddenError, InvalidError, NotFoundError
from commonsnode.ids import new_id
from commonsnode.model.listings import ToolListing
from commonsnode.model.organisations import Organisation
from commonsnode.model.reports import (
    FACT_FIELDS,
    TEXT_FIELDS,
    Comment,
    ExperienceReport,
    ReportFacts,
    ReportOrigin,
    ReportText,
    check_facts,
    check_text,
    delete,
    facts_values,
    new_local_report,
    remote_report,
    revise,
)
from commonsnode.ports import UnitOfWorkFactory
from commonsnode.report_events import ReportEvent
from commonsnode.usecases.records import listing_by_ref

MAX_PAGE = 100
MAX_COMMENTS = 200


@dataclass(frozen=True, slots=True)
class ReportView:
    """A report with what others added: the helpful count and the comments."""

    report: ExperienceReport
    helpful: int
    comments: tuple[Comment, ...] = ()


def _read(values: dict[str, Any], now: float) -> tuple[ReportText, ReportFacts]:
    unknown = sorted(set(values) - FACT_FIELDS - TEXT_FIELDS)
    if unknown:
        raise InvalidError(f"unknown field {unknown[0]!r}", field=unknown[0])
    return check_text(values), check_facts(values, now)


async def publish_report(
    uow: UnitOfWorkFactory, clock: Clock, org: Organisation, listing_id: str, values: dict[str, Any]
) -> ExperienceReport:
    """A new report by `org` about a published listing (local or remote, by id or by a remote
    listing's IRI); several are allowed."""
    now = clock.now()
    text, facts = _read(values, now)
    async with uow() as tx:
        listing = await listing_by_ref(tx, listing_id)
        if listing.state != "published":
            raise ConflictError("this listing was withdrawn")
        report = new_local_report(new_id(now), listing.id, org.id, text, facts, now)
        await tx.reports.add(report)
        await tx.jobs.enqueue(ReportEvent("published", report.id, org.id, now).to_job())
    return report


async def patch_report(
    uow: UnitOfWorkFactory, clock: Clock, org: Organisation, report_id: str, patch: dict[str, Any]
) -> ExperienceReport:
    """The author changes some fields (a JSON merge patch over the report's values)."""
    now = clock.now()
    async with uow() as tx:
        current = await tx.reports.get_by_id(report_id)
        if current is None:
            raise NotFoundError(f"no report {report_id}")
        values: dict[str, Any] = {
            "title": current.text.title,
            "summary": current.text.summary,
            "narrative": current.text.narrative,
            **facts_values(current.facts),
        }
        for key, value in patch.items():
            values[key] = value
        text, facts = _read(values, now)
        report = revise(current, org.id, text, facts, now)
        await tx.reports.update(report)
        await tx.jobs.enqueue(ReportEvent("updated", report.id, org.id, now).to_job())
    return report


async def delete_report(
    uow: UnitOfWorkFactory, clock: Clock, org: Organisation, report_id: str
) -> ExperienceReport:
    """The author deletes its report: followers get a Delete once; deleting again is a no-op."""
    now = clock.now()
    async with uow() as tx:
        current = await tx.reports.get_by_id(report_id)
        if current is None:
            raise NotFoundError(f"no report {report_id}")
        report = delete(current, org.id, now)
        if report is not current:
            await tx.reports.update(report)
            await tx.jobs.enqueue(ReportEvent("deleted", report.id, org.id, now).to_job())
    return report


async def get_report(uow: UnitOfWorkFactory, report_id: str) -> ReportView:
    """A published report with its helpful count and comments; NotFoundError otherwise."""
    async with uow(readonly=True) as tx:
        report = await tx.reports.get_by_id(report_id)
        if report is None or report.state != "published":
            raise NotFoundError(f"no report {report_id}")
        counts = await tx.reports.helpful_counts([report.id])
        comments = await tx.reports.comments(report.id, MAX_COMMENTS)
    return ReportView(report, counts.get(report.id, 0), tuple(comments))


async def reports_about(
    uow: UnitOfWorkFactory, listings: list[ToolListing], limit: int, before: str | None = None
) -> list[ReportView]:
    """Published reports about these listings, newest first, with their helpful counts."""
    async with uow(readonly=True) as tx:
        found = await tx.reports.for_listings([x.id for x in listings], limit, before)
        counts = await tx.reports.helpful_counts([r.id for r in found])
    return [ReportView(r, counts.get(r.id, 0)) for r in found]


async def list_reports(
    uow: UnitOfWorkFactory, listing_id: str, limit: int, before: str | None = None
) -> list[ReportView]:
    """Reports about one listing (by id, or a remote one by its IRI); NotFoundError for an
    unknown listing."""
    async with uow(readonly=True) as tx:
        listing = await listing_by_ref(tx, listing_id)
    return await reports_about(uow, [listing], min(max(limit, 1), MAX_PAGE), before)


async def store_remote_report(
    uow: UnitOfWorkFactory,
    clock: Clock,
    listing_id: str,
    text: ReportText,
    facts: ReportFacts,
    origin: ReportOrigin,
    published_at: float,
    narrative_html: str,
) -> ExperienceReport | None:
    """Keep (or refresh) a report its verified author sent; None when it was deleted before.

    A known report changes only by its author and stays about the listing it was first about.
    """
    now = clock.now()
    async with uow() as tx:
        if await tx.tombstones.exists(origin.origin_iri):
            return None
        existing = await tx.reports.get_by_origin(origin.origin_iri)
        if existing is None:
            report = remote_report(
                new_id(now), listing_id, text, facts, origin, published_at, narrative_html
            )
            await tx.reports.add(report)
            return report
        if existing.origin is None or existing.origin.author_iri != origin.author_iri:
            raise ForbiddenError(f"{origin.author_iri} is not the author of {origin.origin_iri}")
        report = ExperienceReport(
            id=existing.id,
            listing_id=existing.listing_id,
            text=text,
            facts=facts,
            state="published",
            published_at=existing.published_at,
            updated_at=now,
            origin=origin,
            narrative_html=narrative_html,
        )
        await tx.reports.update(report)
        return report


async def remove_remote_report(
    uow: UnitOfWorkFactory, clock: Clock, origin_iri: str, actor: str
) -> bool:
    """The author deleted its report: remove it; False when we held none at that IRI.

    ForbiddenError when `actor` is not its author. The caller remembers the tombstone.
    """
    async with uow() as tx:
        existing = await tx.reports.get_by_origin(origin_iri)
        if existing is None:
            return False
        if existing.origin is None or existing.origin.author_iri != actor:
            raise ForbiddenError(f"{actor} is not the author of {origin_iri}")
        await tx.reports.delete(existing.id)
    return True
