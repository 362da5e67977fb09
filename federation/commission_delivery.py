"""Request and bid activities for other nodes (vocabulary.md, "Commissions"; FEDERATION.md).

A directed request goes as `Offer{Article}` to its remote recipients only, its later state as
`Update{Article}` to the same; a public one goes to the followers and the catalog
(federation/public_requests.py); a bid as `Offer{Bid}` to the requester only; the award and
every refusal as `Accept{Offer}` / `Reject{Offer}` to the bidder only. Nothing here decides a
rule: the use cases have already accepted or refused what is being told; this module only
shapes and addresses the activities (`Outgoing`), which federation/commission_events.py
publishes from the step's queued event. `answer_offer` is the one exception that publishes
itself: the inbox's refusal of a bid that arrived, told at once.
"""

from __future__ import annotations

import logging
from typing import Any

from commonsnode.model.bids import Bid
from commonsnode.model.organisations import Organisation
from commonsnode.model.requests import Request
from commonsnode.ports import UnitOfWork
from federation.commission_outgoing import Outgoing, inboxes_by_actor, inboxes_of, publish_all
from federation.commissions import CommissionIris
from federation.convert.commissions import bid_to_ap, request_to_ap
from federation.outbox import new_activity
from federation.public_requests import tell_public
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


async def offer_request(fed: Federation, org: Organisation, request: Request) -> list[Outgoing]:
    """A published directed request: `Offer{Article}` to the recipients on other nodes; a
    published public one: `Create{Article}` to the followers and the catalog."""
    if not request.is_directed:
        public = await tell_public(fed, org, request, new=True)
        return [public] if public is not None else []
    remote = [r for r in request.terms.recipients if not fed.iris.is_local(r)]
    if not remote or request.state == "draft":
        return []
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
    return [Outgoing(org, activity, inboxes)]


async def offer_bid(fed: Federation, org: Organisation, bid: Bid) -> list[Outgoing]:
    """A bid on a mirrored request: `Offer{Bid}` to the requester; nothing for a local one."""
    async with fed.uow(readonly=True) as tx:
        request_iri = await tx.commission_links.iri_of(bid.request_id, REQUEST_LINK)
        bid_iri = await tx.bids.iri_of(bid.id)
        request = await tx.commission_requests.get(bid.request_id)
    if request_iri is None or bid_iri is None or request is None:
        return []
    inboxes = await inboxes_of(fed, [request.requester])
    activity = new_activity(
        fed.iris,
        org,
        "Offer",
        bid_to_ap(bid_iri, request_iri, bid.bidder, bid.terms),
        fed.clock.now(),
        to=[request.requester],
    )
    return [Outgoing(org, activity, inboxes, links=((bid_iri, BID_LINK, bid.id),))]


def offer_ref(offer_id: str, bidder: str, bid_iri: str) -> dict[str, Any]:
    """The Offer an answer is about, embedded by reference (the bidder knows it)."""
    return {"type": "Offer", "id": offer_id, "actor": bidder, "object": bid_iri}


def answer_activity(
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
) -> dict[str, Any]:
    """`Accept{Offer}` (with the contract IRI as `result`) or `Reject{Offer}` with the reason."""
    extra: dict[str, Any] = {"to": [bidder]}
    if accept and result:
        extra["result"] = result
    if not accept:
        extra.update(status=status, summary=summary, content=content)
    type_ = "Accept" if accept else "Reject"
    return new_activity(fed.iris, org, type_, offer, fed.clock.now(), **extra)


async def answer_offer(
    fed: Federation,
    org: Organisation,
    offer: dict[str, Any],
    bidder: str,
    *,
    accept: bool,
    status: str = NOT_AWARDED,
    summary: str = "",
    content: str = "",
) -> None:
    """Answer a bid at once (the refusal of one arriving in our inbox)."""
    activity = answer_activity(
        fed, org, offer, bidder, accept=accept, status=status, summary=summary, content=content
    )
    outgoing = Outgoing(org, activity, await inboxes_of(fed, [bidder]))
    async with fed.uow() as tx:
        await publish_all(tx, fed, [outgoing], fed.clock.now())


async def tell_bidders(
    fed: Federation, org: Organisation, request_id: str, contract_iri: str | None
) -> list[Outgoing]:
    """After the award (or a cancellation): every remote bidder learns its bid's outcome.
    The bidders' inboxes are resolved together (see federation/recipients.py)."""
    async with fed.uow(readonly=True) as tx:
        request = await tx.commission_requests.get(request_id)
        bids = await tx.bids.for_request(request_id)
        offers = await tx.commission_links.iris_of([b.id for b in bids], OFFER_LINK)
        iris = await tx.bids.iris_for_request(request_id)
    if request is None:
        return []
    remote = [
        b for b in bids if b.id in offers and b.id in iris and not fed.iris.is_local(b.bidder)
    ]
    inboxes = await inboxes_by_actor(fed, [b.bidder for b in remote])
    content = (
        "The request was cancelled." if request.state == "cancelled" else "Another bid was awarded."
    )
    told: list[Outgoing] = []
    for bid in remote:
        awarded = bid.status == "awarded"
        activity = answer_activity(
            fed,
            org,
            offer_ref(offers[bid.id], bid.bidder, iris[bid.id]),
            bid.bidder,
            accept=awarded,
            result=contract_iri if awarded else None,
            summary="Not awarded",
            content=content,
        )
        inbox = inboxes.get(bid.bidder)
        told.append(Outgoing(org, activity, (inbox,) if inbox else ()))
    return told


async def mirrored_id(fed: Federation, value: str) -> str:
    """A request named by another node's IRI (URL-decoded in the path) → our mirror's id;
    any other value is taken as a local id."""
    if not value.startswith(("https://", "http://")):
        return value
    async with fed.uow(readonly=True) as tx:
        found = await tx.commission_links.local_id(value, REQUEST_LINK)
    return found if found is not None else value


async def update_request(fed: Federation, org: Organisation, request: Request) -> list[Outgoing]:
    """The request's new state (closed, awarded, cancelled), to the recipients on other nodes:
    `Update{Article}` with `state` (and `cancelReason`), so their mirrors take no more bids.
    A public request's Update goes to the followers and the catalog."""
    if not request.is_directed:
        if request.state in ("draft", "open"):
            return []
        public = await tell_public(fed, org, request, new=False)
        return [public] if public is not None else []
    remote = [r for r in request.terms.recipients if not fed.iris.is_local(r)]
    if not remote or request.state in ("draft", "open"):
        return []
    iri = CommissionIris(fed.iris.origin).request(request.id)
    object_ = {**request_to_ap(request, iri), "state": request.state}
    if request.cancel_reason:
        object_["cancelReason"] = request.cancel_reason
    inboxes = await inboxes_of(fed, remote)
    activity = new_activity(
        fed.iris, org, "Update", object_, fed.clock.now(), to=list(request.terms.recipients)
    )
    return [Outgoing(org, activity, inboxes)]


async def refusal_of(fed: Federation, bid_id: str) -> dict[str, str] | None:
    """Why the requester's node refused our bid: `{"summary", "content"}`, or None."""
    async with fed.uow(readonly=True) as tx:
        iri = await tx.bids.iri_of(bid_id)
        found = await tx.commission_links.refusal(iri) if iri else None
    return None if found is None else {"summary": found[0], "content": found[1]}
