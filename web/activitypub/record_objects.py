"""Our deployments and support offers, by IRI: the signed Note for servers, the listing's page
for browsers (the record is shown on its tool page)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from commonsnode.model.records import RecordKind
from federation.records import listing_author, signed_note
from web.activitypub.access import require_fetch_access
from web.keys import FED, UOW
from web.negotiation import activity_response, wants_activity_json


def _serve(kind: RecordKind) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def serve(request: web.Request) -> web.StreamResponse:
        as_json = wants_activity_json(request)
        if as_json:
            await require_fetch_access(request)
        async with request.app[UOW](readonly=True) as tx:
            records = tx.deployments if kind == "deployment" else tx.support_offers
            record = await records.get_by_id(request.match_info["id"])
            org = listing = None
            if record is not None and record.org_id is not None:
                org = await tx.organisations.get_by_id(record.org_id)
                listing = await tx.listings.get_by_id(record.listing_id)
        if record is None or org is None or listing is None:
            raise web.HTTPNotFound(text=f"no such {kind}")
        if not as_json:
            raise web.HTTPSeeOther(f"/listings/{listing.id}")
        fed = request.app[FED]
        note = await signed_note(fed, org, record, listing, listing_author(listing))
        return activity_response(note)

    return serve


def setup(app: web.Application) -> None:
    app.router.add_get("/deployments/{id}", _serve("deployment"))
    app.router.add_get("/support-offers/{id}", _serve("support"))
