"""Discovery over HTTP: WebFinger, host-meta and NodeInfo as Mastodon, GoToSocial and Fedify ask."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from commonsnode.usecases.organisations import create_organisation
from web import wellknown
from web.app import Node, create_app

JRD = "application/jrd+json"
PROBLEM = "application/problem+json"
ORIGIN = "http://127.0.0.1:8080"  # tests/web/conftest.py


@pytest.fixture
async def client(node: Node) -> AsyncIterator[TestClient]:
    """The node's app; wires the discovery routes itself until web/app.py does."""
    app = create_app(node)
    paths = {route.resource.canonical for route in app.router.routes() if route.resource}
    if "/.well-known/webfinger" not in paths:
        wellknown.setup(app)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


@pytest.fixture
async def alderney(node: Node) -> str:
    await create_organisation(
        node.uow, node.clock, handle="alderney", name="City of Alderney", kind="government"
    )
    return "alderney"


async def _webfinger(client: TestClient, resource: str) -> dict[str, Any]:
    response = await client.get("/.well-known/webfinger", params={"resource": resource})
    assert response.status == 200, await response.text()
    assert response.content_type == JRD
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "max-age=" in response.headers["Cache-Control"]
    return await response.json(content_type=JRD)


async def _problem(client: TestClient, query: dict[str, str], status: int) -> dict[str, Any]:
    response = await client.get("/.well-known/webfinger", params=query)
    assert response.status == status
    assert response.content_type == PROBLEM
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Cache-Control"] == "no-store"
    body = await response.json(content_type=PROBLEM)
    assert body["status"] == status
    return body


@pytest.mark.parametrize(
    "resource",
    [
        "acct:alderney@127.0.0.1:8080",
        "acct:ALDERNEY@127.0.0.1:8080",
        "alderney@127.0.0.1:8080",
        f"{ORIGIN}/orgs/alderney",
    ],
)
async def test_webfinger_finds_an_organisation(
    client: TestClient, alderney: str, resource: str
) -> None:
    jrd = await _webfinger(client, resource)
    assert jrd == {
        "subject": "acct:alderney@127.0.0.1:8080",
        "aliases": [f"{ORIGIN}/orgs/alderney"],
        "links": [
            {"rel": "self", "type": "application/activity+json", "href": f"{ORIGIN}/orgs/alderney"},
            {
                "rel": "http://webfinger.net/rel/profile-page",
                "type": "text/html",
                "href": f"{ORIGIN}/orgs/alderney",
            },
        ],
    }


@pytest.mark.parametrize("resource", ["acct:127.0.0.1:8080@127.0.0.1:8080", f"{ORIGIN}/actor"])
async def test_webfinger_finds_the_instance_actor(client: TestClient, resource: str) -> None:
    jrd = await _webfinger(client, resource)
    assert jrd["subject"] == "acct:127.0.0.1:8080@127.0.0.1:8080"
    self_link = {"rel": "self", "type": "application/activity+json", "href": f"{ORIGIN}/actor"}
    assert self_link in jrd["links"]


async def test_webfinger_rel_parameter_filters_links(client: TestClient, alderney: str) -> None:
    response = await client.get(
        "/.well-known/webfinger",
        params={"resource": "acct:alderney@127.0.0.1:8080", "rel": "self"},
    )
    jrd = await response.json(content_type=JRD)
    assert [link["rel"] for link in jrd["links"]] == ["self"]


@pytest.mark.parametrize("query", [{}, {"resource": ""}, {"resource": "alderney"}])
async def test_webfinger_without_a_readable_resource_is_400(
    client: TestClient, query: dict[str, str]
) -> None:
    body = await _problem(client, query, 400)
    assert body["instance"] == "/.well-known/webfinger"


@pytest.mark.parametrize(
    "resource",
    [
        "acct:nobody@127.0.0.1:8080",
        "acct:alderney@mastodon.example",
        "acct:alderney@127.0.0.1",
        "https://mastodon.example/users/alderney",
    ],
)
async def test_webfinger_for_nothing_here_is_404(
    client: TestClient, alderney: str, resource: str
) -> None:
    await _problem(client, {"resource": resource}, 404)


async def test_host_meta_points_at_webfinger(client: TestClient) -> None:
    response = await client.get("/.well-known/host-meta")
    assert response.status == 200
    assert response.content_type == "application/xrd+xml"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    link = ET.fromstring(await response.text())[0]
    assert link.attrib["rel"] == "lrdd"
    assert link.attrib["template"] == f"{ORIGIN}/.well-known/webfinger?resource={{uri}}"


async def test_nodeinfo_links_lead_to_both_documents(client: TestClient, alderney: str) -> None:
    response = await client.get("/.well-known/nodeinfo")
    assert response.status == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    links = (await response.json())["links"]
    assert [link["rel"].rsplit("/", 1)[1] for link in links] == ["2.0", "2.1"]
    for link in links:
        version = link["rel"].rsplit("/", 1)[1]
        assert link["href"] == f"{ORIGIN}/nodeinfo/{version}"
        document = await client.get(link["href"].removeprefix(ORIGIN))
        assert document.status == 200
        assert document.headers["Content-Type"] == (f'application/json; profile="{link["rel"]}#"')
        assert document.headers["Access-Control-Allow-Origin"] == "*"
        body = await document.json()
        assert body["version"] == version
        assert body["software"]["name"] == "commonsnode"
        assert body["usage"]["users"] == {"total": 1}
        assert body["metadata"]["nodeName"] == "Test node"
        assert body["openRegistrations"] is False


async def test_nodeinfo_counts_local_organisations(client: TestClient, node: Node) -> None:
    async def total() -> int:
        return (await (await client.get("/nodeinfo/2.1")).json())["usage"]["users"]["total"]

    assert await total() == 0
    for handle in ("alderney", "sark"):
        await create_organisation(
            node.uow, node.clock, handle=handle, name=handle.title(), kind="government"
        )
    assert await total() == 2
