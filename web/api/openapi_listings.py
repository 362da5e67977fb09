"""The OpenAPI description of the listing operations (web/api/listings.py), for openapi.py."""

from __future__ import annotations

from typing import Any

from web.api.openapi_problem import PROBLEM


def _query(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "description": description, "schema": {"type": "string"}}


def listing_paths() -> dict[str, Any]:
    """The listing operations, for openapi.document."""
    publiccode = {
        "application/yaml": {
            "schema": {"type": "string", "description": "a publiccode.yml 0.x document"}
        },
        "application/json": {
            "schema": {
                "type": "object",
                "description": "the publiccode.yml document in JSON form, or "
                '{"publiccode": "<the YAML text>"}',
            }
        },
    }
    invalid = {
        "description": "an invalid publiccode.yml: `errors` lists every finding "
        "(line, column, key, kind, message)",
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        },
    }
    listing = {
        "description": "the listing (with `warnings` after a change)",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Listing"}}},
    }
    path_id = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    return {
        "/api/v1/listings": {
            "post": {
                "summary": "publish a tool listing as the token's organisation",
                "security": [{"bearer": []}],
                "requestBody": {"required": True, "content": publiccode},
                "responses": {
                    "201": {**listing, "headers": {"Location": {"schema": {"type": "string"}}}},
                    "401": PROBLEM,
                    "409": PROBLEM,
                    "413": PROBLEM,
                    "415": PROBLEM,
                    "422": invalid,
                },
            },
            "get": {
                "summary": "search published listings, local and federated: newest first, or "
                "by relevance when `q` has words; with facet counts over the matched set",
                "description": "`q`: words, all of which must appear in the name, a description "
                "(any language), the features, categories or usedBy; case and accents do not "
                "matter; `word*` is a prefix; no other syntax. Relevance: a word in the name "
                "counts most, then short descriptions, features, the rest; then more users, "
                "then newer. At most 500 most recently indexed matches (and as many name "
                "matches) are ranked and counted: `total_exact` is false when there were more.",
                "parameters": [
                    _query("q", "words that must all appear; `word*` for a prefix"),
                    _query("category", "a publiccode.yml category"),
                    _query("license", "an SPDX expression, as written"),
                    _query("development_status", "concept, development, beta, stable, obsolete"),
                    _query("software_type", "e.g. standalone/web, library"),
                    _query("platform", "e.g. web, linux"),
                    _query("country", "ISO 3166-1 alpha-2 (intendedAudience.countries)"),
                    _query("used_by_min", "used by at least this many organisations (usedBy)"),
                    _query("privacy", "privacy grade A-E, or not-graded (docs/privacy-rubric.md)"),
                    _query("origin", "local or remote"),
                    _query("limit", "1-100, default 20"),
                    _query("cursor", "paging cursor from `next`"),
                ],
                "responses": {
                    "200": {
                        "description": "`items` (listings), `total` and `total_exact`, "
                        "`facets` ({category, license, development_status, software_type, "
                        "platform, country, origin, used_by, privacy}: [{value, count}]; used_by "
                        "values are thresholds 1, 5, 10; privacy values A-E and not-graded, in "
                        "that order) and `next` when there are more",
                        "content": {"application/json": {"schema": LISTING_PAGE_SCHEMA}},
                    },
                    "422": PROBLEM,
                },
            },
        },
        "/api/v1/tools": {
            "get": {
                "summary": "search tools: matching listings grouped by repository, each tool "
                "ranked by its best listing (newest without `q`); same parameters and facets "
                "as GET /api/v1/listings",
                "parameters": [
                    _query(name, "as for GET /api/v1/listings")
                    for name in (
                        "q",
                        "category",
                        "license",
                        "development_status",
                        "software_type",
                        "platform",
                        "country",
                        "used_by_min",
                        "privacy",
                        "origin",
                        "limit",
                        "cursor",
                    )
                ],
                "responses": {
                    "200": {
                        "description": "`items` (tools, as GET /api/v1/tools/{key}), `total` "
                        "(tools), `total_exact`, `facets` (over listings) and `next`"
                    },
                    "422": PROBLEM,
                },
            },
        },
        "/api/v1/tools/{key}": {
            "parameters": [
                {
                    "name": "key",
                    "in": "path",
                    "required": True,
                    "description": "a normalised repository URL (`repository_key`, slashes "
                    "included) or the URL itself, percent-encoded",
                    "schema": {"type": "string"},
                }
            ],
            "get": {
                "summary": "one tool: every published listing of the repository (local and "
                "federated), its publishers, who uses it and who supports it, each with source",
                "responses": {
                    "200": {
                        "description": "`key`, `name`, `repository`, `listings`, `publishers` "
                        "([{iri, kind, source}]), `used_by` ([{name, from: usedBy or "
                        "publisher, source: {listing, iri, node}}]), `used_by_count`, `support`",
                    },
                    "404": PROBLEM,
                },
            },
        },
        "/api/v1/listings/{id}": {
            "parameters": [path_id],
            "get": {
                "summary": "one listing (local or remote), with its publiccode.yml when local",
                "responses": {"200": listing, "404": PROBLEM},
            },
            "patch": {
                "summary": "change a listing (its organisation only): a JSON merge patch over "
                "its publiccode.yml, or a whole new document as application/yaml",
                "security": [{"bearer": []}],
                "requestBody": {
                    "required": True,
                    "content": {
                        **publiccode,
                        "application/merge-patch+json": {"schema": {"type": "object"}},
                    },
                },
                "responses": {
                    "200": listing,
                    "401": PROBLEM,
                    "403": PROBLEM,
                    "404": PROBLEM,
                    "409": PROBLEM,
                    "415": PROBLEM,
                    "422": invalid,
                },
            },
            "delete": {
                "summary": "withdraw a listing (its organisation only); federates as Delete",
                "security": [{"bearer": []}],
                "responses": {
                    "204": {"description": "withdrawn"},
                    "401": PROBLEM,
                    "403": PROBLEM,
                    "404": PROBLEM,
                },
            },
        },
    }


LISTING_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["id", "iri", "local", "state", "name", "repository", "publisher"],
    "properties": {
        "id": {"type": "string"},
        "iri": {"type": "string", "format": "uri", "description": "the Article's IRI"},
        "local": {"type": "boolean"},
        "state": {"type": "string", "enum": ["published", "withdrawn"]},
        "name": {"type": "string"},
        "repository": {"type": "string", "format": "uri"},
        "repository_key": {"type": "string", "description": "normalised repository URL"},
        "descriptions": {"type": "object", "description": "per language tag"},
        "categories": {"type": "array", "items": {"type": "string"}},
        "platforms": {"type": "array", "items": {"type": "string"}},
        "license": {"type": "string"},
        "development_status": {"type": "string"},
        "software_type": {"type": "string"},
        "publisher": {"type": "object"},
        "provenance": {
            "type": ["object", "null"],
            "description": "remote listings: origin, author, node, received_at, via",
        },
        "published": {"type": "string", "format": "date-time"},
        "updated": {"type": "string", "format": "date-time"},
        "withdrawn": {"type": ["string", "null"], "format": "date-time"},
        "rating_summary": {"$ref": "#/components/schemas/RatingSummary"},
        "credits": {
            "type": "array",
            "description": "GET one: who funded, built or maintains the tool: `role` (funder, "
            "builder, maintainer), `party` {name, iri}, `source` (publiccode: declared in the "
            "listing's fundedBy / organisation / maintenance.contractors; contract: a finished "
            "contract, named by `source_ref`)",
            "items": {"type": "object"},
        },
        "deployments_count": {"type": "integer", "description": "GET one: known deployments"},
        "support_offers_count": {"type": "integer", "description": "GET one: known offers"},
        "privacy_grade": {
            "type": ["string", "null"],
            "enum": ["A", "B", "C", "D", "E", None],
            "description": "GET /api/v1/listings/{id} only: the tool's privacy grade (null: "
            "not graded); details at /api/v1/listings/{id}/privacy",
        },
    },
}


LISTING_PAGE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["items", "total", "total_exact", "facets"],
    "properties": {
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/Listing"}},
        "total": {"type": "integer"},
        "total_exact": {"type": "boolean"},
        "facets": {
            "type": "object",
            "additionalProperties": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"value": {"type": "string"}, "count": {"type": "integer"}},
                },
            },
        },
        "next": {"type": "string"},
    },
}
