"""Content negotiation: the same IRI answers HTML to browsers and AS2 JSON to servers."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from aiohttp import web

AS_JSON = "application/activity+json"
AS_PROFILE = "https://www.w3.org/ns/activitystreams"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def wants_activity_json(request: web.Request) -> bool:
    """True for `application/activity+json` or `application/ld+json; profile=AS2` in Accept.

    A browser's Accept lists text/html first and is served HTML; a bare `application/json`
    gets AS2 too, as Mastodon does, since no page is asked for.
    """
    accept = request.headers.get("Accept", "")
    for part in accept.split(","):
        media, _, params = part.strip().partition(";")
        media = media.strip().lower()
        if media == AS_JSON:
            return True
        if media == "application/ld+json" and (AS_PROFILE in params or not params.strip()):
            return True
        if media == "text/html":
            return False
        if media == "application/json":
            return True
    return False


def activity_response(document: dict[str, object], *, status: int = 200) -> web.Response:
    """An AS2 document with the media type Mastodon and Fedify expect, never cached publicly."""
    return web.Response(
        status=status,
        body=json.dumps(document, ensure_ascii=False).encode("utf-8"),
        content_type=AS_JSON,
        headers={"Vary": "Accept, Signature", "Cache-Control": "max-age=60"},
    )


def page_handler(app: web.Application, path: str, route: Handler) -> Handler | None:
    """The other GET handler on `path` (its HTML page), whichever module registered it.

    An AS2 route is registered first on an IRI that also has a page and hands every
    non-AS2 request on to it, so the page module need not know about federation.
    """
    for resource in app.router.resources():
        if resource.canonical != path:
            continue
        for candidate in resource:
            if candidate.method == "GET" and candidate.handler is not route:
                return candidate.handler  # type: ignore[return-value]
    return None
