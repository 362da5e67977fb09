"""Listing events → Create / Update / Delete of an Article to the organisation's followers.

The worker runs this for every ListingEvent job the listing use-cases wrote; the activity is
stored and its fan-out enqueued in the transaction that finishes the job, so an event is
published exactly once even when a worker dies halfway.
"""

from __future__ import annotations

import logging
from typing import Any

from commonsnode.events import ListingEvent
from commonsnode.jobs import Job
from commonsnode.model.listings import ToolListing
from commonsnode.model.organisations import Organisation
from commonsnode.worker import PermanentJobError
from federation.announce import announce_local
from federation.convert.listings import to_ap, tombstone
from federation.outbox import new_activity, publish
from federation.runtime import Federation
from federation.vocab import AS_PUBLIC

log = logging.getLogger("commonsnode.listings")


def listing_activity(
    fed: Federation, org: Organisation, listing: ToolListing, event: ListingEvent
) -> dict[str, Any] | None:
    """The activity an event becomes, or None when a later change made it moot.

    A Create or Update is rendered from the listing as it is now; when the listing has been
    withdrawn since, only its Delete (a later event) is sent.
    """
    audience = {"to": [AS_PUBLIC], "cc": [fed.iris.org_followers(org.handle)]}
    now = fed.clock.now()
    if event.change == "withdrawn":
        return new_activity(fed.iris, org, "Delete", tombstone(listing, fed.iris), now, **audience)
    if listing.state != "published":
        return None
    type_ = "Create" if event.change == "published" else "Update"
    return new_activity(fed.iris, org, type_, to_ap(listing, fed.iris, org.handle), now, **audience)


async def handle_listing_event(fed: Federation, job: Job) -> None:
    """The `event.listing` job: publish the event's activity to the organisation's followers."""
    try:
        event = ListingEvent.from_payload(job.payload)
    except (KeyError, TypeError, ValueError) as exc:
        raise PermanentJobError(f"malformed listing event: {exc}") from exc
    async with fed.uow() as tx:
        listing = await tx.listings.get_by_id(event.listing_id)
        org = await tx.organisations.get_by_id(event.org_id)
        activity = None
        if listing is not None and org is not None and listing.org_id == org.id:
            activity = listing_activity(fed, org, listing, event)
        if activity is not None and org is not None and listing is not None:
            await publish(tx, fed.iris, org, activity, fed.clock.now(), followers=True)
            # The node's catalog announces it too (to remote catalogs, hubs, Mastodon users).
            await announce_local(tx, fed, listing, live=event.change != "withdrawn")
        else:
            log.info("listing %s: nothing to publish for %s", event.listing_id, event.change)
        await tx.jobs.finish(job)
