"""The OpenAPI description of experience reports, helpful marks and flags (web/api/reports.py)."""

from __future__ import annotations

from typing import Any

from commonsnode.model.reports import HOSTING, ORGANISATION_KINDS, ORGANISATION_SIZES, OUTCOMES
from web.api.openapi_problem import PROBLEM

_MONEY = {
    "type": ["object", "null"],
    "description": "money in integer minor units (cents) and an ISO 4217 currency",
    "required": ["amount", "currency"],
    "additionalProperties": False,
    "properties": {
        "amount": {"type": "integer", "minimum": 0},
        "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
    },
}
REPORT_INPUT = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "title",
        "organisation_kind",
        "organisation_size",
        "country",
        "hosting",
        "start_date",
        "outcome",
        "would_recommend",
    ],
    "properties": {
        "title": {"type": "string", "maxLength": 200},
        "summary": {"type": "string", "maxLength": 500, "description": "plain text"},
        "narrative": {
            "type": "string",
            "maxLength": 50_000,
            "description": "Markdown (CommonMark, raw HTML shown as text), rendered to "
            "sanitised HTML",
        },
        "organisation_kind": {"enum": list(ORGANISATION_KINDS)},
        "organisation_size": {"enum": list(ORGANISATION_SIZES), "description": "staff"},
        "country": {"type": "string", "description": "ISO 3166-1 alpha-2"},
        "version": {"type": ["string", "null"], "description": "the version deployed"},
        "hosting": {"enum": list(HOSTING)},
        "start_date": {"type": "string", "format": "date"},
        "duration_months": {"type": ["integer", "null"], "minimum": 0},
        "one_time_cost": _MONEY,
        "yearly_cost": _MONEY,
        "effort_person_days": {"type": ["integer", "null"], "minimum": 0},
        "outcome": {"enum": list(OUTCOMES)},
        "would_recommend": {"type": "boolean"},
        "lessons": {"type": "string", "maxLength": 5000},
    },
}
REPORT_SCHEMA = {
    "type": "object",
    "description": "a report with `id`, `iri`, `local`, `listing`, `author`, `state`, "
    "`narrative_html`, `helpful` (count), `published`, `updated`, the input fields, and "
    "`comments` ([{iri, author, content_html, published}]) when read one by one",
    "properties": {
        **REPORT_INPUT["properties"],  # type: ignore[dict-item]
        "id": {"type": "string"},
        "iri": {"type": "string", "format": "uri"},
        "helpful": {"type": "integer"},
        "narrative_html": {"type": "string"},
    },
}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _ok(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    if schema is None:
        return {"description": description}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _op(summary: str, ok: str, responses: tuple[str, ...], **more: Any) -> dict[str, Any]:
    return {
        "summary": summary,
        "security": [{"bearer": []}],
        "responses": {ok: _ok("done"), **{code: PROBLEM for code in responses}},
        **more,
    }


def report_paths() -> dict[str, Any]:
    """The report, helpful and flag operations, for openapi.document."""
    path_id = [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}]
    listing_id = [
        {
            "name": "id",
            "in": "path",
            "required": True,
            "description": "the listing's id, or its IRI (percent-encoded), local or remote",
            "schema": {"type": "string"},
        }
    ]
    report = {"$ref": "#/components/schemas/Report"}
    paging = [
        {"name": "limit", "in": "query", "schema": {"type": "string"}, "description": "1-100"},
        {"name": "cursor", "in": "query", "schema": {"type": "string"}, "description": "`next`"},
    ]
    flag_body = {
        "type": "object",
        "additionalProperties": False,
        "required": ["object"],
        "properties": {
            "object": {"type": "string", "description": "IRI of a rating or report"},
            "reason": {"type": "string", "maxLength": 2000},
        },
    }
    decision = {
        "type": "object",
        "additionalProperties": False,
        "required": ["decision"],
        "properties": {"decision": {"enum": ["resolved", "dismissed"]}, "note": {"type": "string"}},
    }
    return {
        "/api/v1/listings/{id}/reports": {
            "post": {
                **_op(
                    "publish an experience report about a listing (local or federated) as the "
                    "token's organisation; several per organisation are allowed",
                    "201",
                    ("401", "404", "409", "413", "415", "422"),
                    parameters=listing_id,
                    requestBody=_json(REPORT_INPUT),
                ),
            },
            "get": {
                "summary": "the reports about a listing, newest first",
                "parameters": listing_id + paging,
                "responses": {"200": _ok("`items` and `next`"), "404": PROBLEM},
            },
        },
        "/api/v1/reports/{id}": {
            "get": {
                "summary": "one report, with its comments and helpful count",
                "parameters": path_id,
                "responses": {"200": _ok("the report", report), "404": PROBLEM},
            },
            "patch": _op(
                "change some fields (author only); federates as Update",
                "200",
                ("401", "403", "404", "409", "415", "422"),
                parameters=path_id,
                requestBody=_json({**REPORT_INPUT, "required": []}),
            ),
            "delete": _op(
                "delete (author only); federates as Delete",
                "204",
                ("401", "403", "404"),
                parameters=path_id,
            ),
        },
        "/api/v1/reports/{id}/helpful": {
            "post": _op(
                "mark helpful as the token's organisation (a Like; once per organisation)",
                "200",
                ("401", "404"),
                parameters=path_id,
            ),
            "delete": _op(
                "take the helpful mark back (Undo{Like})", "200", ("401", "404"), parameters=path_id
            ),
        },
        "/api/v1/flags": {
            "post": _op(
                "flag a rating or report (local or remote) for moderation; a remote one is "
                "also sent to its node as Flag",
                "201",
                ("401", "415", "422"),
                requestBody=_json(flag_body),
            )
        },
        "/api/v1/moderation/flags": {
            "get": _op(
                "the moderation queue, newest first (operator token)",
                "200",
                ("401", "403", "422"),
                parameters=[
                    {"name": "state", "in": "query", "schema": {"type": "string"}},
                    *paging,
                ],
            )
        },
        "/api/v1/moderation/flags/{id}": {
            "post": _op(
                "resolve or dismiss a flag (operator token)",
                "200",
                ("401", "403", "404", "409", "422"),
                parameters=path_id,
                requestBody=_json(decision),
            )
        },
    }
