"""Commission activities sent to other nodes (vocabulary.md, "Commissions"; FEDERATION.md).

A directed request goes as `Offer{Article}` to its remote recipients only; a bid as
`Offer{Bid}` to the requester only; the award and every refusal as `Accept{Offer}` /
`Reject{Offer}` to the bidder only. Nothing here decides a rule: the use cases have already
accepted or refused what is being told; this module only addresses and queues the activity.
"""

from __future__ import annotations

import logging
from typing import Any

from commonsnode.model.bids import Bid
from commonsnode.model.organisations import Organisation
from commonsnode.model.requests import Request
from commonsnode.ports import UnitOfWork
from federation.commissions import CommissionIris
from federation.convert.commissions import bid_to_ap, request_to_ap
from federation.outbox import new_activity, publish
from federation.public_requests import tell_public
from federation.reports import inbox_of
from federation.runtime import Federation

log = logging.getLogger("commonsnode.commissions")

# commission_links kinds
REQUEST_LINK = "request"  # another node's request IRI → our mirror's id
BID_LINK = "bid"  # our own bid IRI → its row here (on the bidder's node)
OFFER_LINK = "offer"  # a remote bidder's Offer activity id → the bid's row (requester's node)
AWARD_LINK = "award"  # the contract IRI an Accept named → our bid's row (bidder's node)

NOT_AWARDED = "not-awarded"
REFUSED = "refused"


async def local_org(fed: Federation, tx: UnitOfWork, actor: str) -> Organisation | None:
    """The organisation of this node whose actor IRI this is, or None."""
    handle = fed.iris.org_handle(actor) if fed.iris.is_local(actor) else None
    return None if handle is None else await tx.organisations.get_by_handle(handle)


async def inboxes_of(fed: Federation, actors: list[str]) -> tuple[str, ...]:
    found: list[str] = []
    for actor in actors:
        inbox = await inbox_of(fed, actor)
        if inbox and inbox not in found:
            found.append(inbox)
    return tuple(found)


async def offer_request(fed: Federation, org: Organisation, request: Request) -> None:
    """A published directed request: `Offer{Article}` to the recipients on other nodes; a
    published public one: `Create{Article}` to the followers and the catalog."""
    if not request.is_directed:
        await tell_public(fed, org, request, new=True)
        return
    remote = [r for r in request.terms.recipients if not fed.iris.is_local(r)]
    if not remote or request.state == "draft":
        return
    inboxes = await inboxes_of(fed, remote)
    iri = CommissionIris(fed.iris.origin).request(request.id)
    activity = new_activity(
        fed.iris,
        org,
        "Offer",
        request_to_ap(request, iri),
        fed.clock.now(),
        to=list(request.terms.recipients),
    )
    async with fed.uow() as tx:
        await publish(
            tx, fed.iris, org, activity, fed.clock.now(), followers=False, inboxes=inboxes
        )


async def offer_bid(fed: Federation, org: Organisation, bid: Bid) -> bool:
    """A bid on a mirrored request: `Offer{Bid}` to the requester. False for a local request."""
    async with fed.uow() as tx:
        request_iri = await tx.commission_links.iri_of(bid.request_id, REQUEST_LINK)
        bid_iri = await tx.bids.iri_of(bid.id)
        request = await tx.commission_requests.get(bid.request_id)
    if request_iri is None or bid_iri is None or request is None:
        return False
    inboxes = await inboxes_of(fed, [request.requester])
    now = fed.clock.now()
    activity = new_activity(
        fed.iris,
        org,
        "Offer",
        bid_to_ap(bid_iri, request_iri, bid.bidder, bid.terms),
        now,
        to=[request.requester],
    )
    async with fed.uow() as tx:
        await tx.commission_links.link(bid_iri, BID_LINK, bid.id, now)
        await publish(tx, fed.iris, org, activity, now, followers=False, inboxes=inboxes)
    return True


def offer_ref(offer_id: str, bidder: str, bid_iri: str) -> dict[str, Any]:
    """The Offer an answer is about, embedded by reference (the bidder knows it)."""
    return {"type": "Offer", "id": offer_id, "actor": bidder, "object": bid_iri}


async def answer_offer(
    fed: Federation,
    org: Organisation,
    offer: dict[str, Any],
    bidder: str,
    *,
    accept: bool,
    result: str | None = None,
    status: str = NOT_AWARDED,
    summary: str = "",
    content: str = "",
) -> None:
    """`Accept{Offer}` (with the contract IRI as `result`) or `Reject{Offer}` with the reason."""
    now = fed.clock.now()
    extra: dict[str, Any] = {"to": [bidder]}
    if accept and result:
        extra["result"] = result
    if not accept:
        extra.update(status=status, summary=summary, content=content)
    activity = new_activity(fed.iris, org, "Accept" if accept else "Reject", offer, now, **extra)
    inboxes = await inboxes_of(fed, [bidder])
    async with fed.uow() as tx:
        await publish(tx, fed.iris, org, activity, now, followers=False, inboxes=inboxes)


async def tell_bidders(fed: Federation, request_id: str, contract_iri: str | None) -> int:
    """After the award (or a cancellation): every remote bidder learns its bid's outcome."""
    told = 0
    async with fed.uow(readonly=True) as tx:
        request = await tx.commission_requests.get(request_id)
        org = await local_org(fed, tx, request.requester) if request else None
        bids = await tx.bids.for_request(request_id)
        offers = {b.id: await tx.commission_links.iri_of(b.id, OFFER_LINK) for b in bids}
        iris = {b.id: await tx.bids.iri_of(b.id) for b in bids}
    if request is None or org is None:
        return 0
    for bid in bids:
        offer_id, bid_iri = offers[bid.id], iris[bid.id]
        if offer_id is None or bid_iri is None or fed.iris.is_local(bid.bidder):
            continue
        awarded = bid.status == "awarded"
        await answer_offer(
            fed,
            org,
            offer_ref(offer_id, bid.bidder, bid_iri),
            bid.bidder,
            accept=awarded,
            result=contract_iri if awarded else None,
            summary="Not awarded",
            content=(
                "The request was cancelled."
                if request.state == "cancelled"
                else "Another bid was awarded."
            ),
        )
        told += 1
    return told


async def mirrored_id(fed: Federation, value: str) -> str:
    """A request named by another node's IRI (URL-decoded in the path) → our mirror's id;
    any other value is taken as a local id."""
    if not value.startswith(("https://", "http://")):
        return value
    async with fed.uow(readonly=True) as tx:
        found = await tx.commission_links.local_id(value, REQUEST_LINK)
    return found if found is not None else value


async def update_request(fed: Federation, org: Organisation, request: Request) -> None:
    """The request's new state (closed, awarded, cancelled), to the recipients on other nodes:
    `Update{Article}` with `state` (and `cancelReason`), so their mirrors take no more bids.
    A public request's Update goes to the followers and the catalog."""
    if not request.is_directed:
        if request.state not in ("draft", "open"):
            await tell_public(fed, org, request, new=False)
        return
    remote = [r for r in request.terms.recipients if not fed.iris.is_local(r)]
    if not remote or request.state in ("draft", "open"):
        return
    iri = CommissionIris(fed.iris.origin).request(request.id)
    object_ = {**request_to_ap(request, iri), "state": request.state}
    if request.cancel_reason:
        object_["cancelReason"] = request.cancel_reason
    inboxes = await inboxes_of(fed, remote)
    now = fed.clock.now()
    activity = new_activity(
        fed.iris, org, "Update", object_, now, to=list(request.terms.recipients)
    )
    async with fed.uow() as tx:
        await publish(tx, fed.iris, org, activity, now, followers=False, inboxes=inboxes)


async def refusal_of(fed: Federation, bid_id: str) -> dict[str, str] | None:
    """Why the requester's node refused our bid: `{"summary", "content"}`, or None."""
    async with fed.uow(readonly=True) as tx:
        iri = await tx.bids.iri_of(bid_id)
        found = await tx.commission_links.refusal(iri) if iri else None
    return None if found is None else {"summary": found[0], "content": found[1]}
