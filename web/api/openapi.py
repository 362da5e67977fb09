"""/api/v1/openapi.json: the OpenAPI 3.1 description of the operations this node serves."""

from __future__ import annotations

from typing import Any

from aiohttp import web

import commonsnode
from web.keys import CONFIG

_PROBLEM = {"$ref": "#/components/responses/Problem"}

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
            "/healthz": {
                "get": {
                    "summary": "200 when the database answers",
                    "responses": {"200": {"description": "healthy"}, "503": _PROBLEM},
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
                        "401": _PROBLEM,
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
                        "401": _PROBLEM,
                        "413": _PROBLEM,
                        "415": _PROBLEM,
                        "422": _PROBLEM,
                    },
                },
            },
        },
    }


async def openapi(request: web.Request) -> web.Response:
    return web.json_response(document(request.app[CONFIG].origin + "/"))


def setup(app: web.Application) -> None:
    app.router.add_get("/api/v1/openapi.json", openapi)
