"""Follows in the JSON API: who we follow, who follows us, pending requests and blocks."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from commonsnode.errors import InvalidError, NotFoundError
from commonsnode.model.follows import Follow
from federation.follows import answer_follow_request, block, follow, unfollow
from web.api.auth import require_org
from web.api.body import read_json_object, reject_unknown
from web.keys import FED, UOW

STATES = {"pending", "accepted", "rejected"}
PAGE = 100


def follow_json(record: Follow) -> dict[str, Any]:
    return {
        "actor": record.remote_iri,
        "state": record.state,
        "since": record.created_at,
        "updated": record.updated_at,
    }


def _actor_field(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InvalidError(f"{key}: required, a string", field=key)
    return value.strip()


async def post_follow(request: web.Request) -> web.Response:
    org = await require_org(request)
    body = await read_json_object(request)
    reject_unknown(body, {"target"})
    record = await follow(request.app[FED], org, _actor_field(body, "target"))
    return web.json_response(follow_json(record), status=202 if record.state == "pending" else 200)


async def delete_follow(request: web.Request) -> web.Response:
    org = await require_org(request)
    actor = request.query.get("actor", "")
    if not actor:
        raise InvalidError("actor: the query parameter is required", field="actor")
    await unfollow(request.app[FED], org, actor)
    return web.Response(status=204)


async def _list(request: web.Request, direction: str) -> web.Response:
    org = await require_org(request)
    state = request.query.get("state")
    if state is not None and state not in STATES:
        raise InvalidError(f"state: one of {', '.join(sorted(STATES))}", field="state")
    async with request.app[UOW](readonly=True) as tx:
        records = await tx.follows.list(
            direction,  # type: ignore[arg-type]
            org.id,
            state,  # type: ignore[arg-type]
            PAGE,
            after=request.query.get("after"),
        )
    body: dict[str, Any] = {"items": [follow_json(r) for r in records]}
    if len(records) == PAGE:
        body["next"] = f"{request.path}?after={records[-1].id}" + (
            f"&state={state}" if state else ""
        )
    return web.json_response(body)


async def get_follows(request: web.Request) -> web.Response:
    return await _list(request, "out")


async def get_followers(request: web.Request) -> web.Response:
    return await _list(request, "in")


async def _decide(request: web.Request, accept: bool) -> web.Response:
    org = await require_org(request)
    body = await read_json_object(request)
    reject_unknown(body, {"actor"})
    record = await answer_follow_request(
        request.app[FED], org, _actor_field(body, "actor"), accept=accept
    )
    return web.json_response(follow_json(record))


async def accept_follower(request: web.Request) -> web.Response:
    return await _decide(request, True)


async def reject_follower(request: web.Request) -> web.Response:
    return await _decide(request, False)


async def post_block(request: web.Request) -> web.Response:
    org = await require_org(request)
    body = await read_json_object(request)
    reject_unknown(body, {"actor"})
    await block(request.app[FED], org, _actor_field(body, "actor"))
    return web.Response(status=204)


async def delete_block(request: web.Request) -> web.Response:
    org = await require_org(request)
    actor = request.query.get("actor", "")
    if not actor:
        raise InvalidError("actor: the query parameter is required", field="actor")
    async with request.app[UOW]() as tx:
        if not await tx.moderation.unblock_actor(org.id, actor):
            raise NotFoundError(f"{org.handle} does not block {actor}")
    return web.Response(status=204)


def setup(app: web.Application) -> None:
    app.router.add_post("/api/v1/follows", post_follow)
    app.router.add_get("/api/v1/follows", get_follows)
    app.router.add_delete("/api/v1/follows", delete_follow)
    app.router.add_get("/api/v1/followers", get_followers)
    app.router.add_post("/api/v1/followers/accept", accept_follower)
    app.router.add_post("/api/v1/followers/reject", reject_follower)
    app.router.add_post("/api/v1/blocks", post_block)
    app.router.add_delete("/api/v1/blocks", delete_block)
