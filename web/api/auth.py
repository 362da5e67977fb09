"""Bearer-token authentication for the JSON API."""

from __future__ import annotations

from aiohttp import web

from commonsnode.model.organisations import Organisation
from commonsnode.usecases.organisations import organisation_for_token
from web.keys import UOW


def _unauthorized(detail: str) -> web.HTTPUnauthorized:
    return web.HTTPUnauthorized(
        text=detail, headers={"WWW-Authenticate": 'Bearer realm="commonsnode"'}
    )


async def require_org(request: web.Request) -> Organisation:
    """The organisation the request's bearer token acts for; 401 otherwise."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized("send Authorization: Bearer TOKEN (see `commonsnode token create`)")
    org = await organisation_for_token(request.app[UOW], token.strip())
    if org is None:
        raise _unauthorized("unknown or revoked token")
    return org
