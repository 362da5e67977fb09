"""Bearer-token authentication for the JSON API."""

from __future__ import annotations

from aiohttp import web

from commonsnode.model.organisations import Organisation
from commonsnode.usecases.organisations import TokenHolder, holder_of_token
from web.keys import UOW


def _unauthorized(detail: str) -> web.HTTPUnauthorized:
    return web.HTTPUnauthorized(
        text=detail, headers={"WWW-Authenticate": 'Bearer realm="commonsnode"'}
    )


async def require_holder(request: web.Request) -> TokenHolder:
    """Who the request's bearer token acts for; 401 otherwise."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized("send Authorization: Bearer TOKEN (see `commonsnode token create`)")
    holder = await holder_of_token(request.app[UOW], token.strip())
    if holder is None:
        raise _unauthorized("unknown or revoked token")
    return holder


async def require_org(request: web.Request) -> Organisation:
    """The organisation the request's bearer token acts for; 401 otherwise."""
    return (await require_holder(request)).org


async def require_operator(request: web.Request) -> TokenHolder:
    """An operator token (`commonsnode token create DIR HANDLE --operator`); 403 otherwise."""
    holder = await require_holder(request)
    if not holder.operator:
        raise web.HTTPForbidden(text="this needs an operator token")
    return holder
