"""The OpenAPI description of deployments and support offers (web/api/records.py)."""

from __future__ import annotations

from typing import Any

from commonsnode.model.records import SERVICES
from web.api.openapi_problem import PROBLEM

_SOURCE = {
    "type": "object",
    "description": "where the record came from: `node` (host), `declared_by` (always `itself`: "
    "only the organisation declares its own record), `signed` (FEP-8b32 proof), "
    "`received_at` and `via` for federated records",
}
_DECLARER = {"type": "object", "description": "the declaring organisation: `iri`, `name`"}

DEPLOYMENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "since": {"type": "string", "description": "YYYY, YYYY-MM or YYYY-MM-DD, not future"},
        "purpose": {"type": "string", "description": "for what the tool is used (required)"},
        "scale": {"type": ["string", "null"], "description": "e.g. `12 000 users`"},
        "notes": {"type": ["string", "null"]},
    },
}
OFFER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "services": {"type": "array", "items": {"enum": list(SERVICES)}, "minItems": 1},
        "regions": {
            "type": "array",
            "items": {"type": "string"},
            "minItems": 1,
            "description": "ISO 3166-1 alpha-2 (IT) or 3166-2 (DE-BY) codes, EU or WORLD",
        },
        "languages": {"type": "array", "items": {"type": "string"}, "description": "BCP 47"},
        "contact_url": {"type": ["string", "null"], "format": "uri"},
        "price_hint": {"type": ["string", "null"], "description": "free text, e.g. `from €80/h`"},
    },
}


def _record(schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            **schema["properties"],
            "id": {"type": "string"},
            "iri": {"type": "string"},
            "listing": {"type": "string"},
            "local": {"type": "boolean"},
            "declarer": _DECLARER,
            "source": _SOURCE,
            "declared": {"type": "string", "format": "date-time"},
            "updated": {"type": "string", "format": "date-time"},
        },
    }


def _operations(what: str, schema: dict[str, Any], extra_post: str) -> dict[str, Any]:
    path_id = {
        "name": "id",
        "in": "path",
        "required": True,
        "description": "the listing's id, or its IRI (percent-encoded), local or remote",
        "schema": {"type": "string"},
    }
    record = {"content": {"application/json": {"schema": _record(schema)}}}
    return {
        "parameters": [path_id],
        "post": {
            "summary": f"declare the token organisation's {what} of this listing (again: "
            f"replaces it); federated, signed, to its followers and the listing's author"
            + extra_post,
            "security": [{"bearer": []}],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {**schema, "additionalProperties": False},
                    }
                },
            },
            "responses": {
                "201": {"description": f"the new {what}", **record},
                "200": {"description": f"the replaced {what}", **record},
                "401": PROBLEM,
                "403": PROBLEM,
                "404": PROBLEM,
                "409": PROBLEM,
                "415": PROBLEM,
                "422": PROBLEM,
            },
        },
        "get": {
            "summary": f"every {what} of this listing this node knows, local and federated, "
            "each with its source",
            "responses": {
                "200": {
                    "description": "`items` and `total`",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "items": {"type": "array", "items": _record(schema)},
                                    "total": {"type": "integer"},
                                },
                            }
                        }
                    },
                },
                "404": PROBLEM,
            },
        },
        "delete": {
            "summary": f"withdraw the token organisation's {what} (federated as Delete)",
            "security": [{"bearer": []}],
            "responses": {"204": {"description": "withdrawn"}, "401": PROBLEM, "404": PROBLEM},
        },
    }


def record_paths() -> dict[str, Any]:
    """The deployment and support-offer operations, for openapi.document."""
    return {
        "/api/v1/listings/{id}/deployments": _operations(
            'deployment ("we use this")', DEPLOYMENT_SCHEMA, ""
        ),
        "/api/v1/listings/{id}/support-offers": _operations(
            "support offer",
            OFFER_SCHEMA,
            "; only organisations of kind support-company or developer (403 otherwise)",
        ),
    }
