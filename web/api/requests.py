"""Commission requests and bids in the JSON API (`/api/v1/requests…`).

Refusals are the domain's errors as RFC 9457 problems: a late bid or a closed request is 409, a
bid on one's own request or an uninvited one 403, a bid in another currency 422.
"""

from __future__ import annotations

from urllib.parse import urlencode

from aiohttp import web

from commonsnode.errors import InvalidError
from commonsnode.model.requests import STEP_ACTIONS
from commonsnode.usecases.bids import mark_approach
from commonsnode.usecases.requests import (
    PAGE,
    OcdsPublisher,
    list_requests,
    open_data,
    view_request,
)
from federation.commission_delivery import mirrored_id, refusal_of
from web.action_routes import add_action_routes
from web.api.body import optional_bool, optional_str, read_json_object, reject_unknown
from web.api.commission_context import (
    acting,
    base,
    reader,
    verifiers,
)
from web.api.commission_json import bid_json, contract_json, request_json, request_view_json
from web.commission_steps import (
    act_on_request_step,
    award_step,
    create_request_step,
    submit_bid_step,
)
from web.keys import CONFIG, FED, UOW

REQUEST_FIELDS = {
    "kind",
    "title",
    "description",
    "requirements",
    "budget",
    "deadline",
    "criteria",
    "listing",
    "recipients",
    "draft",
}
BID_FIELDS = {"price", "timeline_days", "approach", "milestones", "team"}


async def post_request(request: web.Request) -> web.Response:
    """Create a request as the token's organisation: published at once, or a draft."""
    _, party = await acting(request)
    body = await read_json_object(request)
    reject_unknown(body, REQUEST_FIELDS)
    draft = optional_bool(body, "draft") or False
    created = await create_request_step(request.app, party, body, publish=not draft)
    payload = request_json(created, party.name, base=base(request))
    return web.json_response(payload, status=201, headers={"Location": payload["url"]})


async def get_requests(request: web.Request) -> web.Response:
    """The request board: public requests, the caller's own, and those directed to it."""
    actor = await reader(request)
    query = request.query
    found = await list_requests(
        request.app[UOW],
        actor,
        after=query.get("after"),
        state=query.get("state"),
        kind=query.get("kind"),
        audience=query.get("audience"),
    )
    body: dict[str, object] = {"items": [request_json(r, None, base=base(request)) for r in found]}
    if len(found) == PAGE:
        kept = {key: query[key] for key in ("state", "kind", "audience") if query.get(key)}
        body["next"] = f"{request.path}?" + urlencode({**kept, "after": found[-1].id})
    return web.json_response(body)


async def get_request(request: web.Request) -> web.Response:
    fed = request.app[FED]
    request_id = await mirrored_id(fed, request.match_info["id"])
    view = await view_request(request.app[UOW], request_id, await reader(request))
    body = request_view_json(view, base=base(request))
    # A bid another node refused: the reason it gave (late, closed, own request, ...).
    for item in body.get("my_bids", []):
        if item["status"] == "refused":
            item["refusal"] = await refusal_of(fed, item["id"])
    return web.json_response(body)


async def _act(request: web.Request, action: str) -> web.Response:
    _, party = await acting(request)
    reason = None
    if request.can_read_body:
        body = await read_json_object(request)
        reject_unknown(body, {"reason"})
        reason = optional_str(body, "reason")
    await act_on_request_step(request.app, party, request.match_info["id"], action, reason=reason)
    view = await view_request(request.app[UOW], request.match_info["id"], party.id)
    return web.json_response(request_view_json(view, base=base(request)))


async def post_bid(request: web.Request) -> web.Response:
    """A bid as the token's organisation; goes to the requester only (on another node: as an
    Offer, after the mirror's own checks)."""
    _, party = await acting(request)
    body = await read_json_object(request)
    reject_unknown(body, BID_FIELDS)
    bid = await submit_bid_step(request.app, party, request.match_info["id"], body)
    return web.json_response(bid_json(bid, party.name), status=201)


async def post_mark(request: web.Request) -> web.Response:
    """The requester marks a bid's approach 0–10 (the ranking's approach criterion)."""
    _, party = await acting(request)
    body = await read_json_object(request)
    reject_unknown(body, {"mark"})
    await mark_approach(
        request.app[UOW],
        request.match_info["id"],
        party.id,
        request.match_info["bid"],
        body.get("mark"),
    )
    view = await view_request(request.app[UOW], request.match_info["id"], party.id)
    return web.json_response(request_view_json(view, base=base(request)))


async def post_award(request: web.Request) -> web.Response:
    """Award one bid; answers with the contract awaiting both parties' signatures."""
    _, party = await acting(request)
    body = await read_json_object(request)
    reject_unknown(body, {"bid"})
    if "bid" not in body:
        raise InvalidError("bid: name the bid to award", field="bid")
    request_id = request.match_info["id"]
    local_id, contract = await award_step(request.app, party, request_id, body["bid"])
    verify = await verifiers(request)([], [])
    payload = contract_json(local_id, contract, request_id, verify, base=base(request))
    return web.json_response(payload, status=201, headers={"Location": payload["url"]})


async def get_ocds(request: web.Request) -> web.Response:
    """The request's OCDS 1.1 release package: open data, readable without a token."""
    config = request.app[CONFIG]
    package = await open_data(
        request.app[UOW],
        request.match_info["id"],
        await reader(request),
        OcdsPublisher(
            ocid_prefix=config.commissions.ocid_prefix,
            name=config.node.name,
            uri=config.origin,
        ),
        package_uri=f"{config.origin}{request.path}",
    )
    return web.json_response(package)


def setup(app: web.Application) -> None:
    app.router.add_post("/api/v1/requests", post_request)
    app.router.add_get("/api/v1/requests", get_requests)
    app.router.add_get("/api/v1/requests/{id}", get_request)
    add_action_routes(app, STEP_ACTIONS, lambda action: f"/api/v1/requests/{{id}}/{action}", _act)
    app.router.add_post("/api/v1/requests/{id}/bids", post_bid)
    app.router.add_post("/api/v1/requests/{id}/bids/{bid}/mark", post_mark)
    app.router.add_post("/api/v1/requests/{id}/award", post_award)
    app.router.add_get("/api/v1/requests/{id}/ocds", get_ocds)
