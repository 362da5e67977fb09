"""Credit events → the listing's publisher tells every holder of the listing of the credit.

A completed contract credits the listing on its publisher's node (the buyer's `Add`, or a
contract made here). The publishing organisation then makes a `CommissionCredit` of its own:
the listing, the contract, and as `evidence` the contract document with both parties' FEP-8b32
proofs; the organisation signs it (FEP-8b32) and Announces it to its followers, and the
node's catalog Announces the same signed copy to the catalog's followers. Neither is public
(no `as:Public`, not in the catalog's outbox): the evidence is the contract document, which
only the parties' nodes serve, so it goes to the nodes that follow the listing's publisher
and need it to check the credit, not to the whole fediverse. A receiver credits
its copy only after checking who announced it, the publisher's proof and both parties' proofs
(federation/inbox/handlers/credit_objects.py).

The signed credit is kept (`announced_credits`): a node whose Follow of the organisation or of
the catalog we accept later is sent the same objects, to its inbox alone (`handle_credit_replay`,
queued with the Accept, delivered after it), so it need not have followed when the contract
completed; at most once a day per follower (`REPLAY_COOLDOWN`): a Follow undone and made again
and again is not sent the whole history each time.

A hub (a catalog that re-shares the listings of the catalogs it follows) relays the credits of
the copies it re-shares the same way (`relay_credit`): the publisher's signed object unchanged,
Announced by our catalog to its followers, once per listing and contract, not public and not in
the outbox, never back to the listing's origin nor to the node it came from; it keeps them
beside its own, so its later followers are sent them too.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Any

from commonsnode.credit_events import CreditEvent, credit_replay_job
from commonsnode.jobs import Job
from commonsnode.model.dates import iso_instant
from commonsnode.model.listings import ToolListing
from commonsnode.model.moderation import DomainPolicy
from commonsnode.model.organisations import Organisation
from commonsnode.ports import UnitOfWork
from commonsnode.worker import PermanentJobError
from federation.catalog import (
    CatalogSettings,
    catalog_followers,
    new_catalog_activity,
    publish_catalog,
)
from federation.contract_delivery import CREDIT_TYPE
from federation.integrity import sign_as
from federation.iris import host_of, origin_of
from federation.outbox import new_activity, publish
from federation.runtime import Federation
from federation.vocab import DEFAULT_CONTEXT

log = logging.getLogger("commonsnode.commissions")


def credit_iri(listing_iri: str, contract_iri: str) -> str:
    """The credit's IRI under its listing: one per (listing, contract), the same every time,
    so a repeated announcement names the same object.

    Not the buyer's `{contract}/credit` (federation/contract_delivery.py): that object is the
    buyer's statement, under the contract its node serves; this one is the publisher's, signed
    by the listing's organisation, which is no party and can only name it under its listing."""
    digest = hashlib.sha256(contract_iri.encode("utf-8")).hexdigest()[:32]
    return f"{listing_iri}/credits/{digest}"


def credit_object(event: CreditEvent, listing_iri: str, author: str) -> dict[str, Any]:
    """The publisher's statement of the credit, with the signed contract as its evidence."""
    return {
        "@context": DEFAULT_CONTEXT,
        "type": CREDIT_TYPE,
        "id": credit_iri(listing_iri, event.contract),
        "attributedTo": author,
        "listing": listing_iri,
        "contract": event.contract,
        "published": iso_instant(event.at),
        "evidence": dict(event.evidence),
    }


@dataclass(frozen=True, slots=True)
class Recipients:
    """Who an Announce of a credit is for: `to` names it (a followers collection, or one
    follower); `followers` also delivers to every accepted follower, `inboxes` to these."""

    to: str
    followers: bool = False
    inboxes: tuple[str, ...] = ()
    except_origins: tuple[str, ...] = ()
    behind: str | None = None


async def announce_by_org(
    tx: UnitOfWork,
    fed: Federation,
    org: Organisation,
    credit: dict[str, Any],
    now: float,
    recipients: Recipients,
) -> None:
    """The organisation's Announce of its signed credit; never public."""
    activity = new_activity(fed.iris, org, "Announce", credit, now, to=[recipients.to])
    await publish(
        tx,
        fed.iris,
        org,
        activity,
        now,
        followers=recipients.followers,
        inboxes=recipients.inboxes,
        behind=recipients.behind,
    )


async def announce_by_catalog(
    tx: UnitOfWork, fed: Federation, credit: dict[str, Any], now: float, recipients: Recipients
) -> None:
    """The catalog's Announce of an organisation's signed credit (embedded); never public."""
    relay = new_catalog_activity(fed.iris, "Announce", credit, now, to=[recipients.to])
    await publish_catalog(
        tx,
        fed.iris,
        relay,
        now,
        followers=recipients.followers,
        inboxes=recipients.inboxes,
        except_origins=recipients.except_origins,
        behind=recipients.behind,
    )


async def _reshared(tx: UnitOfWork, listing: ToolListing) -> bool:
    """Our catalog re-shares this copy: it re-Announced it, or holds it from a catalog it
    follows (its followers may hold the copy through us)."""
    provenance = listing.provenance
    if provenance is None:
        return False
    announced = await tx.catalog.announced(provenance.origin_iri)
    if announced is not None and announced.live:
        return True
    follow = await tx.catalog.get_follow("out", provenance.via_iri)
    return follow is not None and follow.state == "accepted"


async def relay_credit(
    fed: Federation, listing: ToolListing, credit: dict[str, Any], announcer: str
) -> bool:
    """A hub relays the publisher's signed credit of a copy it re-shares (checked and taken
    here already) to its catalog's followers, once per listing and contract (the kept copy
    says it was relayed: a replay, or the same credit from another hub, relays nothing, so
    hubs following each other stop after one round), never back to the listing's origin nor
    to `announcer`'s node. False when nothing was relayed."""
    contract = str(credit.get("contract") or "")
    if listing.provenance is None or not contract:
        return False
    now = fed.clock.now()
    async with fed.uow() as tx:
        if not await _reshared(tx, listing):
            return False
        kept = await tx.credits.keep_announced(
            listing.id, contract, json.dumps(credit), now, via=announcer
        )
        if not kept:
            return False
        skipped = tuple({origin_of(listing.provenance.origin_iri), origin_of(announcer)})
        recipients = Recipients(catalog_followers(fed.iris), followers=True, except_origins=skipped)
        await announce_by_catalog(tx, fed, credit, now, recipients)
    log.info("credit %s of %s relayed to our catalog's followers", contract, listing.id)
    return True


async def _publisher(tx: UnitOfWork, listing_id: str) -> tuple[ToolListing, Organisation] | None:
    """Our listing and its organisation, while both stand (a withdrawn listing or a gone
    organisation tells nobody)."""
    listing = await tx.listings.get_by_id(listing_id)
    org = await tx.organisations.get_by_id(listing.org_id or "") if listing else None
    if listing is None or org is None or listing.withdrawn_at is not None:
        return None
    return listing, org


async def handle_credit_event(fed: Federation, job: Job) -> None:
    """The `event.credit` job: the listing's organisation and the catalog Announce the
    signed credit to their followers, once (a withdrawn listing or a gone organisation tells
    nobody); the signed credit is kept for followers that come later.

    The credit is signed before the write transaction: signing may read the organisation's
    key (a transaction of its own), which must not wait inside one holding the writer lock."""
    try:
        event = CreditEvent.from_payload(job.payload)
    except (KeyError, TypeError, ValueError) as exc:
        raise PermanentJobError(f"malformed credit event: {exc}") from exc
    async with fed.uow(readonly=True) as tx:
        found = await _publisher(tx, event.listing_id)
    credit: dict[str, Any] | None = None
    if found is not None:
        listing, org = found
        unsigned = credit_object(event, fed.iris.listing(listing.id), fed.iris.org(org.handle))
        credit = await sign_as(fed, org.id, org.handle, unsigned)
    now = fed.clock.now()
    async with fed.uow() as tx:
        found = await _publisher(tx, event.listing_id) if credit is not None else None
        if credit is None or found is None:
            log.info("credit of %s: its listing or publisher is gone", event.listing_id)
            await tx.jobs.finish(job)
            return
        listing, org = found
        followers = Recipients(fed.iris.org_followers(org.handle), followers=True)
        await announce_by_org(tx, fed, org, credit, now, followers)
        catalog = Recipients(catalog_followers(fed.iris), followers=True)
        await announce_by_catalog(tx, fed, credit, now, catalog)
        await tx.credits.keep_announced(listing.id, event.contract, json.dumps(credit), now)
        await tx.jobs.finish(job)


# Credits sent to a new follower per job run (one transaction); the next page is its own job.
REPLAY_PAGE = 50
# At most one replay per follower and replaying actor in this time: a Follow undone and made
# again and again is not sent (nor do we store) the whole history each time.
REPLAY_COOLDOWN = 24 * 3600.0


async def _still_follows(tx: UnitOfWork, org_id: str | None, follower: str) -> bool:
    """The follower's Follow is still accepted (an Undo or a block stops the replay)."""
    if org_id is None:
        record = await tx.catalog.get_follow("in", follower)
        return record is not None and record.state == "accepted"
    found = await tx.follows.get("in", org_id, follower)
    return found is not None and found.state == "accepted"


async def _replayable(
    tx: UnitOfWork,
    settings: CatalogSettings,
    policy: DomainPolicy,
    follower: str,
    listing_id: str,
    via: str | None,
) -> bool:
    """Whether a kept credit still goes to a new follower: our own listing's, or a copy's we
    relay as a hub today (hub mode on, the copy still re-shared, its domain and its author's
    not blocked since), never to the node the listing or the credit came from."""
    listing = await tx.listings.get_by_id(listing_id)
    if listing is None:
        return False
    provenance = listing.provenance
    if provenance is None:
        return True
    if origin_of(follower) in {origin_of(provenance.origin_iri), origin_of(via or "")}:
        return False
    hosts = (host_of(provenance.origin_iri), host_of(provenance.author_iri))
    if not all(policy.permits(host) for host in hosts):
        return False
    return settings.hub and await _reshared(tx, listing)


async def handle_credit_replay(fed: Federation, settings: CatalogSettings, job: Job) -> None:
    """The `event.credit_replay` job: one page of the credits announced before a follower
    was accepted, Announced again (the same signed objects) to that follower's inbox only;
    not at all when the same actor replayed them to it less than `REPLAY_COOLDOWN` ago.
    Only stored and queued here: the deliveries are their own jobs, so no transaction is
    held across the network."""
    try:
        follower = str(job.payload["follower"])
        inbox = str(job.payload["inbox"])
        org_id = job.payload.get("org")
        behind = job.payload.get("behind")
        after = job.payload.get("after")
        cursor = (str(after[0]), str(after[1])) if after else None
    except (KeyError, TypeError, IndexError) as exc:
        raise PermanentJobError(f"malformed credit replay: {exc}") from exc
    now = fed.clock.now()
    policy = await fed.policy()
    async with fed.uow() as tx:
        org = await tx.organisations.get_by_id(str(org_id)) if org_id else None
        if (org_id and org is None) or not await _still_follows(tx, org_id, follower):
            log.info("credit replay to %s: no longer a follower", follower)
            await tx.jobs.finish(job)
            return
        scope = org.id if org else "catalog"
        if cursor is None and not await tx.credits.start_replay(
            scope, follower, now, REPLAY_COOLDOWN
        ):
            log.info("credit replay to %s: sent less than a day ago, not again", follower)
            await tx.jobs.finish(job)
            return
        page = await tx.credits.kept_credits(org.id if org else None, cursor, REPLAY_PAGE)
        recipients = Recipients(follower, inboxes=(inbox,), behind=str(behind) if behind else None)
        for listing_id, _, document, via in page:
            if not await _replayable(tx, settings, policy, follower, listing_id, via):
                continue
            credit = json.loads(document)
            if org is None:
                await announce_by_catalog(tx, fed, credit, now, recipients)
            else:
                await announce_by_org(tx, fed, org, credit, now, recipients)
        await tx.jobs.finish(job)  # frees the dedupe key for the next page
        if len(page) == REPLAY_PAGE:
            last = (page[-1][0], page[-1][1])
            await tx.jobs.enqueue(
                credit_replay_job(
                    follower,
                    inbox,
                    org.id if org else None,
                    ordering_key=job.ordering_key or f"credit-replay:{follower}",
                    behind=str(behind) if behind else None,
                    after=last,
                )
            )
    log.info("credit replay to %s: %d credit(s) sent again", follower, len(page))
