"""Our contracts by IRI: only for the parties (FEDERATION.md, "Commissions").

A contract is addressed to its buyer and supplier only, so fetching its IRI needs an HTTP
signature by a party's actor or by the instance actor of a party's node (our fetcher signs
as the instance actor); anybody else, signed or not, gets 404 as if it did not exist. Served
privately (no shared caches).
"""

from __future__ import annotations

from aiohttp import web

from commonsnode.usecases.contracts import parties
from federation.contract_delivery import contract_document
from federation.iris import origin_of
from web.activitypub.access import require_fetch_access
from web.keys import UOW
from web.negotiation import activity_response


def may_read(signer: str, contract_parties: tuple[str, str]) -> bool:
    """A party's actor, or the instance actor (`/actor`) of a party's node."""
    return any(
        signer == party or signer == f"{origin_of(party)}/actor" for party in contract_parties
    )


async def serve(request: web.Request) -> web.StreamResponse:
    sender = await require_fetch_access(request)
    async with request.app[UOW](readonly=True) as tx:
        found = await tx.contracts.get(request.match_info["id"])
    if sender is None or found is None or not may_read(sender.actor, parties(found[0])):
        raise web.HTTPNotFound(text="no such contract")
    response = activity_response(contract_document(found[0]))
    response.headers["Cache-Control"] = "private, no-store"
    return response


def setup(app: web.Application) -> None:
    app.router.add_get("/contracts/{id}", serve)
