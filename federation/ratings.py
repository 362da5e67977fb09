"""Rating events → signed `Note` in Create / Update / Delete, to the rater's followers, the
rated listing's author and, through the node's catalog, to remote catalogs and hubs.

The Note carries an FEP-8b32 proof by the rater's Ed25519 key, so a hub relays it embedded in
its Announce and any node checks the author without fetching the rating from its origin.
A withdrawn rating's IRI is tombstoned here, so it answers 410 like a withdrawn listing.
"""

from __future__ import annotations

import logging
from typing import Any

from commonsnode.jobs import Job
from commonsnode.model.organisations import Organisation
from commonsnode.model.ratings import Rating
from commonsnode.ports import UnitOfWork
from commonsnode.rating_events import RatingEvent
from commonsnode.worker import PermanentJobError
from federation.announce import announce_signed
from federation.convert.ratings import rating_iri, to_ap, tombstone
from federation.integrity import sign_as
from federation.outbox import new_activity, publish
from federation.recipients import inbox_or_none
from federation.runtime import Federation
from federation.vocab import AS_PUBLIC, DEFAULT_CONTEXT

log = logging.getLogger("commonsnode.ratings")


async def _listing_ends(
    tx: UnitOfWork, fed: Federation, listing_id: str
) -> tuple[str, str, str | None]:
    """(listing IRI, tool name, listing author IRI) of the rated listing."""
    listing = await tx.listings.get_by_id(listing_id)
    if listing is None:
        return fed.iris.listing(listing_id), listing_id, None
    if listing.provenance is not None:
        return listing.provenance.origin_iri, listing.facts.name, listing.provenance.author_iri
    owner = await tx.organisations.get_by_id(listing.org_id or "")
    author = fed.iris.org(owner.handle) if owner is not None else None
    return fed.iris.listing(listing.id), listing.facts.name, author


async def signed_note(
    tx: UnitOfWork, fed: Federation, org: Organisation, rating: Rating
) -> dict[str, Any]:
    """The rating's Note with @context and the rater's proof (also what its IRI answers)."""
    listing_iri, tool, author = await _listing_ends(tx, fed, rating.listing_id)
    listing = await tx.listings.get_by_id(rating.listing_id)
    grade = await tx.privacy.grade_letter(listing.repository_key) if listing else None
    note = to_ap(
        rating,
        fed.iris,
        handle=org.handle,
        rater_name=org.name,
        tool_name=tool,
        listing_iri=listing_iri,
        listing_author=author,
        privacy_grade=grade,
    )
    return await sign_as(fed, org.id, org.handle, {"@context": DEFAULT_CONTEXT, **note})


async def handle_rating_event(fed: Federation, job: Job) -> None:
    """The `event.rating` job: Create, Update or Delete of the rating's Note, published once.

    The listing author's inbox is resolved before the transaction, and an author unreachable
    now is left out rather than retried: the rating reaches its node through the catalog's
    signed Announce too, and a retried job that finally died would lose the followers' and
    the catalog's copy as well.
    """
    try:
        event = RatingEvent.from_payload(job.payload)
    except (KeyError, TypeError, ValueError) as exc:
        raise PermanentJobError(f"malformed rating event: {exc}") from exc
    async with fed.uow(readonly=True) as tx:
        _, _, author = await _listing_ends(tx, fed, event.listing_id)
    inbox = await inbox_or_none(fed, author) if author else None
    now = fed.clock.now()
    async with fed.uow() as tx:
        org = await tx.organisations.get_by_id(event.org_id)
        rating = await tx.ratings.get_by_id(event.rating_id)
        if org is None:
            log.info("rating %s: its organisation is gone", event.rating_id)
            await tx.jobs.finish(job)
            return
        audience = {"to": [AS_PUBLIC], "cc": [fed.iris.org_followers(org.handle)]}
        if author is not None and author != fed.iris.org(org.handle):
            audience["cc"].append(author)
        inboxes = (inbox,) if inbox else ()
        iri = rating_iri(fed.iris, event.rating_id)
        if event.change == "withdrawn":
            gone = tombstone(fed.iris, event.rating_id, event.at)
            activity = new_activity(fed.iris, org, "Delete", gone, now, **audience)
            await publish(tx, fed.iris, org, activity, now, followers=True, inboxes=inboxes)
            await tx.tombstones.add(iri, fed.iris.org(org.handle), now)
            await announce_signed(tx, fed, iri, None, live=False)
        elif rating is not None and rating.org_id == org.id:
            note = await signed_note(tx, fed, org, rating)
            type_ = "Create" if event.change == "given" else "Update"
            activity = new_activity(fed.iris, org, type_, note, now, **audience)
            await publish(tx, fed.iris, org, activity, now, followers=True, inboxes=inboxes)
            await announce_signed(tx, fed, iri, note, live=True)
        else:
            log.info("rating %s: nothing to publish for %s", event.rating_id, event.change)
        await tx.jobs.finish(job)
