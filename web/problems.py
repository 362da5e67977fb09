"""RFC 9457 problem details: the one shape of every API error."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from commonsnode.errors import (
    ConflictError,
    DomainError,
    ForbiddenError,
    InvalidError,
    NotFoundError,
)
from commonsnode.logs import request_id

PROBLEM_TYPE = "application/problem+json"

_STATUS = {
    NotFoundError: 404,
    ForbiddenError: 403,
    ConflictError: 409,
    InvalidError: 422,
}


def problem_response(
    status: int,
    title: str,
    detail: str | None = None,
    *,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> web.Response:
    """Build an application/problem+json response carrying the request id."""
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    rid = request_id.get()
    if rid:
        body["request_id"] = rid
    body.update(extra)
    return web.Response(
        status=status,
        body=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        content_type=PROBLEM_TYPE,
        headers=headers,
    )


def domain_problem(error: DomainError, instance: str) -> web.Response:
    """Map a domain error to its HTTP status; 422 lists the offending field."""
    status = next((code for cls, code in _STATUS.items() if isinstance(error, cls)), 400)
    extra: dict[str, Any] = {}
    if error.field is not None:
        extra["errors"] = [{"field": error.field, "detail": error.detail}]
    return problem_response(status, error.title, error.detail, instance=instance, **extra)
