"""Outbox, followers and following of an organisation as paged OrderedCollections."""

from __future__ import annotations

import json

from aiohttp import web

from federation.collections import PAGE_SIZE, collection, page
from web.activitypub.access import readable_org, require_fetch_access
from web.keys import FED, UOW
from web.negotiation import activity_response


async def outbox(request: web.Request) -> web.Response:
    org = await readable_org(request)
    iri = request.app[FED].iris.org_outbox(org.handle)
    async with request.app[UOW](readonly=True) as tx:
        if "page" not in request.query:
            return activity_response(collection(iri, await tx.activities.count_by_org(org.id)))
        rows = await tx.activities.list_by_org(
            org.id, PAGE_SIZE, before=request.query.get("before")
        )
    items = [json.loads(document) for _, document in rows]
    for item in items:
        item.pop("@context", None)
    next_cursor = rows[-1][0] if len(rows) == PAGE_SIZE else None
    return activity_response(
        page(
            iri,
            items,
            cursor_name="before",
            next_cursor=next_cursor,
            current=request.app[FED].iris.origin + request.raw_path,
        )
    )


async def _follow_collection(request: web.Request, direction: str) -> web.Response:
    org = await readable_org(request)
    iris = request.app[FED].iris
    iri = iris.org_followers(org.handle) if direction == "in" else iris.org_following(org.handle)
    async with request.app[UOW](readonly=True) as tx:
        if "page" not in request.query:
            total = await tx.follows.count(direction, org.id, "accepted")  # type: ignore[arg-type]
            return activity_response(collection(iri, total))
        follows = await tx.follows.list(
            direction,  # type: ignore[arg-type]
            org.id,
            "accepted",
            PAGE_SIZE,
            after=request.query.get("after"),
        )
    next_cursor = follows[-1].id if len(follows) == PAGE_SIZE else None
    return activity_response(
        page(
            iri,
            [f.remote_iri for f in follows],
            cursor_name="after",
            next_cursor=next_cursor,
            current=request.app[FED].iris.origin + request.raw_path,
        )
    )


async def followers(request: web.Request) -> web.Response:
    return await _follow_collection(request, "in")


async def following(request: web.Request) -> web.Response:
    return await _follow_collection(request, "out")


async def activity(request: web.Request) -> web.Response:
    """Our activities dereference by id; only public ones are served."""
    await require_fetch_access(request)
    async with request.app[UOW](readonly=True) as tx:
        found = await tx.activities.get(request.match_info["id"])
    if found is None or not found[2]:
        raise web.HTTPNotFound(text="no such activity")
    return activity_response(json.loads(found[1]))


def setup(app: web.Application) -> None:
    app.router.add_get("/orgs/{handle}/outbox", outbox)
    app.router.add_get("/orgs/{handle}/followers", followers)
    app.router.add_get("/orgs/{handle}/following", following)
    app.router.add_get("/activities/{id}", activity)
