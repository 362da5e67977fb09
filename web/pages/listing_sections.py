"""What the commons says about one listing, on its page: its ratings summary, its latest
ratings and the experience reports about it (the tool page shows the same for every listing
of the tool, with the same parts)."""

from __future__ import annotations

from aiohttp import web

from commonsnode.model.listings import ToolListing
from commonsnode.usecases.organisations import org_map
from web.keys import FED, UOW
from web.pages.rating_sections import listing_rating_html, load_ratings, recent_ratings_html
from web.pages.report_sections import reports_of


async def listing_sections(request: web.Request, listing: ToolListing) -> str:
    """The ratings and reports sections of a published listing's page."""
    ratings = await load_ratings(request, (listing,), request.app[FED].iris.host)
    orgs = await org_map(request.app[UOW])
    html = "<h2>Ratings</h2>" + listing_rating_html(ratings, listing.id)
    if ratings.recent:
        html += recent_ratings_html(ratings, orgs)
    return html + await reports_of(request, [listing], "listing", orgs)
