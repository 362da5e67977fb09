"""Use-cases for bids: submit one (local now, from another node later) and mark approaches.

A bid is checked on the requester's node by `check_admissible`, whoever sends it, so a remote
bid entering through the inbox will be refused for the same reasons as a local one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from commonsnode.clock import Clock
from commonsnode.commission_events import CommissionEvent
from commonsnode.errors import ForbiddenError, NotFoundError
from commonsnode.model.bids import Bid, new_bid, parse_bid_terms
from commonsnode.model.contracts import Party
from commonsnode.model.evaluation import check_mark
from commonsnode.ports import UnitOfWorkFactory
from commonsnode.usecases.remote_links import RemoteLink, link_row, linked_id


async def submit_bid(
    uow: UnitOfWorkFactory,
    clock: Clock,
    request_id: str,
    bidder: Party,
    body: Mapping[str, Any],
    *,
    bid_id: str,
    bid_iri: str,
    requester_org: str | None = None,
    tell: bool = True,
    offer: RemoteLink | None = None,
) -> Bid:
    """Record `bidder`'s bid on the request, or refuse it with the reason (late, closed, own
    request, not invited, wrong currency, or blocked by `requester_org`, the requesting
    organisation's id when the bid comes from another node). A draft request is invisible,
    so 404. `tell` False: a bid from another node, which has nobody to be told here; its
    `offer` is linked to the bid in the same transaction, and an offer taken already returns
    the bid it made (a replay is not refused as a duplicate)."""
    terms = parse_bid_terms(body)
    now = clock.now()
    async with uow() as tx:
        kept = await linked_id(tx, offer)
        existing = await tx.bids.get(kept) if kept else None
        if existing is not None:
            return existing
        request = await tx.commission_requests.get(request_id, for_update=True)
        if request is None or (request.state == "draft" and bidder.id != request.requester):
            raise NotFoundError(f"no request {request_id}")
        if requester_org is not None and await tx.moderation.is_actor_blocked(
            requester_org, bidder.id
        ):
            # A public request takes bids from anyone: anyone its requester has not blocked.
            raise ForbiddenError("the requester does not take bids from this organisation")
        bid = new_bid(bid_id, request, bidder.id, terms, now)
        await link_row(tx, offer, bid.id, now)
        await tx.bids.add(bid, bidder.name, bid_iri)
        if tell:  # told to the requester's node when the request is another node's (a mirror)
            await tx.jobs.enqueue(
                CommissionEvent("bid-offered", bidder.id, request_id, bid_id=bid.id).to_job()
            )
    return bid


async def mark_approach(
    uow: UnitOfWorkFactory, request_id: str, actor: str, bid_id: str, mark: object
) -> None:
    """The requester marks a bid's approach 0–10 (the `approach` criterion of the ranking)."""
    checked = check_mark(mark)
    async with uow() as tx:
        request = await tx.commission_requests.get(request_id)
        bid = await tx.bids.get(bid_id)
        if request is None or bid is None or bid.request_id != request_id:
            raise NotFoundError(f"no bid {bid_id} on request {request_id}")
        if actor != request.requester:
            raise ForbiddenError("only the requester marks the bids on its request")
        await tx.bids.set_mark(bid_id, checked)
