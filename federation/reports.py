"""Report events → Create / Update / Delete of a signed Article; helpful marks and flags sent.

A report goes to its author's followers and to the inbox of the listing's author (who may not
follow the reporter). Its Article carries an FEP-8b32 proof by the author's key, so a hub can
relay it and any node can check the author without fetching it again. As for listings, the
activity is stored and its fan-out enqueued in the transaction that finishes the job.
"""

from __future__ import annotations

import logging
from typing import Any

from commonsnode.errors import InvalidError, NotFoundError
from commonsnode.ids import new_id
from commonsnode.jobs import Job, NewJob
from commonsnode.model.flags import Flag, check_reason
from commonsnode.model.listings import ToolListing
from commonsnode.model.organisations import Organisation
from commonsnode.model.reports import ExperienceReport
from commonsnode.ports import UnitOfWork
from commonsnode.report_events import ReportEvent
from commonsnode.reputation_events import recompute_job
from commonsnode.worker import PermanentJobError
from federation.announce import announce_signed
from federation.convert.reports import (
    local_report_id,
    report_iri,
    to_ap,
    tombstone,
)
from federation.fetch import FetchBudget, FetchError
from federation.integrity import sign_as
from federation.iris import host_of, origin_of
from federation.jsonld.shapes import id_of
from federation.outbox import new_activity, publish
from federation.recipients import inbox_of, inbox_or_none
from federation.runtime import Federation
from federation.vocab import AS_PUBLIC, DEFAULT_CONTEXT

log = logging.getLogger("commonsnode.reports")

FLAG_SEND_JOB = "flag.send"


def listing_iri(fed: Federation, listing: ToolListing) -> str:
    """The IRI every node knows the listing by: its origin's, or ours for a local one."""
    return listing.provenance.origin_iri if listing.provenance else fed.iris.listing(listing.id)


async def _listing_author(fed: Federation, tx: UnitOfWork, listing: ToolListing) -> str | None:
    if listing.provenance is not None:
        return listing.provenance.author_iri
    org = await tx.organisations.get_by_id(listing.org_id or "")
    return None if org is None else fed.iris.org(org.handle)


async def signed_article(
    fed: Federation, org: Organisation, report: ExperienceReport, listing: ToolListing
) -> dict[str, Any]:
    """The report's Article with @context and the author's FEP-8b32 proof."""
    async with fed.uow(readonly=True) as tx:
        author = await _listing_author(fed, tx, listing)
    article = to_ap(report, fed.iris, org.handle, listing_iri(fed, listing), author)
    return await sign_as(fed, org.id, org.handle, {"@context": DEFAULT_CONTEXT, **article})


async def handle_report_event(fed: Federation, job: Job) -> None:
    """The `event.report` job: Create, Update or Delete of the report's Article."""
    try:
        event = ReportEvent.from_payload(job.payload)
    except (KeyError, TypeError, ValueError) as exc:
        raise PermanentJobError(f"malformed report event: {exc}") from exc
    async with fed.uow(readonly=True) as tx:
        report = await tx.reports.get_by_id(event.report_id)
        org = await tx.organisations.get_by_id(event.org_id)
        listing = await tx.listings.get_by_id(report.listing_id) if report else None
        author = await _listing_author(fed, tx, listing) if listing else None
    object_: dict[str, Any] | None = None
    if report is None or org is None or report.org_id != org.id:
        log.info("report %s: nothing to publish for %s", event.report_id, event.change)
    elif event.change == "deleted":
        object_ = tombstone(report, fed.iris)
    elif report.state == "published" and listing is not None:
        object_ = await signed_article(fed, org, report, listing)
    else:  # deleted since, or about a listing no longer held: nothing to say about it
        log.info("report %s: %s not sent", event.report_id, event.change)
    # Left out when unreachable now, not retried: the report reaches the author's node
    # through the catalog's signed Announce too, and a job that finally died would lose the
    # followers' and the catalog's copy as well.
    inbox = await inbox_or_none(fed, author) if author else None
    async with fed.uow() as tx:
        if object_ is not None and org is not None:
            type_ = {"published": "Create", "updated": "Update"}.get(event.change, "Delete")
            cc = [fed.iris.org_followers(org.handle)] + ([author] if author else [])
            activity = new_activity(
                fed.iris, org, type_, object_, fed.clock.now(), to=[AS_PUBLIC], cc=cc
            )
            inboxes = (inbox,) if inbox else ()
            await publish(
                tx, fed.iris, org, activity, fed.clock.now(), followers=True, inboxes=inboxes
            )
            # The catalog relays it too (embedded and signed; by IRI once deleted).
            live = type_ != "Delete"
            await announce_signed(
                tx, fed, report_iri(fed.iris, report.id), object_ if live else None, live=live
            )
        await tx.jobs.finish(job)


async def report_by_iri(fed: Federation, tx: UnitOfWork, iri: str) -> ExperienceReport | None:
    """A published report we hold, local (by our IRI) or remote (by its origin IRI)."""
    local = local_report_id(fed.iris, iri)
    report = await (tx.reports.get_by_id(local) if local else tx.reports.get_by_origin(iri))
    return report if report is not None and report.state == "published" else None


def _subject(fed: Federation, report: ExperienceReport) -> tuple[str, str | None]:
    """(report IRI, its remote author or None for ours)."""
    if report.origin is not None:
        return report.origin.origin_iri, report.origin.author_iri
    return report_iri(fed.iris, report.id), None


async def mark_helpful(fed: Federation, org: Organisation, report_id: str) -> int:
    """`org` finds the report helpful (a Like, sent to a remote author); once per organisation.

    Returns the report's helpful count.
    """
    async with fed.uow(readonly=True) as tx:
        report = await tx.reports.get_by_id(report_id)
    if report is None or report.state != "published":
        raise NotFoundError(f"no report {report_id}")
    iri, author = _subject(fed, report)
    inbox = (
        await inbox_or_none(fed, author) if author else None
    )  # asked now: left out if unreachable
    now = fed.clock.now()
    actor = fed.iris.org(org.handle)
    like = new_activity(fed.iris, org, "Like", iri, now, to=[author] if author else [])
    async with fed.uow() as tx:
        added = await tx.reports.add_helpful(report.id, actor, like["id"], now)
        if added:
            await tx.jobs.enqueue(recompute_job(now))
        if added and inbox:
            await publish(tx, fed.iris, org, like, now, followers=False, inboxes=(inbox,))
        counts = await tx.reports.helpful_counts([report.id])
    return counts.get(report.id, 0)


async def unmark_helpful(fed: Federation, org: Organisation, report_id: str) -> int:
    """Take the organisation's helpful mark back (Undo{Like} to a remote author)."""
    async with fed.uow(readonly=True) as tx:
        report = await tx.reports.get_by_id(report_id)
    if report is None:
        raise NotFoundError(f"no report {report_id}")
    iri, author = _subject(fed, report)
    inbox = (
        await inbox_or_none(fed, author) if author else None
    )  # asked now: left out if unreachable
    now = fed.clock.now()
    actor = fed.iris.org(org.handle)
    async with fed.uow() as tx:
        like_iri = await tx.reports.remove_helpful(report.id, actor)
        if like_iri:
            await tx.jobs.enqueue(recompute_job(now))
        if like_iri and inbox and author:
            like = {"id": like_iri, "type": "Like", "actor": actor, "object": iri}
            undo = new_activity(fed.iris, org, "Undo", like, now, to=[author])
            await publish(tx, fed.iris, org, undo, now, followers=False, inboxes=(inbox,))
        counts = await tx.reports.helpful_counts([report.id])
    return counts.get(report.id, 0)


async def flag_object(fed: Federation, org: Organisation, iri: str, reason: object) -> Flag:
    """`org` flags a rating or report by IRI: queued here; another node's is also sent there.

    The Flag goes to the object's node in Mastodon's shape (object = [author, object IRI],
    content = reason), from the flagging organisation, by a job that finds the author.
    """
    text = check_reason(reason)
    if not iri.startswith(("https://", "http://")) or len(iri) > 2048:
        raise InvalidError("object: the IRI of a rating or report", field="object")
    if not fed.iris.is_local(iri) and not (await fed.policy()).permits(host_of(iri)):
        raise InvalidError(f"{host_of(iri)} is blocked on this node", field="object")
    now = fed.clock.now()
    async with fed.uow() as tx:
        report = await report_by_iri(fed, tx, iri)
        targets: tuple[str, ...] = (iri,)
        if report is not None:
            target, author = _subject(fed, report)
            targets = (author, target) if author else (target,)
        flag = Flag(new_id(now), "local", fed.iris.org(org.handle), targets, text, "open", now)
        await tx.flags.add(flag)
        if not fed.iris.is_local(iri):
            await tx.jobs.enqueue(
                NewJob(FLAG_SEND_JOB, {"flag": flag.id, "org": org.id, "object": iri})
            )
    return flag


async def _author_of(fed: Federation, iri: str) -> str | None:
    async with fed.uow(readonly=True) as tx:
        report = await tx.reports.get_by_origin(iri)
    if report is not None and report.origin is not None:
        return report.origin.author_iri
    try:
        result = await fed.fetcher.fetch_activity(iri, budget=FetchBudget())
    except FetchError as exc:
        if not exc.transient:
            return None
        raise  # network or server trouble: the worker retries
    author = id_of((result.document or {}).get("attributedTo"))
    return author if author and origin_of(author) == origin_of(iri) else None


async def handle_flag_send(fed: Federation, job: Job) -> None:
    """The `flag.send` job: find the flagged object's author and send the Flag to its node."""
    try:
        flag_id, org_id, iri = (str(job.payload[k]) for k in ("flag", "org", "object"))
    except KeyError as exc:
        raise PermanentJobError(f"malformed flag job: {exc}") from exc
    async with fed.uow(readonly=True) as tx:
        flag = await tx.flags.get(flag_id)
        org = await tx.organisations.get_by_id(org_id)
    author = await _author_of(fed, iri)
    # The Flag goes nowhere else, so an author unreachable now retries the job (as
    # _author_of does); a permanent failure leaves it unsent.
    inbox = await inbox_of(fed, author) if author else None
    async with fed.uow() as tx:
        if flag is not None and org is not None and author and inbox:
            activity = new_activity(
                fed.iris,
                org,
                "Flag",
                [author, iri],
                fed.clock.now(),
                to=[author],
                content=flag.reason,
            )
            await publish(
                tx, fed.iris, org, activity, fed.clock.now(), followers=False, inboxes=(inbox,)
            )
        else:
            log.info("flag %s of %s: no author or inbox found, not sent", flag_id, iri)
        await tx.jobs.finish(job)
