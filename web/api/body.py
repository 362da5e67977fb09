"""Reading JSON request bodies: every malformed body becomes a 422 naming what is wrong."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from commonsnode.errors import InvalidError


async def read_json_object(request: web.Request) -> dict[str, Any]:
    """The body as a JSON object; 415 for another media type, 422 for bad JSON."""
    if request.content_type != "application/json":
        raise web.HTTPUnsupportedMediaType(text="send Content-Type: application/json")
    raw = await request.read()
    try:
        value = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidError(f"body is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise InvalidError("body must be a JSON object")
    return value


def optional_str(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise InvalidError(f"{key}: must be a string", field=key)
    return value


def optional_bool(body: dict[str, Any], key: str) -> bool | None:
    value = body.get(key)
    if value is not None and not isinstance(value, bool):
        raise InvalidError(f"{key}: must be true or false", field=key)
    return value


def reject_unknown(body: dict[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise InvalidError(f"unknown field {unknown[0]!r}", field=unknown[0])
