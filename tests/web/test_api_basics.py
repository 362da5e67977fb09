"""Health, the OpenAPI document, and the token holder's profile."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp.test_utils import TestClient, TestServer

from storage.db import DatabaseError
from web.app import Node, create_app


async def test_healthz_answers_ok_when_the_database_answers(client: TestClient) -> None:
    response = await client.get("/healthz")
    assert response.status == 200
    assert await response.json() == {"status": "ok"}


async def test_healthz_answers_503_when_the_database_is_gone(
    node: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken() -> None:
        raise DatabaseError("database not reachable: OSError: connection refused")

    monkeypatch.setattr(node.db, "ping", broken)
    async with TestClient(TestServer(create_app(node))) as client:
        response = await client.get("/healthz")
    assert response.status == 503
    assert response.content_type == "application/problem+json"


async def test_openapi_document_lists_every_served_api_route(client: TestClient) -> None:
    document = await (await client.get("/api/v1/openapi.json")).json()
    assert document["openapi"].startswith("3.1")
    served = {
        (route.method.lower(), route.resource.canonical)
        for route in client.app.router.routes()
        if route.resource is not None
        and route.resource.canonical.startswith("/api/")
        and route.method != "HEAD"
    }
    described = {(method, path) for path, item in document["paths"].items() for method in item}
    assert served - described == set()


async def test_profile_update_changes_only_the_given_fields(client: TestClient, token: str) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    response = await client.patch(
        "/api/v1/me", json={"summary": "We run open source."}, headers=auth
    )
    assert response.status == 200
    me = await (await client.get("/api/v1/me", headers=auth)).json()
    assert me["summary"] == "We run open source."
    assert me["name"] == "City of Alderney"
    assert me["acct"] == "alderney@127.0.0.1:8080"


async def test_concurrent_writes_never_fail_with_database_locked(
    client: TestClient, token: str
) -> None:
    """SQLite has one writer: 200 concurrent writes queue up instead of failing."""
    auth = {"Authorization": f"Bearer {token}"}
    responses = await asyncio.gather(
        *(
            client.patch("/api/v1/me", json={"summary": f"revision {i}"}, headers=auth)
            for i in range(200)
        )
    )
    assert [r.status for r in responses] == [200] * 200
