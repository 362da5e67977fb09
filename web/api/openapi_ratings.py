"""The OpenAPI description of the rating operations (web/api/ratings.py), for openapi.py."""

from __future__ import annotations

from typing import Any

from commonsnode.model.ratings import CRITERIA, MAX_TEXT
from web.api.openapi_problem import PROBLEM

_SCORE = {"type": "integer", "minimum": 1, "maximum": 5}
_PER_CRITERION = {"type": "object", "propertyNames": {"enum": list(CRITERIA)}}

RATING_SCHEMAS: dict[str, Any] = {
    "Scores": {
        "type": "object",
        "required": ["overall"],
        "additionalProperties": False,
        "properties": {name: _SCORE for name in CRITERIA},
        "description": "whole numbers 1–5; `overall` required; `deployment` is ease of "
        "deployment, `support` quality of support",
    },
    "Rating": {
        "type": "object",
        "required": ["id", "iri", "listing", "local", "author", "node", "scores", "text"],
        "properties": {
            "id": {"type": "string"},
            "iri": {"type": "string", "format": "uri", "description": "the Note's IRI"},
            "listing": {"type": "string"},
            "local": {"type": "boolean"},
            "author": {"type": "object", "description": "iri (and handle, name when local)"},
            "node": {"type": "string", "description": "host the rating was given on"},
            "via": {"type": ["string", "null"], "description": "who relayed a remote one"},
            "scores": {"$ref": "#/components/schemas/Scores"},
            "text": {"type": "string"},
            "created": {"type": "string", "format": "date-time"},
            "updated": {"type": "string", "format": "date-time"},
        },
    },
    "RatingSummary": {
        "type": "object",
        "required": ["count", "mean"],
        "description": "every rating the node knows, local and federated, blocked domains "
        "left out; bayesian = (prior.weight × prior.mean + sum) / (prior.weight + n)",
        "properties": {
            "count": {"type": "integer"},
            "mean": _PER_CRITERION,
            "counts": _PER_CRITERION,
            "distribution": {**_PER_CRITERION, "description": 'per criterion {"1": n, …}'},
            "bayesian": _PER_CRITERION,
            "prior": {"type": "object"},
            "nodes": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "node": {"type": "string"},
                        "local": {"type": "boolean"},
                        "count": {"type": "integer"},
                    },
                },
            },
        },
    },
}


def rating_paths() -> dict[str, Any]:
    """The rating operations, for openapi.document."""
    rating = {
        "description": "the rating as stored",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Rating"}}},
    }
    path_id = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    return {
        "/api/v1/listings/{id}/ratings": {
            "parameters": [path_id],
            "post": {
                "summary": "rate the listing as the token's organisation; one rating per "
                "organisation and listing, a second one replaces the first",
                "security": [{"bearer": []}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["scores"],
                                "additionalProperties": False,
                                "properties": {
                                    "scores": {"$ref": "#/components/schemas/Scores"},
                                    "text": {"type": "string", "maxLength": MAX_TEXT},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "201": rating,
                    "200": {**rating, "description": "an earlier rating replaced"},
                    "401": PROBLEM,
                    "403": {**PROBLEM, "description": "the organisation maintains the tool"},
                    "404": PROBLEM,
                    "409": {**PROBLEM, "description": "the listing was withdrawn"},
                    "415": PROBLEM,
                    "422": {**PROBLEM, "description": "bad scores or text"},
                },
            },
            "get": {
                "summary": "the listing's ratings, local and federated, most recently changed "
                "first",
                "parameters": [
                    {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                    {"name": "cursor", "in": "query", "schema": {"type": "string"}},
                ],
                "responses": {
                    "200": {
                        "description": "a page of ratings; `next` links the following page",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "items": {
                                            "type": "array",
                                            "items": {"$ref": "#/components/schemas/Rating"},
                                        },
                                        "next": {"type": "string"},
                                    },
                                }
                            }
                        },
                    },
                    "404": PROBLEM,
                    "422": PROBLEM,
                },
            },
            "delete": {
                "summary": "withdraw the token's organisation's rating of the listing",
                "security": [{"bearer": []}],
                "responses": {
                    "204": {"description": "withdrawn"},
                    "401": PROBLEM,
                    "404": PROBLEM,
                },
            },
        }
    }
