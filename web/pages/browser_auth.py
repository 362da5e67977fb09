"""Acting as an organisation from a browser, without scripts: HTTP Basic with a token.

Browsers cannot send a bearer token by themselves, so commission pages also take HTTP Basic
with the organisation's API token as the password (any user name), as the moderation page does.
Public pages stay readable without credentials; `/signin?next=…` asks the browser for them
(a 401 challenge at the site root, so the browser may then send them to every page), and any
page asked for with `?as=HANDLE` challenges until the browser signs in as that organisation.
Basic credentials ride along on cross-site requests too, so every form POST whose Origin (or
Sec-Fetch-Site) is another site is refused before anything is read or written.
"""

from __future__ import annotations

import base64
import binascii

from aiohttp import web

from commonsnode.model.organisations import Organisation
from commonsnode.usecases.organisations import holder_of_token
from web.keys import FED, UOW

REALM = 'Basic realm="commonsnode organisations", charset="UTF-8"'


def credential(request: web.Request) -> str | None:
    """The token in `Authorization` (Bearer, or Basic with the token as the password)."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        return value.strip() or None
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.partition(":")[2] or None
    return None


def challenge(
    detail: str = "sign in with your organisation's API token as the password",
) -> web.HTTPUnauthorized:
    return web.HTTPUnauthorized(text=detail, headers={"WWW-Authenticate": REALM})


async def signed_in(request: web.Request) -> Organisation | None:
    """The organisation the browser signs in as; None without credentials. Credentials that
    name no organisation are challenged again rather than silently read as anonymous, and so
    is a page asked for `?as=HANDLE` while signed in as another organisation (or not at all):
    the one way to switch organisations with Basic credentials the browser remembers."""
    wanted = request.query.get("as")
    if "Authorization" not in request.headers:
        if wanted:
            raise challenge(f"sign in with the API token of {wanted} as the password")
        return None
    token = credential(request)
    holder = await holder_of_token(request.app[UOW], token) if token else None
    if holder is None:
        raise challenge("unknown or revoked token: sign in again with a valid one")
    if wanted and wanted != holder.org.handle:
        raise challenge(f"signed in as {holder.org.handle}; sign in with the token of {wanted}")
    return holder.org


async def require_signed_in(request: web.Request) -> Organisation:
    """The signed-in organisation; a 401 challenge (the browser's own sign-in box) otherwise."""
    org = await signed_in(request)
    if org is None:
        raise challenge()
    return org


def same_site(request: web.Request) -> bool:
    """False when the request says it comes from another site (Origin or Sec-Fetch-Site)."""
    origin = request.headers.get("Origin")
    if origin is not None and origin != "null":
        return origin.rstrip("/") == request.app[FED].iris.origin
    return request.headers.get("Sec-Fetch-Site", "same-origin") in ("same-origin", "none")


def refuse_cross_site(request: web.Request) -> None:
    if not same_site(request):
        raise web.HTTPForbidden(text="cross-site form posts are refused")


def local_path(value: str | None, default: str) -> str:
    """`next` only ever leads to a path on this site (never `//evil` or `https://evil`)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    return value


async def signin(request: web.Request) -> web.Response:
    """`/signin?next=/requests/…`: challenge until the browser sends a valid token, then go
    (`as=HANDLE` as on every page)."""
    await require_signed_in(request)
    raise web.HTTPSeeOther(location=local_path(request.query.get("next"), "/requests"))
