"""Ratings in the JSON API: rate a listing, read its ratings, withdraw one's own."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from commonsnode.errors import InvalidError
from commonsnode.model.dates import iso_timestamp
from commonsnode.model.organisations import Organisation
from commonsnode.model.rating_aggregates import PRIOR_MEAN, PRIOR_WEIGHT, RatingSummary
from commonsnode.model.ratings import Rating
from commonsnode.usecases.organisations import org_map
from commonsnode.usecases.ratings import list_ratings, rate_listing, withdraw_rating
from federation.convert.ratings import rating_iri
from web.api.auth import require_org
from web.api.body import read_json_object, reject_unknown
from web.keys import CLOCK, FED, UOW

PAGE = 20


def summary_json(summary: RatingSummary, local_host: str) -> dict[str, Any]:
    """`rating_summary`: the contract's count and mean, plus distribution, Bayesian average
    (prior and weight stated) and the nodes the ratings came from."""
    criteria = summary.criteria
    return {
        "count": summary.count,
        "mean": {name: c.mean for name, c in criteria.items()},
        "counts": {name: c.count for name, c in criteria.items()},
        "distribution": {
            name: {str(value): n for value, n in c.distribution.items()}
            for name, c in criteria.items()
        },
        "bayesian": {name: c.bayesian for name, c in criteria.items()},
        "prior": {"mean": PRIOR_MEAN, "weight": PRIOR_WEIGHT},
        "nodes": [
            {"node": host or local_host, "local": host is None, "count": n}
            for host, n in sorted(summary.nodes.items(), key=lambda kv: (-kv[1], kv[0] or ""))
        ],
    }


def rating_json(
    request: web.Request, rating: Rating, orgs: dict[str, Organisation]
) -> dict[str, Any]:
    iris = request.app[FED].iris
    org = orgs.get(rating.org_id or "")
    if org is not None:
        author = {"iri": iris.org(org.handle), "handle": org.handle, "name": org.name}
    else:
        author = {"iri": rating.author_iri}
    return {
        "id": rating.id,
        "iri": rating.origin_iri or rating_iri(iris, rating.id),
        "listing": rating.listing_id,
        "local": rating.is_local,
        "author": author,
        "node": rating.node_host or iris.host,
        "via": rating.via_iri,
        "scores": dict(rating.scores),
        "text": rating.text,
        "created": iso_timestamp(rating.created_at),
        "updated": iso_timestamp(rating.updated_at),
    }


async def post_rating(request: web.Request) -> web.Response:
    org = await require_org(request)
    body = await read_json_object(request)
    reject_unknown(body, {"scores", "text"})
    change = await rate_listing(
        request.app[UOW],
        request.app[CLOCK],
        org,
        request.match_info["id"],
        body.get("scores"),
        body.get("text"),
    )
    payload = rating_json(request, change.rating, {org.id: org})
    if not change.created:
        return web.json_response(payload)
    location = f"/api/v1/listings/{change.rating.listing_id}/ratings"
    return web.json_response(payload, status=201, headers={"Location": location})


async def get_ratings(request: web.Request) -> web.Response:
    limit_text = request.query.get("limit") or str(PAGE)
    if not limit_text.isdigit():
        raise InvalidError("limit: a whole number", field="limit")
    page = await list_ratings(
        request.app[UOW],
        request.match_info["id"],
        int(limit_text),
        request.query.get("cursor") or None,
    )
    orgs = await org_map(request.app[UOW])
    body: dict[str, Any] = {"items": [rating_json(request, r, orgs) for r in page.ratings]}
    if page.next_cursor is not None:
        params = {k: v for k, v in request.query.items() if k != "cursor"}
        params["cursor"] = page.next_cursor
        body["next"] = str(request.rel_url.with_query(params))
    return web.json_response(body)


async def delete_rating(request: web.Request) -> web.Response:
    org = await require_org(request)
    await withdraw_rating(request.app[UOW], request.app[CLOCK], org, request.match_info["id"])
    return web.Response(status=204)


def setup(app: web.Application) -> None:
    app.router.add_post("/api/v1/listings/{id}/ratings", post_rating)
    app.router.add_get("/api/v1/listings/{id}/ratings", get_ratings)
    app.router.add_delete("/api/v1/listings/{id}/ratings", delete_rating)
