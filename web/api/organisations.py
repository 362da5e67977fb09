"""Organisations in the JSON API: the public directory and the token holder's own profile."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from commonsnode.config import NodeConfig
from commonsnode.model.organisations import Organisation
from commonsnode.usecases.organisations import update_profile
from web.api.auth import require_org
from web.api.body import optional_bool, optional_str, read_json_object, reject_unknown
from web.keys import CONFIG, UOW


def organisation_json(org: Organisation, config: NodeConfig) -> dict[str, Any]:
    host = config.origin.split("://", 1)[1]
    return {
        "id": org.id,
        "handle": org.handle,
        "acct": f"{org.handle}@{host}",
        "iri": f"{config.origin}/orgs/{org.handle}",
        "name": org.name,
        "kind": org.kind,
        "summary": org.summary,
        "manually_approves_followers": org.manually_approves_followers,
    }


async def list_organisations(request: web.Request) -> web.Response:
    async with request.app[UOW](readonly=True) as tx:
        orgs = await tx.organisations.list_all()
    config = request.app[CONFIG]
    return web.json_response({"items": [organisation_json(org, config) for org in orgs]})


async def get_me(request: web.Request) -> web.Response:
    org = await require_org(request)
    return web.json_response(organisation_json(org, request.app[CONFIG]))


async def patch_me(request: web.Request) -> web.Response:
    org = await require_org(request)
    body = await read_json_object(request)
    reject_unknown(body, {"name", "summary", "manually_approves_followers"})
    updated = await update_profile(
        request.app[UOW],
        org,
        name=optional_str(body, "name"),
        summary=optional_str(body, "summary"),
        manually_approves_followers=optional_bool(body, "manually_approves_followers"),
    )
    return web.json_response(organisation_json(updated, request.app[CONFIG]))


def setup(app: web.Application) -> None:
    app.router.add_get("/api/v1/organisations", list_organisations)
    app.router.add_get("/api/v1/me", get_me)
    app.router.add_patch("/api/v1/me", patch_me)
