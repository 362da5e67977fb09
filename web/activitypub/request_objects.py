"""Our published requests by IRI (FEDERATION.md, "Commissions").

`/requests/{id}` is both the request's IRI and its HTML page. A server asking for AS2 gets:
a public request's Article signed by the requester (the same document its Create carried and
the catalog announces), whatever its state (a cancelled request still exists, with its state
and reason); a directed request's Article only on a fetch signed by the requester or a
recipient (or the instance actor of one's node, as our fetcher signs), served privately;
anybody else, signed or not, 404 as if it did not exist, as contracts do. Drafts and the
mirrors we keep of other nodes' requests are 404 too: a mirror's IRI is on its own node.

Browsers get the request page registered on the same path after this route.
"""

from __future__ import annotations

from aiohttp import web

from federation.commission_delivery import local_org
from federation.public_requests import request_document
from web.activitypub.access import require_fetch_access, signed_by_party
from web.keys import FED, UOW
from web.negotiation import activity_response, page_handler, wants_activity_json

PATH = "/requests/{id}"
# `/requests/new` (the form page, registered later) is not a request's IRI.
ROUTE = "/requests/{id:(?!new$)[^/]+}"


async def serve(request: web.Request) -> web.StreamResponse:
    if not wants_activity_json(request):
        page = page_handler(request.app, PATH, serve)
        if page is None:
            raise web.HTTPNotFound(text="no such request")
        response = await page(request)
        response.headers["Vary"] = "Accept"
        return response
    fed = request.app[FED]
    sender = await require_fetch_access(request)
    async with request.app[UOW](readonly=True) as tx:
        found = await tx.commission_requests.get(request.match_info["id"])
        org = await local_org(fed, tx, found.requester) if found is not None else None
    if found is None or org is None or found.state == "draft":
        raise web.HTTPNotFound(text="no such request")
    readers = (found.requester, *found.terms.recipients)
    if found.is_directed and (sender is None or not signed_by_party(sender.actor, readers)):
        raise web.HTTPNotFound(text="no such request")
    response = activity_response(await request_document(fed, org, found))
    if found.is_directed:
        response.headers["Cache-Control"] = "private, no-store"
    return response


def setup(app: web.Application) -> None:
    app.router.add_get(ROUTE, serve)
