"""/api/v1/openapi.json: the OpenAPI 3.1 description of the operations this node serves."""

from __future__ import annotations

from typing import Any

from aiohttp import web

import commonsnode
from web.api.openapi_commissions import commission_paths
from web.api.openapi_listings import LISTING_SCHEMA, listing_paths
from web.api.openapi_privacy import privacy_paths
from web.api.openapi_problem import PROBLEM
from web.api.openapi_ratings import RATING_SCHEMAS, rating_paths
from web.api.openapi_records import record_paths
from web.api.openapi_reports import REPORT_SCHEMA, report_paths
from web.api.openapi_reputation import reputation_paths
from web.keys import CONFIG

_ORGANISATION = {
    "type": "object",
    "required": ["id", "handle", "acct", "iri", "name", "kind", "summary"],
    "properties": {
        "id": {"type": "string"},
        "handle": {"type": "string"},
        "acct": {"type": "string", "description": "handle@host, followable from the fediverse"},
        "iri": {"type": "string", "format": "uri"},
        "name": {"type": "string"},
        "kind": {
            "type": "string",
            "enum": ["government", "civil-society", "developer", "support-company"],
        },
        "summary": {"type": "string"},
        "manually_approves_followers": {"type": "boolean"},
    },
}


def _operation(
    summary: str,
    *,
    body: dict[str, Any] | None = None,
    ok: str = "200",
    params: list[dict[str, Any]] | None = None,
    operator: bool = False,
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": summary,
        "security": [{"bearer": []}],
        "responses": {
            ok: {"description": "done"},
            "401": PROBLEM,
            **({"403": PROBLEM} if operator else {}),
            **({"413": PROBLEM, "415": PROBLEM, "422": PROBLEM} if body else {}),
        },
    }
    if body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": [k for k, v in body.items() if v.pop("required", False)],
                        "properties": body,
                    }
                }
            },
        }
    if params:
        operation["parameters"] = params
    return operation


def _query(name: str, description: str, *, required: bool = False) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": {"type": "string"},
    }


def _string(description: str, *, required: bool = False) -> dict[str, Any]:
    return {"type": "string", "description": description, "required": required}


def _federation_paths() -> dict[str, Any]:
    state = _query("state", "pending, accepted or rejected")
    after = _query("after", "paging cursor from `next`")
    return {
        "/api/v1/follows": {
            "post": _operation(
                "the token's organisation follows a target (acct:, name@host or actor IRI)",
                body={"target": _string("who to follow", required=True)},
                ok="202",
            ),
            "get": _operation("who the organisation follows, with state", params=[state, after]),
            "delete": _operation(
                "stop following (Undo{Follow})",
                ok="204",
                params=[_query("actor", "the followed actor IRI", required=True)],
            ),
        },
        "/api/v1/followers": {
            "get": _operation(
                "who follows the organisation (pending ones too)", params=[state, after]
            )
        },
        "/api/v1/followers/accept": {
            "post": _operation(
                "accept a pending follower", body={"actor": _string("actor IRI", required=True)}
            )
        },
        "/api/v1/followers/reject": {
            "post": _operation(
                "reject (or remove) a follower", body={"actor": _string("actor IRI", required=True)}
            )
        },
        "/api/v1/blocks": {
            "post": _operation(
                "block a remote actor: follows end both ways, it is told with Block",
                body={"actor": _string("actor IRI", required=True)},
                ok="204",
            ),
            "delete": _operation(
                "lift a block",
                ok="204",
                params=[_query("actor", "the blocked actor IRI", required=True)],
            ),
        },
        "/api/v1/admin/domains": {
            "get": _operation("domain rules and the federation mode", operator=True),
            "post": _operation(
                "block a domain (and its subdomains), or allow it in allowlist mode",
                body={
                    "domain": _string("host name", required=True),
                    "rule": {"type": "string", "enum": ["block", "allow"]},
                    "reason": _string("shown to operators"),
                },
                ok="201",
                operator=True,
            ),
        },
        "/api/v1/admin/domains/{domain}": {
            "delete": {
                **_operation("drop the rule for a domain", ok="204", operator=True),
                "parameters": [
                    {"name": "domain", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
            }
        },
        "/api/v1/admin/federation-mode": {
            "put": _operation(
                "open federation, or allowlist mode (only allowed domains federate)",
                body={"mode": {"type": "string", "enum": ["open", "allowlist"], "required": True}},
                operator=True,
            )
        },
    }


def document(server_url: str) -> dict[str, Any]:
    """The OpenAPI document; kept beside the handlers it describes and checked by a test."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "commonsnode API", "version": commonsnode.__version__},
        "servers": [{"url": server_url}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Organisation": _ORGANISATION,
                "Listing": LISTING_SCHEMA,
                **RATING_SCHEMAS,
                "Report": REPORT_SCHEMA,
                "Problem": {
                    "type": "object",
                    "description": "RFC 9457 problem details",
                    "required": ["type", "title", "status"],
                    "properties": {
                        "type": {"type": "string"},
                        "title": {"type": "string"},
                        "status": {"type": "integer"},
                        "detail": {"type": "string"},
                        "instance": {"type": "string"},
                        "request_id": {"type": "string"},
                        "errors": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "field": {"type": "string"},
                                    "detail": {"type": "string"},
                                },
                            },
                        },
                    },
                },
            },
            "responses": {
                "Problem": {
                    "description": "an error",
                    "content": {
                        "application/problem+json": {
                            "schema": {"$ref": "#/components/schemas/Problem"}
                        }
                    },
                }
            },
        },
        "paths": {
            **_federation_paths(),
            **listing_paths(),
            **rating_paths(),
            **record_paths(),
            **commission_paths(),
            **report_paths(),
            **privacy_paths(),
            **reputation_paths(),
            "/healthz": {
                "get": {
                    "summary": "200 when the database answers",
                    "responses": {"200": {"description": "healthy"}, "503": PROBLEM},
                }
            },
            "/api/v1/openapi.json": {
                "get": {
                    "summary": "this document",
                    "responses": {"200": {"description": "the OpenAPI 3.1 document"}},
                }
            },
            "/api/v1/organisations": {
                "get": {
                    "summary": "the organisations of this node",
                    "responses": {"200": {"description": "a list of organisations"}},
                }
            },
            "/api/v1/me": {
                "get": {
                    "summary": "the organisation the token acts for",
                    "security": [{"bearer": []}],
                    "responses": {
                        "200": {
                            "description": "the organisation",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Organisation"}
                                }
                            },
                        },
                        "401": PROBLEM,
                    },
                },
                "patch": {
                    "summary": "change the token organisation's name, summary or follower approval",
                    "security": [{"bearer": []}],
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "additionalProperties": False,
                                    "properties": {
                                        "name": {"type": "string"},
                                        "summary": {"type": "string"},
                                        "manually_approves_followers": {"type": "boolean"},
                                    },
                                }
                            }
                        }
                    },
                    "responses": {
                        "200": {"description": "the updated organisation"},
                        "401": PROBLEM,
                        "413": PROBLEM,
                        "415": PROBLEM,
                        "422": PROBLEM,
                    },
                },
            },
        },
    }


async def openapi(request: web.Request) -> web.Response:
    return web.json_response(document(request.app[CONFIG].origin + "/"))


def setup(app: web.Application) -> None:
    app.router.add_get("/api/v1/openapi.json", openapi)
