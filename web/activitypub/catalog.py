"""The catalog actor's documents: `/catalog` (Group), its inbox, outbox, followers, following."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from aiohttp import web

from commonsnode.ports import UnitOfWork
from federation.catalog import (
    catalog_followers,
    catalog_following,
    catalog_iri,
    catalog_keys,
    catalog_outbox,
    catalog_settings,
    render_catalog_actor,
)
from federation.collections import collection, page
from federation.convert.listings import iso, to_ap
from federation.vocab import AS_PUBLIC, DEFAULT_CONTEXT
from web.activitypub.access import require_fetch_access
from web.activitypub.inbox import _receive
from web.keys import CONFIG, FED, UOW
from web.negotiation import activity_response

CATALOG_INBOX = "/catalog/inbox"


async def actor(request: web.Request) -> web.StreamResponse:
    await require_fetch_access(request)
    fed = request.app[FED]
    pairs = await catalog_keys(fed)
    return activity_response(render_catalog_actor(fed.iris, fed.settings.node_name, pairs))


def _cursor(text: str | None) -> tuple[float, str] | None:
    if not text:
        return None
    at, sep, iri = unquote(text).partition("|")
    try:
        return (float(at), iri) if sep else None
    except ValueError:
        raise web.HTTPBadRequest(text="bad cursor") from None


async def _signed_copy(tx: UnitOfWork, activity_id: str, object_iri: str) -> dict[str, Any] | None:
    """The signed document the stored Announce embedded (a rating's or report's Note with its
    author's proof), so a backfilling catalog keeps it by the proof as the live Announce does."""
    stored = await tx.activities.get(activity_id)
    if stored is None:
        return None
    try:
        embedded = json.loads(stored[1]).get("object")
    except (ValueError, AttributeError):
        return None
    if isinstance(embedded, dict) and embedded.get("id") == object_iri and "proof" in embedded:
        return embedded
    return None


async def outbox(request: web.Request) -> web.Response:
    """Live Announces, newest first; a local listing's Article is embedded (its origin is us),
    a signed object (rating, report) is embedded as announced, with its author's proof, and a
    relayed listing is named by its IRI only (receivers fetch it from its own origin)."""
    await require_fetch_access(request)
    fed = request.app[FED]
    iris = fed.iris
    iri = catalog_outbox(iris)
    size = catalog_settings(request.app[CONFIG].federation).page_size
    handles: dict[str, str | None] = {}
    items: list[dict[str, Any]] = []
    async with request.app[UOW](readonly=True) as tx:
        if "page" not in request.query:
            return activity_response(collection(iri, await tx.catalog.count_live()))
        rows = await tx.catalog.outbox(size, before=_cursor(request.query.get("before")))
        for row in rows:
            obj: Any = row.object_iri
            if row.listing_id is not None:
                listing = await tx.listings.get_by_id(row.listing_id)
                if listing is None or listing.state != "published" or listing.org_id is None:
                    continue
                if listing.org_id not in handles:
                    org = await tx.organisations.get_by_id(listing.org_id)
                    handles[listing.org_id] = org.handle if org else None
                handle = handles[listing.org_id]
                if handle is None:
                    continue
                obj = to_ap(listing, iris, handle)
            else:
                obj = await _signed_copy(tx, row.activity_id, row.object_iri) or obj
            items.append(
                {
                    "id": iris.activity(row.activity_id),
                    "type": "Announce",
                    "actor": catalog_iri(iris),
                    "object": obj,
                    "published": iso(row.announced_at),
                    "to": [AS_PUBLIC],
                }
            )
    next_cursor = f"{rows[-1].announced_at!r}|{rows[-1].object_iri}" if len(rows) == size else None
    document = page(
        iri,
        items,
        cursor_name="before",
        next_cursor=next_cursor,
        current=iris.origin + request.raw_path,
    )
    document["@context"] = DEFAULT_CONTEXT  # the embedded Articles use our terms
    return activity_response(document)


async def _follows(request: web.Request, direction: str) -> web.Response:
    await require_fetch_access(request)
    iris = request.app[FED].iris
    iri = catalog_followers(iris) if direction == "in" else catalog_following(iris)
    async with request.app[UOW](readonly=True) as tx:
        if "page" not in request.query:
            return activity_response(collection(iri, await tx.catalog.count_follows(direction)))  # type: ignore[arg-type]
        rows = await tx.catalog.list_follows(direction, 40, after=request.query.get("after"))  # type: ignore[arg-type]
    return activity_response(
        page(
            iri,
            [row.remote_iri for row in rows],
            cursor_name="after",
            next_cursor=rows[-1].remote_iri if len(rows) == 40 else None,
            current=iris.origin + request.raw_path,
        )
    )


async def followers(request: web.Request) -> web.Response:
    return await _follows(request, "in")


async def following(request: web.Request) -> web.Response:
    return await _follows(request, "out")


async def inbox(request: web.Request) -> web.Response:
    return await _receive(request, CATALOG_INBOX)


def setup(app: web.Application) -> None:
    app.router.add_get("/catalog", actor)
    app.router.add_post(CATALOG_INBOX, inbox)
    app.router.add_get("/catalog/outbox", outbox)
    app.router.add_get("/catalog/followers", followers)
    app.router.add_get("/catalog/following", following)
