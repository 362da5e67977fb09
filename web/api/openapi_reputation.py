"""The OpenAPI description of GET /api/v1/reputation (web/api/reputation.py), for openapi.py."""

from __future__ import annotations

from typing import Any

from commonsnode.model.reputation import SUBJECT_KINDS
from web.api.openapi_problem import PROBLEM

_INPUT = {
    "type": "object",
    "required": ["kind", "source", "via", "value", "weight", "contribution"],
    "properties": {
        "kind": {"enum": ["prior", "rating", "tool-rating", "helpful", "contract"]},
        "source": {"type": ["string", "null"], "description": "who gave it (null: the prior)"},
        "via": {"type": ["string", "null"], "description": "the rated tool, report, contract"},
        "value": {"type": "number", "description": "stars 1–5, or the prior's mean"},
        "weight": {"type": "number", "description": "the giver's trust weight × the kind's"},
        "contribution": {"type": "number", "description": "weight × value ÷ Σ weights"},
        "note": {"type": "string"},
    },
}
_REPUTATION = {
    "type": "object",
    "required": ["actor", "score", "inputs"],
    "description": "score = Σ contributions (1–5, 3 neutral); docs/reputation.md explains "
    "the weights: trust flows from the operator's trusted organisations (the seeds)",
    "properties": {
        "actor": {"type": "string", "format": "uri", "description": "organisation or tool IRI"},
        "kind": {"enum": [*SUBJECT_KINDS, None]},
        "score": {"type": "number"},
        "weight": {"type": "number", "description": "Σ input weights, prior excluded"},
        "trust": {"type": "number", "description": "the subject's own weight as a giver"},
        "inputs": {"type": "array", "items": _INPUT},
    },
}


def reputation_paths() -> dict[str, Any]:
    """The reputation operation, for openapi.document."""
    return {
        "/api/v1/reputation": {
            "get": {
                "summary": "a tool's or organisation's reputation with every input, its weight "
                "and contribution (they add up to the score)",
                "parameters": [
                    {
                        "name": "actor",
                        "in": "query",
                        "schema": {"type": "string", "format": "uri"},
                        "description": "an organisation's IRI, or a tool's page IRI",
                    },
                    {
                        "name": "tool",
                        "in": "query",
                        "schema": {"type": "string"},
                        "description": "a tool's repository key, e.g. github.com/org/repo "
                        "(instead of actor)",
                    },
                ],
                "responses": {
                    "200": {
                        "description": "the score and its explanation",
                        "content": {"application/json": {"schema": _REPUTATION}},
                    },
                    "404": PROBLEM,
                    "422": PROBLEM,
                },
            }
        }
    }
