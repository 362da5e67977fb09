"""Request id, body-size limit, errors as problem+json, security headers and the access log."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable

from aiohttp import web

from commonsnode.errors import DomainError
from commonsnode.logs import request_id
from web.problems import domain_problem, problem_response

log = logging.getLogger("commonsnode.web")
access = logging.getLogger("commonsnode.access")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
REQUEST_ID_HEADER = "X-Request-Id"


def _incoming_request_id(request: web.Request) -> str:
    # Keep a caller's id for tracing across proxies, but only if it cannot inject into logs.
    given = request.headers.get(REQUEST_ID_HEADER, "")
    return given if _SAFE_ID.fullmatch(given) else uuid.uuid4().hex


def _security_headers(response: web.StreamResponse) -> None:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if response.content_type == "text/html":
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' https: data:; style-src 'self' 'unsafe-inline';"
            " script-src 'none'; frame-ancestors 'none'; form-action 'self'",
        )


def make_middleware(
    max_body_bytes: int,
) -> Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]:
    """The one middleware: everything that must happen around every request, in order."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        rid = _incoming_request_id(request)
        token = request_id.set(rid)
        started = time.perf_counter()
        try:
            if request.content_length is not None and request.content_length > max_body_bytes:
                response: web.StreamResponse = problem_response(
                    413,
                    "Request body too large",
                    f"the limit is {max_body_bytes} bytes",
                    instance=request.path,
                )
            else:
                response = await handler(request)
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            headers = {k: v for k, v in exc.headers.items() if k in {"Allow", "WWW-Authenticate"}}
            detail = exc.text if exc.text and not exc.text.startswith(f"{exc.status}:") else None
            response = problem_response(
                exc.status, exc.reason, detail, instance=request.path, headers=headers
            )
        except DomainError as exc:
            response = domain_problem(exc, request.path)
        except Exception:
            log.exception("unhandled error on %s %s", request.method, request.path)
            response = problem_response(
                500,
                "Internal Server Error",
                "the error was logged; quote the request id when reporting it",
                instance=request.path,
            )
        response.headers[REQUEST_ID_HEADER] = rid
        _security_headers(response)
        access.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            },
        )
        request_id.reset(token)
        return response

    return middleware
