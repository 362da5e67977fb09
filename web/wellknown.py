"""Discovery endpoints (WebFinger, host-meta, NodeInfo): what a remote server asks first."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from federation.iris import LocalIris
from federation.nodeinfo import (
    HOST_META_PATH,
    HOST_META_TYPE,
    NODEINFO_VERSIONS,
    NODEINFO_WELL_KNOWN_PATH,
    host_meta_xrd,
    nodeinfo_content_type,
    nodeinfo_document,
    nodeinfo_path,
    well_known_links,
)
from federation.webfinger import (
    JRD_TYPE,
    WEBFINGER_PATH,
    BadResource,
    OrgAccount,
    build_jrd,
    parse_resource,
)
from web.keys import CONFIG, UOW
from web.problems import problem_response

# Browser-based clients (and Mastodon's own web UI elsewhere) read these cross-origin; they
# are public and carry no credentials, so any origin may. The value never varies with the
# request's Origin, so no `Vary: Origin` is needed, and no answer here depends on a request
# header (Accept, Cookie), so none carries Vary at all.
CORS = {"Access-Control-Allow-Origin": "*"}
# Handles never change, so a JRD may be cached for a while; NodeInfo usage counts move.
WEBFINGER_MAX_AGE = 3600
STATIC_MAX_AGE = 86400
NODEINFO_MAX_AGE = 1800


def _headers(content_type: str, max_age: int) -> dict[str, str]:
    return {**CORS, "Content-Type": content_type, "Cache-Control": f"public, max-age={max_age}"}


def _json(document: dict[str, Any], content_type: str, max_age: int) -> web.Response:
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return web.Response(body=body, headers=_headers(content_type, max_age))


def _problem(request: web.Request, status: int, title: str, detail: str) -> web.Response:
    # Negative answers are not cached: an organisation created a minute later must be found.
    headers = {**CORS, "Cache-Control": "no-store"}
    return problem_response(status, title, detail, instance=request.path, headers=headers)


async def webfinger(request: web.Request) -> web.Response:
    """RFC 7033: 400 for a missing or unreadable resource, 404 for one not on this node."""
    resource = request.query.get("resource", "")
    if not resource.strip():
        return _problem(request, 400, "Bad Request", "the resource query parameter is required")
    iris = LocalIris(request.app[CONFIG].origin)
    try:
        account = parse_resource(resource, iris)
    except BadResource as exc:
        return _problem(request, 400, "Bad Request", str(exc))
    if isinstance(account, OrgAccount):
        async with request.app[UOW](readonly=True) as tx:
            if await tx.organisations.get_by_handle(account.handle) is None:
                account = None
    if account is None:
        return _problem(request, 404, "Not Found", f"no account {resource!r} on this node")
    jrd = build_jrd(account, iris, rels=request.query.getall("rel", []))
    return _json(jrd, JRD_TYPE, WEBFINGER_MAX_AGE)


async def host_meta(request: web.Request) -> web.Response:
    body = host_meta_xrd(request.app[CONFIG].origin).encode("utf-8")
    return web.Response(body=body, headers=_headers(HOST_META_TYPE, STATIC_MAX_AGE))


async def nodeinfo_links(request: web.Request) -> web.Response:
    links = well_known_links(request.app[CONFIG].origin)
    return _json(links, "application/json", STATIC_MAX_AGE)


def _nodeinfo_handler(version: str) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def nodeinfo(request: web.Request) -> web.Response:
        config = request.app[CONFIG]
        async with request.app[UOW](readonly=True) as tx:
            total = len(await tx.organisations.list_all())
        document = nodeinfo_document(version, node_name=config.node.name, total_users=total)
        return _json(document, nodeinfo_content_type(version), NODEINFO_MAX_AGE)

    return nodeinfo


def setup(app: web.Application) -> None:
    app.router.add_get(WEBFINGER_PATH, webfinger)
    app.router.add_get(HOST_META_PATH, host_meta)
    app.router.add_get(NODEINFO_WELL_KNOWN_PATH, nodeinfo_links)
    for version in NODEINFO_VERSIONS:
        app.router.add_get(nodeinfo_path(version), _nodeinfo_handler(version))
