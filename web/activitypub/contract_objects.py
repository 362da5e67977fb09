"""Our contracts by IRI: only for the parties (FEDERATION.md, "Commissions").

A contract is addressed to its buyer and supplier only, so fetching its IRI needs an HTTP
signature by a party's actor or by the instance actor of a party's node (our fetcher signs
as the instance actor); anybody else, signed or not, gets 404 as if it did not exist. Served
privately (no shared caches).

Browsers asking for the same IRI get the contract page when one is registered on the same
path (the commission pages): this route comes first and hands every non-AS2 request to it.
"""

from __future__ import annotations

from aiohttp import web

from commonsnode.usecases.contracts import parties
from federation.contract_delivery import contract_document
from web.activitypub.access import require_fetch_access, signed_by_party
from web.keys import UOW
from web.negotiation import activity_response, page_handler, wants_activity_json

PATH = "/contracts/{id}"


async def serve(request: web.Request) -> web.StreamResponse:
    if not wants_activity_json(request):
        page = page_handler(request.app, PATH, serve)
        if page is None:
            raise web.HTTPNotFound(text="no such contract")
        return await page(request)
    sender = await require_fetch_access(request)
    async with request.app[UOW](readonly=True) as tx:
        found = await tx.contracts.get(request.match_info["id"])
    if sender is None or found is None or not signed_by_party(sender.actor, parties(found[0])):
        raise web.HTTPNotFound(text="no such contract")
    response = activity_response(contract_document(found[0]))
    response.headers["Cache-Control"] = "private, no-store"
    return response


def setup(app: web.Application) -> None:
    app.router.add_get(PATH, serve)
