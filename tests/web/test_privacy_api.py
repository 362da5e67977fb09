"""The privacy rubric API: read the grade, answer as the token's organisation (the node decides
the level), withdraw, the grade on the listing, and the privacy filter and facet in search."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from commonsnode.demo import demo_file
from commonsnode.model.privacy_rubric import CRITERIA
from commonsnode.usecases.organisations import create_organisation, create_token
from tests.web.test_listings_api import auth, publish
from web.app import Node

DOCS = "https://docs.example/privacy"
ORIGIN = "http://127.0.0.1:8080"


def answers(**given: str) -> dict[str, Any]:
    return {
        "answers": [
            {"criterion": c.replace("_", "-"), "answer": a, "evidence": DOCS}
            for c, a in given.items()
        ]
    }


@pytest.fixture
async def reviewer(node: Node) -> str:
    await create_organisation(
        node.uow, node.clock, handle="collective", name="Open Data Collective", kind="civil-society"
    )
    return await create_token(node.uow, node.clock, handle="collective")


@pytest.fixture
async def operator(node: Node) -> str:
    await create_organisation(
        node.uow, node.clock, handle="auditor", name="Node Auditor", kind="civil-society"
    )
    return await create_token(node.uow, node.clock, handle="auditor", operator=True)


async def test_answers_are_graded_with_their_level_evidence_and_author(
    client: TestClient, token: str, reviewer: str, operator: str
) -> None:
    listing = await publish(client, token)
    path = f"/api/v1/listings/{listing['id']}/privacy"
    empty = await (await client.get(path)).json()
    assert (empty["grade"], empty["facet"], empty["answers"]) == (None, "not-graded", [])
    assert empty["maintainers"] == [f"{ORIGIN}/orgs/alderney"]
    body = answers(deletion="yes", data_export="yes", third_party_trackers="no")
    response = await client.post(path, json=body, headers=auth(token))
    assert response.status == 200, await response.text()
    response = await client.post(path, json=answers(deletion="no"), headers=auth(reviewer))
    assert response.status == 200
    response = await client.post(path, json=answers(self_hostable="yes"), headers=auth(operator))
    rating = await response.json()
    assert rating == await (await client.get(path)).json()
    levels = {(a["answered_by"], a["criterion"]): a["level"] for a in rating["answers"]}
    assert levels == {
        (f"{ORIGIN}/orgs/alderney", "deletion"): "self-declared",
        (f"{ORIGIN}/orgs/alderney", "data-export"): "self-declared",
        (f"{ORIGIN}/orgs/alderney", "third-party-trackers"): "self-declared",
        (f"{ORIGIN}/orgs/collective", "deletion"): "peer-reviewed",
        (f"{ORIGIN}/orgs/auditor", "self-hostable"): "verified",
    }
    by_author = {(a["answered_by"], a["criterion"]): a for a in rating["answers"]}
    assert by_author[(f"{ORIGIN}/orgs/alderney", "deletion")]["counted"] is False
    assert by_author[(f"{ORIGIN}/orgs/collective", "deletion")]["counted"] is True
    assert all(a["evidence"] == DOCS for a in rating["answers"])
    # earned 1.5 (data-export self-declared) + 3 (self-hostable verified) of 29
    assert rating["earned"] == 4.5
    assert rating["grade"] == "E"
    assert rating["explanation"].startswith("E: 4.5 points earned")
    one = await (await client.get(f"/api/v1/listings/{listing['id']}")).json()
    assert one["privacy_grade"] == "E"


async def test_the_privacy_facet_and_filter_in_search(
    client: TestClient, token: str, reviewer: str
) -> None:
    graded = await publish(client, token)
    response = await client.post(
        "/api/v1/listings",
        data=demo_file("qgis.yml"),
        headers=auth(token, **{"Content-Type": "application/yaml"}),
    )
    other = await response.json()
    everything = {
        "answers": [
            {"criterion": c.id, "answer": "no" if c.klass != "good" else "yes", "evidence": DOCS}
            for c in CRITERIA
        ]
    }
    path = f"/api/v1/listings/{graded['id']}/privacy"
    response = await client.post(path, json=everything, headers=auth(reviewer))
    assert (await response.json())["grade"] == "A"
    page = await (await client.get("/api/v1/listings")).json()
    assert page["facets"]["privacy"] == [
        {"value": "A", "count": 1},
        {"value": "not-graded", "count": 1},
    ]
    for value, expected in (("A", graded), ("not-graded", other)):
        page = await (await client.get("/api/v1/listings", params={"privacy": value})).json()
        assert [x["id"] for x in page["items"]] == [expected["id"]], value
    page = await (await client.get("/api/v1/tools", params={"privacy": "A"})).json()
    assert [t["key"] for t in page["items"]] == [graded["repository_key"]]
    response = await client.get("/api/v1/listings", params={"privacy": "Z"})
    assert response.status == 422
    assert (await response.json())["errors"][0]["field"] == "privacy"


async def test_withdrawing_ones_own_answers(client: TestClient, token: str, reviewer: str) -> None:
    listing = await publish(client, token)
    path = f"/api/v1/listings/{listing['id']}/privacy"
    await client.post(path, json=answers(deletion="yes", data_export="yes"), headers=auth(token))
    await client.post(path, json=answers(deletion="yes"), headers=auth(reviewer))
    response = await client.delete(path + "?criterion=data-export", headers=auth(token))
    assert response.status == 204
    response = await client.delete(path, headers=auth(reviewer))
    assert response.status == 204
    rating = await (await client.get(path)).json()
    assert [(a["answered_by"], a["criterion"]) for a in rating["answers"]] == [
        (f"{ORIGIN}/orgs/alderney", "deletion")
    ]
    response = await client.delete(path, headers=auth(reviewer))
    assert response.status == 404
    assert response.content_type == "application/problem+json"


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"answers": []}, 422, "answers"),
        ({"answers": [{"criterion": "deletion", "answer": "yes"}]}, 422, "answers[0].evidence"),
        (answers(deletion="perhaps"), 422, "answers[0].answer"),
        (answers(nonsense="yes"), 422, "answers[0].criterion"),
        (
            {"answers": [{"criterion": "deletion", "answer": "yes", "evidence": "javascript:x"}]},
            422,
            "answers[0].evidence",
        ),
        ({**answers(deletion="yes"), "level": "verified"}, 422, "level"),
    ],
)
async def test_bad_answers_are_problems_and_change_nothing(
    client: TestClient, token: str, body: dict[str, Any], status: int, field: str
) -> None:
    listing = await publish(client, token)
    path = f"/api/v1/listings/{listing['id']}/privacy"
    response = await client.post(path, json=body, headers=auth(token))
    assert response.status == status
    problem = await response.json()
    assert response.content_type == "application/problem+json"
    assert problem["errors"][0]["field"] == field
    assert (await (await client.get(path)).json())["answers"] == []


async def test_unknown_listing_and_missing_token(client: TestClient, token: str) -> None:
    response = await client.get("/api/v1/listings/nope/privacy")
    assert response.status == 404
    assert response.content_type == "application/problem+json"
    response = await client.post("/api/v1/listings/nope/privacy", json=answers(deletion="yes"))
    assert response.status == 401
    response = await client.post(
        "/api/v1/listings/nope/privacy", json=answers(deletion="yes"), headers=auth(token)
    )
    assert response.status == 404
