"""/healthz: 200 when the database answers, 503 otherwise (for load balancers and probes)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import cast

from aiohttp import web

from web.keys import PING
from web.problems import problem_response


async def healthz(request: web.Request) -> web.StreamResponse:
    ping = cast(Callable[[], Awaitable[None]], request.app[PING])
    try:
        await ping()
    except Exception:  # noqa: BLE001 - any failure means "not healthy"
        return problem_response(503, "Service Unavailable", "the database does not answer")
    return web.json_response({"status": "ok"})


def setup(app: web.Application) -> None:
    app.router.add_get("/healthz", healthz)
