"""`/ratings/{id}`: a local rating answers its signed Note (or a Tombstone, 410, once withdrawn)."""

from __future__ import annotations

from aiohttp import web

from federation.convert.listings import with_context
from federation.convert.ratings import rating_iri
from federation.ratings import signed_note
from web.activitypub.access import require_fetch_access
from web.keys import FED, UOW
from web.negotiation import activity_response, wants_activity_json


async def rating(request: web.Request) -> web.StreamResponse:
    """AS2 for servers; browsers are sent to the rated listing's page."""
    fed = request.app[FED]
    rating_id = request.match_info["id"]
    iri = rating_iri(fed.iris, rating_id)
    as_json = wants_activity_json(request)
    if as_json:
        await require_fetch_access(request)
    async with request.app[UOW](readonly=True) as tx:
        found = await tx.ratings.get_by_id(rating_id)
        org = None
        if found is not None and found.org_id is not None:
            org = await tx.organisations.get_by_id(found.org_id)
        gone = found is None and await tx.tombstones.exists(iri)
        note = await signed_note(tx, fed, org, found) if found and org and as_json else None
    if gone and as_json:
        tombstone = {"id": iri, "type": "Tombstone", "formerType": "Note"}
        return activity_response(with_context(tombstone), status=410)
    if found is None or org is None:
        raise web.HTTPNotFound(text="no such rating")
    if note is None:
        raise web.HTTPSeeOther(fed.iris.listing(found.listing_id))
    return activity_response(note)


def setup(app: web.Application) -> None:
    app.router.add_get("/ratings/{id}", rating)
