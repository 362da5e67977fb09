"""GET /api/v1/listings as a search (ranked, faceted, paged) and GET /api/v1/tools/{key}."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

import pytest
from aiohttp.test_utils import TestClient

from commonsnode.ids import new_id
from commonsnode.model.listings import (
    ListingFacts,
    ListingText,
    Provenance,
    remote_listing,
)
from commonsnode.usecases.organisations import create_organisation, create_token
from tests.web.test_listings_api import auth, publish, text_of
from web.app import Node

YAML = {"Content-Type": "application/yaml"}


async def remote(node: Node, name: str, repository: str, used_by: tuple[str, ...] = ()) -> str:
    await asyncio.sleep(0.002)  # ids are time-ordered to the millisecond
    now = node.clock.now()
    facts = ListingFacts(
        name=name,
        repository=repository,
        descriptions=(ListingText("fr", "Gestion électronique des documents", "Déposer"),),
        license="MIT",
        development_status="beta",
        software_type="library",
        used_by=used_by,
        countries=("fr",),
    )
    origin = Provenance(
        f"https://b.example/listings/{name}", "https://b.example/orgs/dev", "b.example", now, ""
    )
    listing = remote_listing(new_id(now), facts, origin, now)
    async with node.uow() as tx:
        await tx.listings.add(listing)
    return listing.id


async def search(client: TestClient, query: str) -> dict[str, Any]:
    response = await client.get(f"/api/v1/listings?{query}")
    assert response.status == 200, await response.text()
    return await response.json()  # type: ignore[no-any-return]


async def test_search_ranks_counts_facets_and_pages(
    client: TestClient, token: str, node: Node
) -> None:
    full = await publish(client, token, "valid.yml")
    theirs = await remote(node, "Dépôt", "https://code.example/depot", used_by=("Lyon",))
    body = await search(client, "q=documents")
    assert [x["id"] for x in body["items"]] == [theirs]
    assert body["total"] == 1
    assert body["total_exact"] is True
    facets = {k: {f["value"]: f["count"] for f in v} for k, v in body["facets"].items()}
    assert facets["license"] == {"MIT": 1}
    assert facets["country"] == {"fr": 1}
    assert facets["used_by"] == {"1": 1, "5": 0, "10": 0}
    assert [x["id"] for x in (await search(client, "q=depot"))["items"]] == [theirs]
    assert [x["id"] for x in (await search(client, "q=D%C3%A9p%C3%B4t"))["items"]] == [theirs]
    assert [x["id"] for x in (await search(client, "country=FR"))["items"]] == [theirs]
    assert [x["id"] for x in (await search(client, "used_by_min=2"))["items"]] == [full["id"]]
    everything = await search(client, "")
    assert [x["id"] for x in everything["items"]] == [theirs, full["id"]]
    assert everything["total"] == 2
    first = await search(client, "q=&limit=1")
    assert [x["id"] for x in first["items"]] == [theirs]
    second = await (await client.get(first["next"])).json()
    assert [x["id"] for x in second["items"]] == [full["id"]]
    assert "next" not in second
    assert (await client.get("/api/v1/listings?used_by_min=x")).status == 422
    assert (await client.get("/api/v1/listings?q=a&cursor=zzz")).status == 422
    assert (await client.get("/api/v1/listings?q=" + "a" * 501)).status == 422


@pytest.mark.parametrize(
    "q", ['"', "NEAR(", "*", "-", "((", ")", "a OR", "'", ":*", "%", "\\", "é", 'Medusa"*']
)
async def test_odd_queries_answer_200(client: TestClient, token: str, q: str) -> None:
    await publish(client, token, "valid.yml")
    body = await search(client, "q=" + quote(q))
    assert isinstance(body["items"], list)


async def test_the_index_follows_publish_change_and_withdraw(
    client: TestClient, token: str
) -> None:
    created = await publish(client, token, "valid.yml")
    path = f"/api/v1/listings/{created['id']}"
    assert [x["id"] for x in (await search(client, "q=medusa"))["items"]] == [created["id"]]
    changed = await client.patch(path, json={"name": "Perseus"}, headers=auth(token))
    assert changed.status == 200, await changed.text()
    assert (await search(client, "q=medusa"))["items"] == []
    assert [x["id"] for x in (await search(client, "q=perseus"))["items"]] == [created["id"]]
    assert (await client.delete(path, headers=auth(token))).status == 204
    assert (await search(client, "q=perseus"))["items"] == []


async def test_a_tool_gathers_its_listings_publishers_and_users_with_sources(
    client: TestClient, token: str, node: Node
) -> None:
    await create_organisation(
        node.uow, node.clock, handle="fixers", name="Fixers Ltd", kind="support-company"
    )
    fixers = await create_token(node.uow, node.clock, handle="fixers")
    mine = await publish(client, token, "valid.yml")
    other = text_of("valid.yml").replace(
        "https://github.com/italia/developers.italia.it.git",
        "https://GitHub.com/Italia/developers.italia.it/",
    )
    response = await client.post("/api/v1/listings", data=other, headers=auth(fixers, **YAML))
    assert response.status == 201, await response.text()
    support = await response.json()
    theirs = await remote(
        node, "Medusa FR", "https://github.com/italia/developers.italia.it", ("Lyon",)
    )
    await remote(node, "Elsewhere", "https://github.com/italia/other")

    response = await client.get("/api/v1/tools/github.com/italia/developers.italia.it")
    assert response.status == 200, await response.text()
    tool = await response.json()
    assert tool["key"] == "github.com/italia/developers.italia.it"
    assert [x["id"] for x in tool["listings"]] == [mine["id"], support["id"], theirs]
    publishers = {p["source"]["listing"]: p for p in tool["publishers"]}
    assert publishers[mine["id"]]["kind"] == "government"
    assert publishers[mine["id"]]["source"]["node"] == "127.0.0.1:8080"
    assert publishers[theirs]["iri"] == "https://b.example/orgs/dev"
    assert publishers[theirs]["source"]["node"] == "b.example"
    used = {(u["name"], u["from"], u["source"]["listing"]) for u in tool["used_by"]}
    assert ("City of Alderney", "publisher", mine["id"]) in used
    assert ("Lyon", "usedBy", theirs) in used
    assert any(s.get("name") == "Fixers Ltd" for s in tool["support"])
    by_url = await client.get(
        "/api/v1/tools/" + quote("https://github.com/italia/developers.italia.it.git", safe="")
    )
    assert by_url.status == 200
    assert (await client.get("/api/v1/tools/github.com/nobody/nothing")).status == 404


async def test_tool_search_groups_listings_of_one_repository(
    client: TestClient, token: str, node: Node
) -> None:
    mine = await publish(client, token, "valid.yml")
    theirs = await remote(node, "Medusa", "https://github.com/italia/developers.italia.it")
    alone = await remote(node, "Medusa Lite", "https://github.com/italia/medusa-lite")
    response = await client.get("/api/v1/tools?q=medusa")
    assert response.status == 200, await response.text()
    body = await response.json()
    assert body["total"] == 2
    keys = [tool["key"] for tool in body["items"]]
    assert keys == ["github.com/italia/developers.italia.it", "github.com/italia/medusa-lite"]
    assert [x["id"] for x in body["items"][0]["listings"]] == [mine["id"], theirs]
    assert [x["id"] for x in body["items"][1]["listings"]] == [alone]
    first = await (await client.get("/api/v1/tools?limit=1")).json()
    assert [tool["key"] for tool in first["items"]] == ["github.com/italia/medusa-lite"]
    second = await (await client.get(first["next"])).json()
    assert [tool["key"] for tool in second["items"]] == ["github.com/italia/developers.italia.it"]
    assert "next" not in second
    assert (await client.get("/api/v1/tools?license=Nothing")).status == 200
