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
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from commonsnode.credit_events import CreditEvent
from commonsnode.jobs import Job
from commonsnode.model.dates import iso_instant
from commonsnode.worker import PermanentJobError
from federation.catalog import catalog_followers, new_catalog_activity, publish_catalog
from federation.contract_delivery import CREDIT_TYPE
from federation.integrity import sign_as
from federation.outbox import new_activity, publish
from federation.runtime import Federation
from federation.vocab import DEFAULT_CONTEXT

log = logging.getLogger("commonsnode.commissions")


def credit_iri(listing_iri: str, contract_iri: str) -> str:
    """The credit's IRI under its listing: one per (listing, contract), the same every time,
    so a repeated announcement names the same object."""
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
        "evidence": {
            "document": dict(event.document),
            "signatures": [{"party": p, "proof": dict(proof)} for p, proof in event.signatures],
        },
    }


async def handle_credit_event(fed: Federation, job: Job) -> None:
    """The `event.credit` job: the listing's organisation and the catalog Announce the
    signed credit to their followers, once (a withdrawn listing or a gone organisation tells
    nobody)."""
    try:
        event = CreditEvent.from_payload(job.payload)
    except (KeyError, TypeError, ValueError) as exc:
        raise PermanentJobError(f"malformed credit event: {exc}") from exc
    now = fed.clock.now()
    async with fed.uow() as tx:
        listing = await tx.listings.get_by_id(event.listing_id)
        org = await tx.organisations.get_by_id(listing.org_id or "") if listing else None
        if listing is None or org is None or listing.withdrawn_at is not None:
            log.info("credit of %s: its listing or publisher is gone", event.listing_id)
            await tx.jobs.finish(job)
            return
        listing_iri = fed.iris.listing(listing.id)
        credit = credit_object(event, listing_iri, fed.iris.org(org.handle))
        credit = await sign_as(fed, org.id, org.handle, credit)
        followers = fed.iris.org_followers(org.handle)
        activity = new_activity(fed.iris, org, "Announce", credit, now, to=[followers])
        await publish(tx, fed.iris, org, activity, now, followers=True)
        relay = new_catalog_activity(
            fed.iris, "Announce", credit, now, to=[catalog_followers(fed.iris)]
        )
        await publish_catalog(tx, fed.iris, relay, now, followers=True)
        await tx.jobs.finish(job)
