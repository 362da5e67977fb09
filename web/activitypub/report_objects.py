"""`/reports/{id}`: a local report answers its signed Article (or a Tombstone, 410) to servers,
and its page to browsers (remote reports too, under our id)."""

from __future__ import annotations

from aiohttp import web

from federation.convert.listings import with_context
from federation.convert.reports import tombstone
from federation.reports import signed_article
from web.activitypub.access import require_fetch_access
from web.keys import FED, UOW
from web.negotiation import activity_response, wants_activity_json
from web.pages.reports import report_page


async def report(request: web.Request) -> web.StreamResponse:
    report_id = request.match_info["id"]
    if not wants_activity_json(request):
        return await report_page(request, report_id)
    await require_fetch_access(request)
    async with request.app[UOW](readonly=True) as tx:
        found = await tx.reports.get_by_id(report_id)
        org = await tx.organisations.get_by_id(found.org_id) if found and found.org_id else None
        listing = await tx.listings.get_by_id(found.listing_id) if found else None
    if found is None or org is None:
        raise web.HTTPNotFound(text="no such report")
    fed = request.app[FED]
    if found.state != "published" or listing is None:
        return activity_response(with_context(tombstone(found, fed.iris)), status=410)
    return activity_response(await signed_article(fed, org, found, listing))


def setup(app: web.Application) -> None:
    app.router.add_get("/reports/{id}", report)
