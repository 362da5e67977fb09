"""Each commission step as one call: what must happen before the use case (recipients resolved
by WebFinger, a mirrored request's IRI mapped to its local id, new ids, a signature made with
the organisation's key), then the use case. Nothing here sends anything: the use case queues
the step in its own transaction and the worker tells the other party's node
(federation/commission_events.py). The JSON API (`web.api.requests`, `web.api.contracts`) and
the browser pages (`web.pages.request_form`, `web.pages.request_page`,
`web.pages.contract_page`) both call these, so a step is prepared the same way whichever way it
was made. Nothing waits for the other node: the answer comes as soon as the step is committed,
and a node that is down is told once it is back.

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


async def create_request_step(
    app: web.Application,
    party: Party,
    body: Mapping[str, Any],
    *,
    publish: bool,
) -> Request:
    """A new request as `party` (a draft unless `publish`): recipients named by acct: handle or
    IRI become actor IRIs (remote handles by WebFinger), a listing id becomes its IRI."""
    resolved = dict(body)
    resolved["recipients"] = await resolve_recipients(app, body.get("recipients"))
    if "listing" in body:
        resolved["listing"] = await resolve_listing(app, body["listing"])
    clock = app[CLOCK]
    return await create_request(
        app[UOW], clock, party, resolved, request_id=new_id(clock.now()), publish=publish
    )


async def act_on_request_step(
    app: web.Application,
    party: Party,
    request_id: str,
    action: str,
    *,
    reason: str | None = None,
) -> Request:
    """Publish, close or cancel a request as `party` (the use case queues the telling)."""
    return await act_on_request(app[UOW], app[CLOCK], request_id, party.id, action, reason=reason)


async def submit_bid_step(
    app: web.Application,
    party: Party,
    request_id: str,
    body: Mapping[str, Any],
) -> Bid:
    """A bid as `party`, with its id and IRI; `request_id` may also be the other node's request
    IRI (a mirrored request)."""
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


async def award_step(
    app: web.Application, party: Party, request_id: str, bid_id: object
) -> tuple[str, Contract]:
    """Award one bid as the requester `party`, with a new contract id; returns the contract's
    local id and the contract awaiting both signatures."""
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


async def sign_step(
    app: web.Application,
    org: Organisation,
    party: Party,
    local_id: str,
    proof: Mapping[str, Any] | None = None,
) -> Contract | None:
    """Sign as `party`, the organisation `org`: with `proof` made elsewhere, or with `org`'s key
    here. None, and nothing signed, when the node would sign a contract already signed by this
    party."""
    if proof is None:
        contract, _ = await get_contract(app[UOW], local_id, party.id)
        if contract.signature_of(party.id) is not None:
            return None
        proof = await sign_contract_document(app[FED], org.id, org.handle, document(contract.terms))
    return await sign_contract(app[UOW], app[CLOCK], verifiers_of(app), local_id, party.id, proof)


async def act_on_contract_step(
    app: web.Application,
    party: Party,
    local_id: str,
    action: str,
    *,
    milestone: int | None = None,
    reason: str | None = None,
) -> Contract:
    """Start, deliver, accept, reject, dispute, withdraw a dispute or terminate, as `party`."""
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


async def record_payment_step(
    app: web.Application,
    party: Party,
    local_id: str,
    body: Mapping[str, Any],
) -> tuple[Entry, bool]:
    """The buyer `party` records a payment; returns the entry and whether it was new (a repeat
    changes nothing)."""
    return await record_payment(app[UOW], local_id, party.id, body)
