"""Each commission step as one call: what must happen before the use case (recipients resolved
by WebFinger, a signature made with the organisation's key), then the use case, which queues
the step in its own transaction for the worker to tell the other party's node
(federation/commission_events.py). The JSON API (`web.api.requests`, `web.api.contracts`) and
the browser pages (`web.pages.request_page`, `web.pages.contract_page`) both call these, so a
bid, award, signature, milestone step or payment reaches the other node whichever way it was
made, and the two cannot drift apart again. Nothing here waits for the other node: the answer
comes as soon as the step is committed, and a node that is down is told once it is back.

A refusal is the use case's DomainError, raised before anything is queued; the callers turn it
into a problem document or a page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from commonsnode.ids import new_id
from commonsnode.model.bids import Bid
from commonsnode.model.contracts import Contract, Party, document
from commonsnode.model.ledger import Entry
from commonsnode.model.organisations import Organisation
from commonsnode.model.requests import Request
from commonsnode.usecases.bids import submit_bid
from commonsnode.usecases.contracts import (
    act_on_contract,
    award,
    get_contract,
    sign_contract,
)
from commonsnode.usecases.payments import record_payment
from commonsnode.usecases.requests import act_on_request, create_request
from federation.commission_delivery import mirrored_id
from federation.commissions import sign_contract_document
from web.api.commission_context import (
    commission_iris,
    resolve_listing,
    resolve_recipients,
    settings_of,
    verifiers_of,
)
from web.keys import CLOCK, FED, UOW


async def create_request_and_offer(
    app: web.Application,
    org: Organisation,
    party: Party,
    body: Mapping[str, Any],
    *,
    publish: bool,
) -> Request:
    """A new request as `party` (a draft unless `publish`): recipients named by acct: handle or
    IRI become actor IRIs (remote handles by WebFinger), a listing id becomes its IRI, and a
    published directed request is offered to its recipients on other nodes."""
    resolved = dict(body)
    resolved["recipients"] = await resolve_recipients(app, body.get("recipients"))
    if "listing" in body:
        resolved["listing"] = await resolve_listing(app, body["listing"])
    clock = app[CLOCK]
    return await create_request(
        app[UOW], clock, party, resolved, request_id=new_id(clock.now()), publish=publish
    )


async def act_on_request_and_tell(
    app: web.Application,
    org: Organisation,
    party: Party,
    request_id: str,
    action: str,
    *,
    reason: str | None = None,
) -> Request:
    """Publish, close or cancel a request; remote recipients get the Offer or the Update, and
    on a cancellation every remote bidder learns its bid's outcome."""
    return await act_on_request(app[UOW], app[CLOCK], request_id, party.id, action, reason=reason)


async def submit_bid_and_offer(
    app: web.Application,
    org: Organisation,
    party: Party,
    request_id: str,
    body: Mapping[str, Any],
) -> Bid:
    """A bid as `party`; on a mirrored request it goes to the requester's node as an Offer.
    `request_id` may also be the other node's request IRI."""
    fed, clock = app[FED], app[CLOCK]
    local_id = await mirrored_id(fed, request_id)
    bid_id = new_id(clock.now())
    return await submit_bid(
        app[UOW],
        clock,
        local_id,
        party,
        body,
        bid_id=bid_id,
        bid_iri=commission_iris(app).bid(local_id, bid_id),
    )


async def award_and_tell(
    app: web.Application, org: Organisation, party: Party, request_id: str, bid_id: object
) -> tuple[str, Contract]:
    """Award one bid: every remote bidder learns its outcome, the recipients the request's new
    state, and a supplier on another node receives the contract."""
    clock = app[CLOCK]
    return await award(
        app[UOW],
        clock,
        settings_of(app),
        commission_iris(app),
        request_id,
        party.id,
        bid_id,
        contract_id=new_id(clock.now()),
    )


async def sign_and_tell(
    app: web.Application,
    org: Organisation,
    party: Party,
    local_id: str,
    proof: Mapping[str, Any] | None = None,
) -> Contract | None:
    """Sign as `party` (with `proof` made elsewhere, or with its key here) and send the proof to
    the other party. None, and nothing sent, when the node would sign a contract already
    signed by this party."""
    if proof is None:
        contract, _ = await get_contract(app[UOW], local_id, party.id)
        if contract.signature_of(party.id) is not None:
            return None
        proof = await sign_contract_document(app[FED], org.id, org.handle, document(contract.terms))
    return await sign_contract(app[UOW], app[CLOCK], verifiers_of(app), local_id, party.id, proof)


async def act_on_contract_and_tell(
    app: web.Application,
    org: Organisation,
    party: Party,
    local_id: str,
    action: str,
    *,
    milestone: int | None = None,
    reason: str | None = None,
) -> Contract:
    """Start, deliver, accept, reject or dispute; the other party is told, and the completion
    of a contract about another node's listing is announced to its publisher."""
    return await act_on_contract(
        app[UOW],
        app[CLOCK],
        verifiers_of(app),
        local_id,
        party.id,
        action,
        listings=app[FED].iris,
        milestone=milestone,
        reason=reason,
    )


async def record_payment_and_tell(
    app: web.Application,
    org: Organisation,
    party: Party,
    local_id: str,
    body: Mapping[str, Any],
) -> tuple[Entry, bool]:
    """The buyer records a payment; a new one goes to the supplier's node (a repeat does not).
    Returns the entry and whether it was new."""
    return await record_payment(app[UOW], local_id, party.id, body)
