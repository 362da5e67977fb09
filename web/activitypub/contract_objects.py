"""Our contracts by IRI: only for the parties (FEDERATION.md, "Commissions").

A contract is addressed to its buyer and supplier only, so fetching its IRI needs an HTTP
signature by a party's actor or by the instance actor of a party's node (our fetcher signs
as the instance actor); anybody else, signed or not, gets 404 as if it did not exist. Served
privately (no shared caches).

Browsers asking for the same IRI get the contract page when one is registered on the same
path (the commission pages): this route comes first and hands every non-AS2 request to it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from commonsnode.usecases.contracts import parties
from federation.contract_delivery import contract_document
from federation.iris import origin_of
from web.activitypub.access import require_fetch_access
from web.keys import UOW
from web.negotiation import activity_response, wants_activity_json

PATH = "/contracts/{id}"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def may_read(signer: str, contract_parties: tuple[str, str]) -> bool:
    """A party's actor, or the instance actor (`/actor`) of a party's node."""
    return any(
        signer == party or signer == f"{origin_of(party)}/actor" for party in contract_parties
    )


def _page(app: web.Application) -> Handler | None:
    """The other GET handler on this path (the contract's HTML page), if any."""
    for resource in app.router.resources():
        if resource.canonical != PATH:
            continue
        for route in resource:
            if route.method == "GET" and route.handler is not serve:
                return route.handler  # type: ignore[return-value]
    return None


async def serve(request: web.Request) -> web.StreamResponse:
    if not wants_activity_json(request):
        page = _page(request.app)
        if page is None:
            raise web.HTTPNotFound(text="no such contract")
        return await page(request)
    sender = await require_fetch_access(request)
    async with request.app[UOW](readonly=True) as tx:
        found = await tx.contracts.get(request.match_info["id"])
    if sender is None or found is None or not may_read(sender.actor, parties(found[0])):
        raise web.HTTPNotFound(text="no such contract")
    response = activity_response(contract_document(found[0]))
    response.headers["Cache-Control"] = "private, no-store"
    return response


def setup(app: web.Application) -> None:
    app.router.add_get(PATH, serve)
