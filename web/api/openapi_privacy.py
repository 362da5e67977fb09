"""The OpenAPI description of the privacy rubric operations (web/api/privacy.py)."""

from __future__ import annotations

from typing import Any

from commonsnode.model.privacy_rubric import ANSWER_VALUES, CRITERIA, EVIDENCE_LEVELS, LETTERS
from web.api.openapi_problem import PROBLEM

RATING_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["listing", "repository_key", "grade", "facet", "explanation", "answers"],
    "properties": {
        "listing": {"type": "string"},
        "repository_key": {"type": "string", "description": "the tool the rubric is about"},
        "grade": {"type": ["string", "null"], "enum": [*LETTERS, None]},
        "facet": {"type": "string", "description": "the search facet value (`not-graded`)"},
        "explanation": {"type": "string"},
        "score": {"type": "number"},
        "earned": {"type": "number"},
        "penalty": {"type": "number"},
        "possible": {"type": "number"},
        "caps": {"type": "array", "items": {"type": "string"}},
        "unanswered": {"type": "array", "items": {"type": "string"}},
        "maintainers": {
            "type": "array",
            "items": {"type": "string", "format": "uri"},
            "description": "actor IRIs of the tool's publishers (they self-declare)",
        },
        "answers": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "criterion": {"type": "string"},
                    "class": {"type": "string", "enum": ["good", "bad", "blocker"]},
                    "question": {"type": "string"},
                    "answer": {"type": "string", "enum": list(ANSWER_VALUES)},
                    "evidence": {"type": "string", "format": "uri"},
                    "level": {"type": "string", "enum": list(EVIDENCE_LEVELS)},
                    "answered_by": {"type": "string", "format": "uri"},
                    "maintainer": {"type": "boolean"},
                    "counted": {
                        "type": "boolean",
                        "description": "this answer decides its criterion",
                    },
                    "points": {"type": "number"},
                    "refused": {
                        "type": ["string", "null"],
                        "description": "why the answer no longer counts",
                    },
                },
            },
        },
    },
}


def privacy_paths() -> dict[str, Any]:
    """The privacy rubric operations, for openapi.document."""
    rating = {
        "description": "the tool's rubric: grade, explanation, every answer with its level",
        "content": {"application/json": {"schema": RATING_SCHEMA}},
    }
    answer = {
        "type": "object",
        "additionalProperties": False,
        "required": ["criterion", "answer", "evidence"],
        "properties": {
            "criterion": {"type": "string", "enum": [c.id for c in CRITERIA]},
            "answer": {"type": "string", "enum": list(ANSWER_VALUES)},
            "evidence": {"type": "string", "format": "uri", "description": "http(s) link"},
        },
    }
    return {
        "/api/v1/listings/{id}/privacy": {
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "get": {
                "summary": "the privacy grade (A-E) of the listing's tool, how it was reached, "
                "and every answer with its evidence, level and who gave it",
                "responses": {"200": rating, "404": PROBLEM},
            },
            "post": {
                "summary": "answer rubric criteria as the token's organisation; each answer "
                "replaces its earlier answer to that criterion. The level is decided by the "
                "node: a maintainer (publisher of a listing of the tool) self-declares, another "
                "organisation peer-reviews, an operator token verifies",
                "security": [{"bearer": []}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "additionalProperties": False,
                                "required": ["answers"],
                                "properties": {
                                    "answers": {
                                        "type": "array",
                                        "minItems": 1,
                                        "maxItems": len(CRITERIA),
                                        "items": answer,
                                    }
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": rating,
                    "401": PROBLEM,
                    "403": PROBLEM,
                    "404": PROBLEM,
                    "409": PROBLEM,
                    "413": PROBLEM,
                    "415": PROBLEM,
                    "422": PROBLEM,
                },
            },
            "delete": {
                "summary": "withdraw the token organisation's own answers for the tool (all, "
                "or only the `criterion` parameters given)",
                "security": [{"bearer": []}],
                "parameters": [
                    {
                        "name": "criterion",
                        "in": "query",
                        "required": False,
                        "description": "a criterion id; repeat for several",
                        "schema": {"type": "string"},
                    }
                ],
                "responses": {
                    "204": {"description": "withdrawn; the grade is recomputed"},
                    "401": PROBLEM,
                    "404": PROBLEM,
                    "409": PROBLEM,
                    "422": PROBLEM,
                },
            },
        },
    }
