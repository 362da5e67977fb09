"""Offer, Accept{Offer} and Reject{Offer}: commissions arriving from other nodes.

`Offer{Article}` is a request directed to organisations here: it is mirrored through the same
`create_request` a local request goes through. `Offer{Bid}` is a bid on one of our requests:
it goes through `submit_bid`, and a refusal (late, closed, own request, not invited, wrong
currency) goes back as `Reject{Offer}` with the reason. `Accept`/`Reject` of an Offer of ours
is the requester's answer to our bid; anything else goes on to the follow handlers.

Ownership: the object must share the actor's origin and name the actor as `attributedTo`;
only the requester's actor may answer a bid on its request.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from commonsnode.errors import DomainError
from commonsnode.ids import new_id
from commonsnode.model.bids import Bid, BidStatus
from commonsnode.model.contracts import Party
from commonsnode.usecases.bids import submit_bid
from commonsnode.usecases.remote_links import AlreadyReceived, RemoteLink
from commonsnode.usecases.requests import act_on_request, create_request
from federation.commission_delivery import (
    AWARD_LINK,
    BID_LINK,
    OFFER_LINK,
    REFUSED,
    REQUEST_LINK,
    answer_offer,
    local_org,
    offer_ref,
)
from federation.commissions import CommissionIris
from federation.convert.commissions import bid_body, is_bid, is_request, request_body
from federation.inbox.dispatch import ActivityHandler, HandlerError, Incoming
from federation.iris import origin_of
from federation.jsonld.shapes import first, id_of
from federation.runtime import Federation

log = logging.getLogger("commonsnode.inbox")
MAX_REASON = 2_000


async def _name(fed: Federation, actor: str) -> str:
    async with fed.uow(readonly=True) as tx:
        known = await tx.actors.get(actor)
    return (known.name or known.preferred_username or actor) if known else actor


def _owned(incoming: Incoming) -> dict[str, Any]:
    inner = incoming.activity.get("object")
    iri = id_of(inner)
    if not isinstance(inner, dict) or iri is None:
        # receive.py reduces an embedded object of another origin to its id: not the actor's
        raise HandlerError("an Offer embeds the object it offers, which belongs to the actor")
    if origin_of(iri) != origin_of(incoming.actor) or id_of(inner.get("attributedTo")) != (
        incoming.actor
    ):
        raise HandlerError("an offered object belongs to the actor offering it")
    return inner


async def handle_offer(fed: Federation, incoming: Incoming) -> None:
    """A directed request to organisations here, or a bid on one of our requests."""
    inner = _owned(incoming)
    if is_request(inner):
        await _mirror_request(fed, incoming, inner)
    elif is_bid(inner):
        await _receive_bid(fed, incoming, inner)
    else:
        log.info("Offer of %s from %s: not handled here", first(inner.get("type")), incoming.actor)


async def _mirror_request(fed: Federation, incoming: Incoming, document: dict[str, Any]) -> None:
    iri = str(document["id"])
    body = request_body(document)
    if not any(fed.iris.is_local(r) for r in body["recipients"]):
        raise HandlerError("a directed request reaches only the organisations it names")
    await keep_mirror(fed, incoming.actor, iri, body)


async def keep_mirror(fed: Federation, actor: str, iri: str, body: dict[str, Any]) -> None:
    """Our mirror of another node's request (directed to us, or public and followed): written
    once with its link in one transaction, so a replayed activity finds it and adds nothing."""
    async with fed.uow(readonly=True) as tx:
        if await tx.commission_links.local_id(iri, REQUEST_LINK) is not None:
            return
    now = fed.clock.now()
    requester = Party(actor, await _name(fed, actor))
    try:
        await create_request(
            fed.uow,
            fed.clock,
            requester,
            body,
            request_id=new_id(now),
            tell=False,
            received=RemoteLink(iri, REQUEST_LINK),
        )
    except AlreadyReceived:
        return
    except DomainError as exc:
        raise HandlerError(f"request {iri} refused: {exc}") from exc


async def _receive_bid(fed: Federation, incoming: Incoming, document: dict[str, Any]) -> None:
    bid_iri = str(document["id"])
    offer_id = id_of(incoming.activity) or bid_iri
    request_iri = id_of(document.get("inReplyTo")) or ""
    prefix = CommissionIris(fed.iris.origin).request("")
    if not request_iri.startswith(prefix) or "/" in request_iri[len(prefix) :]:
        raise HandlerError(f"bid {bid_iri} is not on a request of this node")
    request_id = request_iri[len(prefix) :]
    async with fed.uow(readonly=True) as tx:
        request = await tx.commission_requests.get(request_id)
        org = await local_org(fed, tx, request.requester) if request else None
        known = await tx.commission_links.local_id(offer_id, OFFER_LINK)
    if request is None or org is None:
        raise HandlerError(f"no request {request_iri} here")
    if known is not None:
        return
    bid_id = new_id(fed.clock.now())
    bidder = Party(incoming.actor, await _name(fed, incoming.actor))
    try:
        await submit_bid(
            fed.uow,
            fed.clock,
            request_id,
            bidder,
            bid_body(document),
            bid_id=bid_id,
            bid_iri=bid_iri,
            requester_org=org.id,
            tell=False,
            offer=RemoteLink(offer_id, OFFER_LINK),
        )
    except AlreadyReceived:
        return
    except DomainError as exc:
        log.info("bid %s from %s refused: %s", bid_iri, incoming.actor, exc)
        await answer_offer(
            fed,
            org,
            offer_ref(offer_id, incoming.actor, bid_iri),
            incoming.actor,
            accept=False,
            status=REFUSED,
            summary=exc.title,
            content=str(exc),
        )
        return


async def _answer(fed: Federation, incoming: Incoming, *, accept: bool) -> bool:
    """The requester's answer to one of our bids; False when the activity is about no bid."""
    inner = incoming.activity.get("object")
    bid_iri = id_of(inner.get("object")) if isinstance(inner, dict) else None
    if bid_iri is None or not fed.iris.is_local(bid_iri):
        return False
    now = fed.clock.now()
    async with fed.uow() as tx:
        bid_id = await tx.commission_links.local_id(bid_iri, BID_LINK)
        bid = await tx.bids.get(bid_id) if bid_id else None
        if bid is None:
            return False
        request = await tx.commission_requests.get(bid.request_id)
        if request is None or request.requester != incoming.actor:
            raise HandlerError("only the requester answers a bid on its request")
        activity = incoming.activity
        if accept:
            await tx.bids.set_status([_with_status(bid, "awarded")])
            contract = id_of(activity.get("result"))
            if contract and origin_of(contract) == origin_of(incoming.actor):
                await tx.commission_links.link(contract, AWARD_LINK, bid.id, now)
        else:
            status: BidStatus = "refused" if activity.get("status") == REFUSED else "not-awarded"
            await tx.bids.set_status([_with_status(bid, status)])
            await tx.commission_links.add_refusal(
                bid_iri,
                _reason(activity.get("summary")),
                _reason(activity.get("content")),
                now,
            )
    return True


def _reason(value: object) -> str:
    return value.strip()[:MAX_REASON] if isinstance(value, str) else ""


def _with_status(bid: Bid, status: BidStatus) -> Bid:
    return replace(bid, status=status)


def accept_with_offers(fallback: ActivityHandler) -> ActivityHandler:
    """The Accept handler: Accept{Offer} of our bids here, everything else to `fallback`."""

    async def handle_accept(fed: Federation, incoming: Incoming) -> None:
        if not await _answer(fed, incoming, accept=True):
            await fallback(fed, incoming)

    return handle_accept


def reject_with_offers(fallback: ActivityHandler) -> ActivityHandler:
    """The Reject handler: Reject{Offer} of our bids here, everything else to `fallback`."""

    async def handle_reject(fed: Federation, incoming: Incoming) -> None:
        if not await _answer(fed, incoming, accept=False):
            await fallback(fed, incoming)

    return handle_reject


async def update_mirror(fed: Federation, incoming: Incoming, document: dict[str, Any]) -> None:
    """`Update{Article}` of a request we mirror: its requester closed, awarded or cancelled it.

    Applied with `act_on_request` as the requester (close once the deadline passed, or cancel),
    so the mirror takes no more bids; a move the mirror has made already is a no-op.
    """
    iri = id_of(document) or ""
    if origin_of(iri) != origin_of(incoming.actor):
        raise HandlerError("a request is updated by its own node")
    async with fed.uow(readonly=True) as tx:
        local = await tx.commission_links.local_id(iri, REQUEST_LINK)
        mirror = await tx.commission_requests.get(local) if local else None
    if mirror is None:
        log.info("Update of request %s: not mirrored here", iri)
        return
    state = document.get("state")
    if state == "cancelled" and mirror.state not in ("cancelled", "awarded"):
        action = "cancel"
    elif state in ("evaluating", "awarded") and mirror.state == "open":
        action = "close"
    else:
        return
    reason = document.get("cancelReason")
    try:
        await act_on_request(
            fed.uow,
            fed.clock,
            mirror.id,
            incoming.actor,
            action,
            reason=reason if isinstance(reason, str) else None,
            tell=False,
        )
    except DomainError as exc:
        raise HandlerError(f"update of request {iri} refused: {exc}") from exc
