"""Contracts, milestones and payments in the JSON API (`/api/v1/contracts…`).

Only the buyer and the supplier see a contract. Signing: the node signs the contract document
with the token organisation's Ed25519 key (FEP-8b32); a body `{"proof": …}` instead records a
proof the organisation made elsewhere, checked the same way.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from commonsnode.errors import InvalidError
from commonsnode.model.contracts import ACTORS, MILESTONE_ACTIONS
from commonsnode.usecases.contracts import get_contract, list_contracts, verifier_for
from commonsnode.usecases.payments import ledger_view
from web.action_routes import add_action_routes, contract_action_path
from web.api.body import optional_str, read_json_object, reject_unknown
from web.api.commission_context import acting, base, verifiers
from web.api.commission_json import contract_json, entry_json, ledger_json
from web.commission_steps import act_on_contract_step, record_payment_step, sign_step
from web.keys import UOW

PAYMENT_FIELDS = {"milestone", "amount", "date", "reference"}


async def _respond(
    request: web.Request, local_id: str, actor: str, status: int = 200
) -> web.Response:
    contract, request_id = await get_contract(request.app[UOW], local_id, actor)
    verify = await verifier_for(verifiers(request), contract)
    return web.json_response(
        contract_json(local_id, contract, request_id, verify, base=base(request)), status=status
    )


async def get_contracts(request: web.Request) -> web.Response:
    """The contracts the token's organisation is a party to, newest first."""
    _, party = await acting(request)
    found = await list_contracts(request.app[UOW], party.id, after=request.query.get("after"))
    build = verifiers(request)
    items = []
    for local_id, contract in found:
        verify = await verifier_for(build, contract)
        items.append(contract_json(local_id, contract, "", verify, base=base(request)))
    for item in items:
        item.pop("request")
        item.pop("document")
    return web.json_response({"items": items})


async def get_one(request: web.Request) -> web.Response:
    _, party = await acting(request)
    return await _respond(request, request.match_info["id"], party.id)


async def post_sign(request: web.Request) -> web.Response:
    """Sign as the token's organisation (or record its own proof from the body)."""
    org, party = await acting(request)
    local_id = request.match_info["id"]
    proof: Any = None
    if request.can_read_body:
        body = await read_json_object(request)
        reject_unknown(body, {"proof"})
        proof = body.get("proof")
        if proof is not None and not isinstance(proof, dict):
            raise InvalidError("proof: an FEP-8b32 DataIntegrityProof object", field="proof")
    await sign_step(request.app, org, party, local_id, proof)  # None: signed already
    return await _respond(request, local_id, party.id)


async def _act(request: web.Request, action: str) -> web.Response:
    """Any contract action of the model; a milestone action names its milestone in the path."""
    milestone = _milestone(request) if action in MILESTONE_ACTIONS else None
    _, party = await acting(request)
    reason = None
    if request.can_read_body:
        body = await read_json_object(request)
        reject_unknown(body, {"reason"})
        reason = optional_str(body, "reason")
    await act_on_contract_step(
        request.app,
        party,
        request.match_info["id"],
        action,
        milestone=milestone,
        reason=reason,
    )
    return await _respond(request, request.match_info["id"], party.id)


def _milestone(request: web.Request) -> int:
    raw = request.match_info["n"]
    if not raw.isdigit():
        raise InvalidError("milestone: a number from 1", field="milestone")
    return int(raw)


async def post_payment(request: web.Request) -> web.Response:
    """The buyer records a payment; 201 when booked, 200 when the same payment was already."""
    _, party = await acting(request)
    body = await read_json_object(request)
    reject_unknown(body, PAYMENT_FIELDS)
    entry, created = await record_payment_step(request.app, party, request.match_info["id"], body)
    fee = next((p.amount.to_json() for p in entry.postings if p.kind == "fee"), None)
    return web.json_response(
        {"recorded": created, "entry": entry_json(entry), "fee": fee},
        status=201 if created else 200,
    )


async def get_ledger(request: web.Request) -> web.Response:
    """The contract's double-entry ledger, the same for both parties."""
    _, party = await acting(request)
    local_id = request.match_info["id"]
    view = await ledger_view(request.app[UOW], local_id, party.id)
    return web.json_response(ledger_json(view, local_id))


def setup(app: web.Application) -> None:
    app.router.add_get("/api/v1/contracts", get_contracts)
    app.router.add_get("/api/v1/contracts/{id}", get_one)
    app.router.add_post("/api/v1/contracts/{id}/sign", post_sign)
    add_action_routes(app, ACTORS, contract_action_path("/api/v1/contracts"), _act)
    app.router.add_post("/api/v1/contracts/{id}/payments", post_payment)
    app.router.add_get("/api/v1/contracts/{id}/ledger", get_ledger)
