"""The OpenAPI description of the commission operations (web/api/requests.py, contracts.py)."""

from __future__ import annotations

from typing import Any

from web.api.openapi_problem import PROBLEM

_MONEY = {
    "type": "object",
    "required": ["amount", "currency"],
    "additionalProperties": False,
    "properties": {
        "amount": {"type": "integer", "description": "minor units (cents for EUR)"},
        "currency": {"type": "string", "pattern": "^[A-Z]{3}$", "description": "ISO 4217"},
    },
}
_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
_N = {
    "name": "n",
    "in": "path",
    "required": True,
    "description": "the milestone's 1-based index in the contract",
    "schema": {"type": "integer", "minimum": 1},
}


def _object(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": required,
        "properties": properties,
    }


def _op(
    summary: str,
    *,
    ok: str = "200",
    body: dict[str, Any] | None = None,
    params: list[dict[str, Any]] | None = None,
    errors: tuple[str, ...] = ("403", "404", "409"),
    public: bool = False,
) -> dict[str, Any]:
    responses: dict[str, Any] = {ok: {"description": "done"}}
    if not public:
        responses["401"] = PROBLEM
    for code in errors:
        responses[code] = PROBLEM
    if body is not None:
        responses.update({"413": PROBLEM, "415": PROBLEM, "422": PROBLEM})
    operation: dict[str, Any] = {"summary": summary, "responses": responses}
    operation["security"] = [{}, {"bearer": []}] if public else [{"bearer": []}]
    if body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": body}},
        }
    operation["parameters"] = params or []
    return operation


def commission_paths() -> dict[str, Any]:
    """The request, bid, award, contract, milestone, payment and open-data operations."""
    request_body = _object(
        {
            "kind": {"enum": ["new-tool", "change", "support"]},
            "title": {"type": "string"},
            "description": {"type": "string"},
            "requirements": {"type": "array", "items": {"type": "string"}},
            "budget": _object({"min": _MONEY, "max": _MONEY}, ["min", "max"]),
            "deadline": {
                "type": "string",
                "description": "ISO 8601 date (bids accepted through that UTC day) or "
                "date-time with a zone",
            },
            "criteria": _object({c: {"type": "number", "minimum": 0} for c in CRITERIA}, []),
            "listing": {"type": "string", "description": "for change and support requests"},
            "recipients": {
                "type": "array",
                "items": {"type": "string"},
                "description": "actor IRIs or acct: handles (another node's resolved by "
                "WebFinger; the request goes to them as Offer); none: a public request",
            },
            "draft": {"type": "boolean", "description": "keep as a draft (default: publish)"},
        },
        ["kind", "title", "description", "budget", "deadline", "criteria"],
    )
    milestone = _object(
        {"title": {"type": "string"}, "due": {"type": "string"}, "amount": _MONEY},
        ["title", "due", "amount"],
    )
    bid_body = _object(
        {
            "price": _MONEY,
            "timeline_days": {"type": "integer", "minimum": 1},
            "approach": {"type": "string"},
            "milestones": {"type": "array", "items": milestone, "minItems": 1},
            "team": {"type": "array", "items": {"type": "string"}},
        },
        ["price", "timeline_days", "approach", "milestones"],
    )
    reason = _object({"reason": {"type": "string"}}, [])
    payment = _object(
        {
            "milestone": {"type": ["integer", "string"]},
            "amount": _MONEY,
            "date": {"type": "string"},
            "reference": {"type": "string"},
        },
        ["milestone", "amount", "date", "reference"],
    )
    proof = _object({"proof": {"type": "object", "description": "an FEP-8b32 proof"}}, [])
    state = {"name": "state", "in": "query", "schema": {"type": "string"}}
    after = {"name": "after", "in": "query", "schema": {"type": "string"}}
    kind = {
        "name": "kind",
        "in": "query",
        "schema": {"type": "string", "enum": ["new-tool", "change", "support"]},
    }
    audience = {
        "name": "audience",
        "in": "query",
        "schema": {"type": "string", "enum": ["public", "directed"]},
    }
    return {
        "/api/v1/requests": {
            "post": _op(
                "post a request as the token's organisation (published unless draft)",
                ok="201",
                body=request_body,
                errors=(),
            ),
            "get": _op(
                "the request board: public requests, the caller's own and those directed "
                "to it, newest first",
                params=[state, kind, audience, after],
                errors=("422",),
                public=True,
            ),
        },
        "/api/v1/requests/{id}": {
            "get": _op(
                "one request; the requester also sees the bids ranked with the score "
                "explained, a bidder its own bids",
                params=[_ID],
                errors=("404",),
                public=True,
            )
        },
        "/api/v1/requests/{id}/publish": {
            "post": _op("publish a draft (before its deadline)", params=[_ID])
        },
        "/api/v1/requests/{id}/close": {
            "post": _op("close bidding after the deadline: evaluation starts", params=[_ID])
        },
        "/api/v1/requests/{id}/cancel": {
            "post": _op("cancel the request; every bidder is not awarded", params=[_ID])
        },
        "/api/v1/requests/{id}/bids": {
            "post": _op(
                "bid as the token's organisation: 409 when late or not open, 403 on one's "
                "own or an uninvited request, 422 in another currency; `id` may be another "
                "node's request IRI (URL-encoded) or its mirror's id here: the bid then goes "
                "to the requester as Offer and its refusal, if any, comes back with the reason",
                ok="201",
                body=bid_body,
                params=[_ID],
            )
        },
        "/api/v1/requests/{id}/bids/{bid}/mark": {
            "post": _op(
                "the requester marks a bid's approach 0–10 for the ranking",
                body=_object({"mark": {"type": "integer", "minimum": 0, "maximum": 10}}, ["mark"]),
                params=[_ID, {"name": "bid", "in": "path", "required": True, "schema": {}}],
            )
        },
        "/api/v1/requests/{id}/award": {
            "post": _op(
                "award one bid (after the deadline): produces the contract to sign",
                ok="201",
                body=_object({"bid": {"type": "string"}}, ["bid"]),
                params=[_ID],
            )
        },
        "/api/v1/requests/{id}/ocds": {
            "get": _op(
                "the request's OCDS 1.1 release package (bids, award, contract with "
                "signatories, payments as transactions)",
                params=[_ID],
                errors=("404", "409"),
                public=True,
            )
        },
        "/api/v1/contracts": {
            "get": _op(
                "the contracts the token's organisation is party to",
                params=[after],
                errors=(),
            )
        },
        "/api/v1/contracts/{id}": {
            "get": _op(
                "one contract: document, milestones, each party's signature and whether it "
                "verifies (`valid`)",
                params=[_ID],
                errors=("403", "404"),
            )
        },
        "/api/v1/contracts/{id}/sign": {
            "post": _op(
                "sign the contract document as the token's organisation (Ed25519, FEP-8b32); "
                "or record the organisation's own proof given in the body",
                body=proof,
                params=[_ID],
            )
        },
        "/api/v1/contracts/{id}/start": {
            "post": _op("start work on a signed contract", params=[_ID])
        },
        "/api/v1/contracts/{id}/dispute": {
            "post": _op("dispute the contract, with the reason", body=reason, params=[_ID])
        },
        "/api/v1/contracts/{id}/withdraw-dispute": {
            "post": _op(
                "the party that raised the dispute withdraws it: the contract is back in the "
                "state it was disputed from (signed or in-progress)",
                params=[_ID],
            )
        },
        "/api/v1/contracts/{id}/terminate": {
            "post": _op(
                "either party ends a disputed contract, with the reason: terminated, for good "
                "(no completion credit, no reputation, no payments)",
                body=reason,
                params=[_ID],
                errors=("403", "404", "409", "422"),
            )
        },
        "/api/v1/contracts/{id}/milestones/{n}/deliver": {
            "post": _op("the supplier delivers a milestone", params=[_ID, _N])
        },
        "/api/v1/contracts/{id}/milestones/{n}/accept": {
            "post": _op(
                "the buyer accepts a delivered milestone (all accepted: completed)",
                params=[_ID, _N],
            )
        },
        "/api/v1/contracts/{id}/milestones/{n}/reject": {
            "post": _op("the buyer rejects a delivery (pending again)", params=[_ID, _N])
        },
        "/api/v1/contracts/{id}/payments": {
            "post": _op(
                "the buyer records a payment against a milestone; the platform fee is "
                "booked to the operator; the same payment again changes nothing (200)",
                ok="201",
                body=payment,
                params=[_ID],
            )
        },
        "/api/v1/contracts/{id}/ledger": {
            "get": _op(
                "the contract's double-entry ledger and balances, the same for both parties",
                params=[_ID],
                errors=("403", "404"),
            )
        },
    }


CRITERIA = ("price", "timeline", "reputation", "approach")
