"""Inbox endpoints: thin — aiohttp request → federation.inbox.receive → status."""

from __future__ import annotations

import logging

from aiohttp import web

from federation.inbox.receive import receive
from web.activitypub.access import signed_request
from web.keys import FED

log = logging.getLogger("commonsnode.inbox")
ACCEPTED_TYPES = {"application/activity+json", "application/ld+json", "application/json"}


async def _receive(request: web.Request, recipient: str) -> web.Response:
    if request.content_type not in ACCEPTED_TYPES:
        raise web.HTTPUnsupportedMediaType(text="send application/activity+json")
    body = await request.read()  # bounded by client_max_size (413 beyond it)
    result = await receive(request.app[FED], signed_request(request, body), recipient)
    log.info("inbox %s: %s %s", recipient, result.outcome, result.reason)
    if result.status >= 400:
        raise _error(result.status, result.reason)
    return web.Response(status=result.status)


def _error(status: int, reason: str) -> web.HTTPException:
    classes: dict[int, type[web.HTTPException]] = {
        400: web.HTTPBadRequest,
        401: web.HTTPUnauthorized,
        403: web.HTTPForbidden,
    }
    return classes.get(status, web.HTTPBadRequest)(text=reason)


async def org_inbox(request: web.Request) -> web.Response:
    handle = request.match_info["handle"]
    if not await request.app[FED].has_org(handle):
        raise web.HTTPNotFound(text="no such organisation")
    return await _receive(request, f"/orgs/{handle}/inbox")


async def shared_inbox(request: web.Request) -> web.Response:
    return await _receive(request, "/inbox")


def setup(app: web.Application) -> None:
    app.router.add_post("/inbox", shared_inbox)
    app.router.add_post("/orgs/{handle}/inbox", org_inbox)
