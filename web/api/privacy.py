"""The privacy rubric of a tool in the JSON API: read the grade, answer criteria, withdraw.

Routes hang off a listing (`/api/v1/listings/{id}/privacy`) because that is the id clients
hold; the rubric itself belongs to the tool, so every listing of one repository answers the
same. The token's organisation answers; an operator token answers for the node (verified).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from commonsnode.model.privacy_rubric import CRITERIA_BY_ID, RubricAnswer
from commonsnode.usecases.privacy import (
    PrivacyRating,
    answer_rubric,
    parse_answers,
    privacy_of_listing,
    withdraw_answers,
)
from web.api.auth import require_holder
from web.api.body import read_json_object, reject_unknown
from web.keys import CLOCK, FED, UOW


def _answer_json(answer: RubricAnswer, rating: PrivacyRating) -> dict[str, Any]:
    criterion = CRITERIA_BY_ID[answer.criterion]
    counted = next(
        (
            c
            for c in rating.grade.counted
            if c.criterion == answer.criterion and c.answered_by == answer.answered_by
        ),
        None,
    )
    refused = next((why for a, why in rating.refused if a == answer), None)
    return {
        "criterion": answer.criterion,
        "class": criterion.klass,
        "question": criterion.question,
        "answer": answer.answer,
        "evidence": answer.evidence,
        "level": answer.level,
        "answered_by": answer.answered_by,
        "maintainer": answer.answered_by in rating.maintainers,
        "counted": counted is not None,
        "points": counted.points if counted is not None else 0,
        "refused": refused,
    }


def rating_json(listing_id: str, rating: PrivacyRating) -> dict[str, Any]:
    """The API shape of a tool's rubric: grade, how it was reached, every answer and who."""
    grade = rating.grade
    return {
        "listing": listing_id,
        "repository_key": rating.key,
        "grade": grade.letter,
        "facet": grade.facet,
        "explanation": grade.explanation,
        "score": grade.score,
        "earned": grade.earned,
        "penalty": grade.penalty,
        "possible": grade.possible,
        "caps": list(grade.caps),
        "unanswered": list(grade.unanswered),
        "maintainers": sorted(rating.maintainers),
        "answers": [_answer_json(a, rating) for a in rating.answers],
    }


async def get_privacy(request: web.Request) -> web.Response:
    listing_id = request.match_info["id"]
    rating = await privacy_of_listing(
        request.app[UOW], request.app[CLOCK], listing_id, request.app[FED].iris.org
    )
    return web.json_response(rating_json(listing_id, rating))


async def post_privacy(request: web.Request) -> web.Response:
    holder = await require_holder(request)
    body = await read_json_object(request)
    reject_unknown(body, {"answers"})
    inputs = parse_answers(body.get("answers"))
    listing_id = request.match_info["id"]
    rating = await answer_rubric(
        request.app[UOW],
        request.app[CLOCK],
        holder.org,
        listing_id,
        inputs,
        request.app[FED].iris.org,
        operator=holder.operator,
    )
    return web.json_response(rating_json(listing_id, rating))


async def delete_privacy(request: web.Request) -> web.Response:
    holder = await require_holder(request)
    criteria = request.query.getall("criterion", []) or None
    await withdraw_answers(
        request.app[UOW],
        request.app[CLOCK],
        holder.org,
        request.match_info["id"],
        request.app[FED].iris.org,
        criteria,
    )
    return web.Response(status=204)


def setup(app: web.Application) -> None:
    app.router.add_get("/api/v1/listings/{id}/privacy", get_privacy)
    app.router.add_post("/api/v1/listings/{id}/privacy", post_privacy)
    app.router.add_delete("/api/v1/listings/{id}/privacy", delete_privacy)
