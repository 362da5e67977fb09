"""Every API error is RFC 9457 problem+json: 404, 405, 413, 415, 422, 401 and 500."""

from __future__ import annotations

import io
import json
import logging

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from web.app import Node, create_app

PROBLEM = "application/problem+json"


async def _problem(response: object, status: int) -> dict[str, object]:
    assert response.status == status  # type: ignore[attr-defined]
    assert response.content_type == PROBLEM  # type: ignore[attr-defined]
    body = await response.json(content_type=PROBLEM)  # type: ignore[attr-defined]
    assert body["status"] == status
    assert body["title"]
    assert body["request_id"] == response.headers["X-Request-Id"]  # type: ignore[attr-defined]
    return body


async def test_unknown_path_is_a_404_problem(client: TestClient) -> None:
    body = await _problem(await client.get("/api/v1/nothing-here"), 404)
    assert body["instance"] == "/api/v1/nothing-here"


async def test_wrong_method_is_a_405_problem_with_allow(client: TestClient) -> None:
    response = await client.delete("/healthz")
    await _problem(response, 405)
    assert "GET" in response.headers["Allow"]


async def test_body_over_one_mebibyte_is_refused_with_413(client: TestClient, token: str) -> None:
    response = await client.patch(
        "/api/v1/me",
        data=io.BytesIO(b"{" + b" " * (1024 * 1024) + b"}"),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    await _problem(response, 413)


async def test_chunked_body_over_the_limit_is_refused_with_413(
    client: TestClient, token: str
) -> None:
    """No Content-Length to check up front: the limit applies while reading."""

    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(20):
            yield b" " * 65536
        yield b"{}"

    response = await client.patch(
        "/api/v1/me",
        data=chunks(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    await _problem(response, 413)


async def test_invalid_field_is_a_422_naming_the_field(client: TestClient, token: str) -> None:
    response = await client.patch(
        "/api/v1/me", json={"name": 42}, headers={"Authorization": f"Bearer {token}"}
    )
    body = await _problem(response, 422)
    assert body["errors"] == [{"field": "name", "detail": "name: must be a string"}]


async def test_malformed_json_is_a_422(client: TestClient, token: str) -> None:
    response = await client.patch(
        "/api/v1/me",
        data=b"{not json",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    body = await _problem(response, 422)
    assert "not valid JSON" in str(body["detail"])


async def test_wrong_media_type_is_a_415(client: TestClient, token: str) -> None:
    response = await client.patch(
        "/api/v1/me",
        data=b"name=x",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "text/plain"},
    )
    await _problem(response, 415)


async def test_missing_token_is_a_401_with_a_challenge(client: TestClient) -> None:
    response = await client.get("/api/v1/me")
    await _problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


async def test_unknown_token_is_a_401(client: TestClient) -> None:
    response = await client.get("/api/v1/me", headers={"Authorization": "Bearer cn_nope"})
    await _problem(response, 401)


async def test_unexpected_error_is_a_500_without_internals(
    node: Node, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(node)

    async def explode(request: web.Request) -> web.Response:
        raise RuntimeError("secret connection string postgres://u:p@db")

    app.router.add_get("/explode", explode)
    async with TestClient(TestServer(app)) as client:
        with caplog.at_level(logging.ERROR):
            response = await client.get("/explode")
        body = await _problem(response, 500)
    assert "secret" not in json.dumps(body)
    assert any("secret" in (r.exc_text or "") for r in caplog.records)  # logged for the operator


async def test_a_safe_incoming_request_id_is_kept(client: TestClient) -> None:
    response = await client.get("/healthz", headers={"X-Request-Id": "trace-1234abcd"})
    assert response.headers["X-Request-Id"] == "trace-1234abcd"
    response = await client.get("/healthz", headers={"X-Request-Id": "bad id; with <spaces>"})
    assert response.headers["X-Request-Id"] != "bad id; with <spaces>"
