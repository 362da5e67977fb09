"""Objects we publish, by IRI: a listing answers its Article (or a Tombstone, 410) or its page."""

from __future__ import annotations

from aiohttp import web

from federation.convert.listings import to_ap, tombstone, with_context
from web.activitypub.access import require_fetch_access
from web.keys import FED, UOW
from web.negotiation import activity_response, wants_activity_json
from web.pages.listing_sections import listing_sections
from web.pages.listings import listing_page


async def listing(request: web.Request) -> web.StreamResponse:
    """`/listings/{id}`: AS2 for servers (local listings only), HTML for browsers."""
    as_json = wants_activity_json(request)
    if as_json:
        await require_fetch_access(request)
    async with request.app[UOW](readonly=True) as tx:
        found = await tx.listings.get_by_id(request.match_info["id"])
        org = None
        if found is not None and found.org_id is not None:
            org = await tx.organisations.get_by_id(found.org_id)
    if found is None or (as_json and org is None):
        raise web.HTTPNotFound(text="no such listing")
    if not as_json:
        sections = await listing_sections(request, found) if found.state == "published" else ""
        return listing_page(request, found, org, sections)
    iris = request.app[FED].iris
    if org is None or found.state != "published":
        return activity_response(with_context(tombstone(found, iris)), status=410)
    return activity_response(with_context(to_ap(found, iris, org.handle)))


def setup(app: web.Application) -> None:
    app.router.add_get("/listings/{id}", listing)
