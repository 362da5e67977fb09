"""Record events → a signed Create / Update / Delete of the record's Note.

Sent to the declaring organisation's followers and to the listing's author (when it is on
another node), so the publisher learns who uses and supports its tool without following them.
The Note carries an FEP-8b32 proof by the organisation's Ed25519 key: whoever relays it, a
receiver can tell the organisation itself declared it.
"""

from __future__ import annotations

import logging
from typing import Any

from commonsnode.jobs import Job
from commonsnode.model.listings import ToolListing
from commonsnode.model.organisations import Organisation
from commonsnode.model.records import ListingRecord
from commonsnode.ports import UnitOfWork
from commonsnode.record_events import RecordEvent
from commonsnode.worker import PermanentJobError
from federation.convert.records import record_tombstone, to_note
from federation.integrity import sign_as
from federation.outbox import new_activity, publish
from federation.recipients import inbox_or_none
from federation.runtime import Federation
from federation.vocab import AS_PUBLIC

log = logging.getLogger("commonsnode.records")


def listing_iri(fed: Federation, listing: ToolListing) -> str:
    """The listing's own IRI: ours for a local listing, its origin's for a remote one."""
    return listing.provenance.origin_iri if listing.provenance else fed.iris.listing(listing.id)


async def signed_note(
    fed: Federation,
    org: Organisation,
    record: ListingRecord[Any],
    listing: ToolListing,
    author: str | None,
) -> dict[str, Any]:
    """The record's Note with the organisation's FEP-8b32 proof (sent, and served at its IRI)."""
    note = to_note(
        record, fed.iris, org.handle, listing_iri(fed, listing), listing.facts.name, author
    )
    return await sign_as(fed, org.id, org.handle, note)


def listing_author(listing: ToolListing) -> str | None:
    """The remote author of a listing (told of records about it), None for local listings."""
    return listing.provenance.author_iri if listing.provenance else None


async def _activity(
    fed: Federation,
    tx: UnitOfWork,
    org: Organisation,
    event: RecordEvent,
    listing: ToolListing | None,
    author: str | None,
) -> dict[str, Any] | None:
    cc = [fed.iris.org_followers(org.handle), *([author] if author else [])]
    now = fed.clock.now()
    if event.change == "withdrawn":
        tomb = record_tombstone(fed.iris, event.kind, event.record_id, event.at)
        return new_activity(fed.iris, org, "Delete", tomb, now, to=[AS_PUBLIC], cc=cc)
    records = tx.deployments if event.kind == "deployment" else tx.support_offers
    record = await records.get_by_id(event.record_id)
    if record is None or listing is None or record.org_id != org.id:
        return None  # withdrawn since: its Delete follows
    signed = await signed_note(fed, org, record, listing, author)
    type_ = "Create" if event.change == "declared" else "Update"
    return new_activity(fed.iris, org, type_, signed, now, to=[AS_PUBLIC], cc=cc)


async def handle_record_event(fed: Federation, job: Job) -> None:
    """The `event.record` job: publish the record's activity to followers and listing author.

    An author unreachable now is left out rather than retried, as for ratings: a job that
    finally died would lose the followers' copy too.
    """
    try:
        event = RecordEvent.from_payload(job.payload)
    except (KeyError, TypeError, ValueError) as exc:
        raise PermanentJobError(f"malformed record event: {exc}") from exc
    async with fed.uow(readonly=True) as tx:
        listing = await tx.listings.get_by_id(event.listing_id)
    author = listing_author(listing) if listing is not None else None
    inbox = await inbox_or_none(fed, author) if author else None
    async with fed.uow() as tx:
        org = await tx.organisations.get_by_id(event.org_id)
        listing = await tx.listings.get_by_id(event.listing_id)
        activity = None
        if org is not None:
            activity = await _activity(fed, tx, org, event, listing, author)
        if activity is not None and org is not None:
            inboxes = (inbox,) if inbox else ()
            await publish(
                tx, fed.iris, org, activity, fed.clock.now(), followers=True, inboxes=inboxes
            )
        else:
            log.info("%s %s: nothing to publish for %s", event.kind, event.record_id, event.change)
        await tx.jobs.finish(job)
