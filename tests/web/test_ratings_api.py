"""The ratings API: 201 then 200 on replacement, 422 bad scores, 403 own tool, 404 unknown
listing, paged reads, withdrawal, and rating_summary on the listing."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from aiohttp.test_utils import TestClient

from commonsnode.rating_events import RATING_EVENT_JOB
from commonsnode.usecases.organisations import create_organisation, create_token
from tests.web.test_listings_api import auth, publish
from web.app import Node


async def org_token(node: Node, handle: str) -> str:
    await create_organisation(
        node.uow, node.clock, handle=handle, name=handle.title(), kind="government"
    )
    return await create_token(node.uow, node.clock, handle=handle)


@pytest.fixture
async def rater(node: Node) -> str:
    return await org_token(node, "bramble")


async def rating_events(node: Node) -> list[str]:
    async with node.db.transaction(readonly=True) as connection:
        rows = await connection.execute(
            sa.text("SELECT payload FROM jobs WHERE kind = :kind ORDER BY id"),
            {"kind": RATING_EVENT_JOB},
        )
        return [json.loads(row.payload)["change"] for row in rows]


async def test_rate_replace_read_and_withdraw(
    client: TestClient, token: str, rater: str, node: Node
) -> None:
    listing = await publish(client, token)
    path = f"/api/v1/listings/{listing['id']}/ratings"
    body = {"scores": {"overall": 4, "privacy": 5}, "text": "Solid."}
    response = await client.post(path, json=body, headers=auth(rater))
    assert response.status == 201, await response.text()
    first = await response.json()
    assert first["scores"] == {"overall": 4, "privacy": 5}
    assert first["author"]["handle"] == "bramble"
    assert first["local"] is True

    response = await client.post(path, json={"scores": {"overall": 2}}, headers=auth(rater))
    assert response.status == 200
    second = await response.json()
    assert (second["id"], second["scores"], second["text"]) == (first["id"], {"overall": 2}, "")

    third = await org_token(node, "ash")
    response = await client.post(path, json={"scores": {"overall": 5}}, headers=auth(third))
    assert response.status == 201

    response = await client.get(path + "?limit=1")
    page = await response.json()
    assert [item["author"]["handle"] for item in page["items"]] == ["ash"]
    response = await client.get(page["next"])
    assert [item["author"]["handle"] for item in (await response.json())["items"]] == ["bramble"]

    response = await client.get(f"/api/v1/listings/{listing['id']}")
    summary = (await response.json())["rating_summary"]
    assert summary["count"] == 2
    assert summary["mean"] == {"overall": 3.5}
    assert summary["distribution"]["overall"] == {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1}
    assert summary["nodes"] == [{"node": node.federation.iris.host, "local": True, "count": 2}]
    assert summary["bayesian"]["overall"] == round((5 * 3 + 7) / 7, 3)

    response = await client.delete(path, headers=auth(rater))
    assert response.status == 204
    response = await client.delete(path, headers=auth(rater))
    assert response.status == 404
    response = await client.get(f"/api/v1/listings/{listing['id']}")
    assert (await response.json())["rating_summary"]["count"] == 1
    assert await rating_events(node) == ["given", "replaced", "given", "withdrawn"]


@pytest.mark.parametrize(
    "body",
    [
        {"scores": {"privacy": 4}},
        {"scores": {"overall": 0}},
        {"scores": {"overall": 4.5}},
        {"scores": {"overall": 4, "beauty": 2}},
        {"scores": "5"},
        {"scores": {"overall": 4}, "text": "x" * 5001},
        {"scores": {"overall": 4}, "stars": 5},
    ],
)
async def test_bad_scores_are_a_422_problem_and_store_nothing(
    client: TestClient, token: str, rater: str, node: Node, body: dict[str, object]
) -> None:
    listing = await publish(client, token)
    response = await client.post(
        f"/api/v1/listings/{listing['id']}/ratings", json=body, headers=auth(rater)
    )
    assert response.status == 422
    assert response.content_type == "application/problem+json"
    assert await rating_events(node) == []


async def test_an_organisation_cannot_rate_its_own_tool_or_an_unknown_listing(
    client: TestClient, token: str, rater: str
) -> None:
    listing = await publish(client, token)
    response = await client.post(
        f"/api/v1/listings/{listing['id']}/ratings",
        json={"scores": {"overall": 5}},
        headers=auth(token),
    )
    assert response.status == 403
    assert "maintains" in (await response.json())["detail"]
    response = await client.post(
        "/api/v1/listings/nope/ratings", json={"scores": {"overall": 5}}, headers=auth(rater)
    )
    assert response.status == 404
    assert (await client.get("/api/v1/listings/nope/ratings")).status == 404
    response = await client.post(
        f"/api/v1/listings/{listing['id']}/ratings", json={"scores": {"overall": 5}}
    )
    assert response.status == 401
