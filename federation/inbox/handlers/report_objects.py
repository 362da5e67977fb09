"""Experience reports (`Article` with our report terms) and replies to them, as inbox kinds.

A report is kept when its FEP-8b32 proof was made by its author, the author's domain is not
blocked, and it is about a listing this node holds; otherwise nothing is stored. A reply
(`Note` whose `inReplyTo` is a report we hold), from Mastodon or anywhere, becomes a comment;
Notes replying to anything else are left alone. COMMENTS must come last in KINDS, so a Note
some other kind recognises (a rating) is never taken for a comment.
"""

from __future__ import annotations

import logging
from typing import Any

from commonsnode.errors import DomainError, ForbiddenError
from commonsnode.ids import new_id
from commonsnode.model.reports import Comment, ReportOrigin
from commonsnode.usecases.reports import remove_remote_report, store_remote_report
from federation.convert.listings import published_of
from federation.convert.reports import (
    ReportDocumentError,
    bounded_html,
    from_ap,
    is_report,
    local_listing_id,
    subject_of,
)
from federation.inbox.dispatch import HandlerError, Incoming
from federation.inbox.object_kinds import ObjectKind
from federation.jsonld.shapes import first, id_of, str_or_none
from federation.reports import report_by_iri
from federation.runtime import Federation
from federation.sanitize import sanitize_html

log = logging.getLogger("commonsnode.inbox")


async def _listing_id(fed: Federation, iri: str) -> str | None:
    """Our id of the published listing the report is about, or None when we hold none."""
    local = local_listing_id(fed.iris, iri)
    async with fed.uow(readonly=True) as tx:
        listing = await (tx.listings.get_by_id(local) if local else tx.listings.get_by_origin(iri))
    if listing is None or listing.state != "published":
        return None
    if local is None and listing.provenance is None:
        return None
    return listing.id


async def keep_report(fed: Federation, incoming: Incoming, document: dict[str, Any]) -> None:
    """Store a report (its proof already checked); a refused one is a permanent HandlerError."""
    iri = id_of(document) or ""
    author = incoming.actor  # its proof was checked before (federation/inbox/signed_objects.py)
    try:
        text, facts, html = from_ap(document)
    except ReportDocumentError as exc:
        raise HandlerError(f"{iri}: {exc}") from exc
    subject = subject_of(document)
    listing_id = await _listing_id(fed, subject) if subject else None
    if listing_id is None:
        log.info("report %s: about %s, a listing not held here; dropped", iri, subject)
        return
    now = fed.clock.now()
    try:
        await store_remote_report(
            fed.uow,
            fed.clock,
            listing_id,
            text,
            facts,
            ReportOrigin(iri, author, now),
            published_of(document, now),
            html,
        )
    except DomainError as exc:
        raise HandlerError(f"{iri}: {exc.detail}") from exc


async def remove_report(fed: Federation, iri: str, actor: str) -> bool:
    """The author's Delete of a report we hold."""
    return await remove_remote_report(fed.uow, fed.clock, iri, actor)


async def forget_report(fed: Federation, iri: str) -> bool:
    """The report's origin answers 410: whoever relayed it, it is gone (and stays gone).

    For ObjectKind's `forget` where the kind supports relayed signed copies.
    """
    async with fed.uow() as tx:
        existing = await tx.reports.get_by_origin(iri)
        if existing is not None:
            await tx.reports.delete(existing.id)
        await tx.tombstones.add(
            iri, existing.origin.author_iri if existing and existing.origin else "", fed.clock.now()
        )
    return existing is not None


def is_reply(document: Any) -> bool:
    """A Note replying to something: kept only when that something is a report we hold."""
    return (
        isinstance(document, dict)
        and first(document.get("type")) == "Note"
        and id_of(first(document.get("inReplyTo"))) is not None
    )


async def keep_comment(fed: Federation, incoming: Incoming, document: dict[str, Any]) -> None:
    """A reply to one of the reports we hold becomes (or updates) its comment."""
    iri = id_of(document) or ""
    target = id_of(first(document.get("inReplyTo"))) or ""
    now = fed.clock.now()
    html = bounded_html(sanitize_html(str_or_none(document.get("content")) or ""))
    async with fed.uow() as tx:
        report = await report_by_iri(fed, tx, target)
        if report is None:
            return  # a reply to something else: not ours to keep
        if id_of(document.get("attributedTo")) != incoming.actor:
            raise HandlerError(f"{incoming.actor} is not the author of {iri}")
        if await tx.tombstones.exists(iri):
            return
        existing = await tx.reports.get_comment(iri)
        if existing is not None and existing.author_iri != incoming.actor:
            raise HandlerError(f"{incoming.actor} is not the author of {iri}")
        await tx.reports.save_comment(
            Comment(
                id=existing.id if existing else new_id(now),
                report_id=existing.report_id if existing else report.id,
                iri=iri,
                author_iri=incoming.actor,
                content_html=html,
                published_at=existing.published_at if existing else published_of(document, now),
                updated_at=now,
            )
        )


async def remove_comment(fed: Federation, iri: str, actor: str) -> bool:
    """The author's Delete of a reply we keep as a comment."""
    async with fed.uow() as tx:
        existing = await tx.reports.get_comment(iri)
        if existing is None:
            return False
        if existing.author_iri != actor:
            raise ForbiddenError(f"{actor} is not the author of {iri}")
        return await tx.reports.delete_comment(iri)


REPORTS = ObjectKind(
    "report", is_report, keep_report, remove_report, signed=True, forget=forget_report
)
# Not `attributed`: the author is checked in keep_comment, only for replies to our reports, so
# the fediverse's other replies stay silently ignored as before.
COMMENTS = ObjectKind("comment", is_reply, keep_comment, remove_comment, attributed=False)
