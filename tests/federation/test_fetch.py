"""The fetcher against real loopback servers: documents, headers, signing, redirects, errors."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import pytest
from aiohttp import web

from federation.fetch import FetchBudget, Fetcher, FetchError, FetchResult, FetchTimeouts
from federation.netguard import AddressPolicy

AS = "application/activity+json"
LD_AS = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
NODE = "https://node.example"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Origin:
    """A loopback server whose routes are set once its base URL is known."""

    def __init__(self) -> None:
        self.base = ""
        self.routes: dict[str, Handler] = {}
        self.requests: list[tuple[str, Mapping[str, str]]] = []
        self.app = web.Application()
        self.app.router.add_get("/{tail:.*}", self._dispatch)

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        self.requests.append((request.path_qs, dict(request.headers)))
        handler = self.routes.get(request.path)
        if handler is None:
            raise web.HTTPNotFound()
        return await handler(request)

    def url(self, path: str) -> str:
        return self.base + path

    def serve(self, path: str, body: Any, content_type: str = AS, status: int = 200) -> None:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()

        async def handler(request: web.Request) -> web.StreamResponse:
            return web.Response(body=raw, status=status, headers={"Content-Type": content_type})

        self.routes[path] = handler

    def serve_self(self, path: str, content_type: str = AS) -> None:
        """A document whose id is its own URL."""
        self.serve(path, {"id": self.url(path), "type": "Person"}, content_type)

    def redirect(self, path: str, location: str, status: int = 302) -> None:
        async def handler(request: web.Request) -> web.StreamResponse:
            return web.Response(status=status, headers={"Location": location})

        self.routes[path] = handler


@pytest.fixture
async def origin(aiohttp_server: Any) -> Origin:
    site = Origin()
    server = await aiohttp_server(site.app, host="127.0.0.2")
    site.base = str(server.make_url("")).rstrip("/")
    return site


class RecordingSigner:
    """Stands in for the signature layer: adds one header naming what it signed."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict[str, str], bytes]] = []

    def __call__(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes
    ) -> Mapping[str, str]:
        self.calls.append((method, url, dict(headers), body))
        return {"X-Test-Signature": f"{method} {url}"}


@pytest.fixture
def signer() -> RecordingSigner:
    return RecordingSigner()


@pytest.fixture
async def fetcher(signer: RecordingSigner) -> AsyncIterator[Fetcher]:
    policy = AddressPolicy(allow_private_network=True)
    client = Fetcher(node_url=NODE, policy=policy, signer=signer)
    yield client
    await client.close()


async def test_fetch_activity_returns_document_served_at_its_id(
    fetcher: Fetcher, origin: Origin
) -> None:
    origin.serve_self("/users/alice")
    result = await fetcher.fetch_activity(origin.url("/users/alice"), budget=FetchBudget())
    assert result.url == origin.url("/users/alice")
    assert result.status == 200
    assert result.content_type == AS
    assert result.document == {"id": origin.url("/users/alice"), "type": "Person"}


async def test_fetch_activity_accepts_ld_json_with_activitystreams_profile(
    fetcher: Fetcher, origin: Origin
) -> None:
    origin.serve_self("/notes/1", content_type=LD_AS)
    result = await fetcher.fetch_activity(origin.url("/notes/1"), budget=FetchBudget())
    assert result.content_type == "application/ld+json"


async def test_fetch_sends_user_agent_accept_date_and_signer_headers(
    fetcher: Fetcher, origin: Origin, signer: RecordingSigner
) -> None:
    origin.serve_self("/users/alice")
    await fetcher.fetch_activity(origin.url("/users/alice"), budget=FetchBudget())
    [(_, headers)] = origin.requests
    assert headers["User-Agent"] == f"commonsnode/0.1.0 (+{NODE})"
    assert headers["Accept"].startswith(AS)
    assert headers["X-Test-Signature"] == f"GET {origin.url('/users/alice')}"
    [(method, url, signed, body)] = signer.calls
    assert (method, url, body) == ("GET", origin.url("/users/alice"), b"")
    assert signed["Host"] == origin.base.removeprefix("http://") == headers["Host"]
    # The signer adds and signs Date from the node's clock; a signer that adds none gets one.
    assert "Date" not in signed
    assert headers["Date"]


async def test_each_redirect_hop_is_signed_for_its_own_url(
    fetcher: Fetcher, origin: Origin
) -> None:
    origin.redirect("/@alice", "/users/alice")
    origin.serve_self("/users/alice")
    result = await fetcher.fetch_activity(origin.url("/@alice"), budget=FetchBudget())
    assert result.url == origin.url("/users/alice")
    assert [h["X-Test-Signature"] for _, h in origin.requests] == [
        f"GET {origin.url('/@alice')}",
        f"GET {origin.url('/users/alice')}",
    ]


async def test_fetch_activity_refetches_once_when_id_has_same_origin(
    fetcher: Fetcher, origin: Origin
) -> None:
    origin.serve("/@alice", {"id": origin.url("/users/alice"), "name": "stale copy"})
    origin.serve_self("/users/alice")
    budget = FetchBudget()
    result = await fetcher.fetch_activity(origin.url("/@alice"), budget=budget)
    assert result.url == origin.url("/users/alice")
    assert result.document is not None
    assert "name" not in result.document
    assert [path for path, _ in origin.requests] == ["/@alice", "/users/alice"]
    assert budget.remaining == 18


async def test_fetch_activity_requests_url_without_fragment(
    fetcher: Fetcher, origin: Origin
) -> None:
    origin.serve_self("/users/alice")
    result = await fetcher.fetch_activity(origin.url("/users/alice#main-key"), budget=FetchBudget())
    assert result.url == origin.url("/users/alice")


@pytest.mark.parametrize(
    "content_type",
    [
        "application/jrd+json",
        "application/json",
        'application/json; profile="http://nodeinfo.diaspora.software/ns/schema/2.1#"',
    ],
)
async def test_fetch_jrd_accepts_webfinger_and_nodeinfo_json(
    fetcher: Fetcher, origin: Origin, content_type: str
) -> None:
    origin.serve("/.well-known/webfinger", {"subject": "acct:alice@example"}, content_type)
    result = await fetcher.fetch_jrd(origin.url("/.well-known/webfinger"), budget=FetchBudget())
    assert result.document == {"subject": "acct:alice@example"}
    assert origin.requests[0][1]["Accept"] == "application/jrd+json, application/json"


async def test_fetch_xrd_returns_raw_bytes(fetcher: Fetcher, origin: Origin) -> None:
    xrd = b'<?xml version="1.0"?><XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0"/>'
    origin.serve("/.well-known/host-meta", xrd, "application/xrd+xml")
    result = await fetcher.fetch_xrd(origin.url("/.well-known/host-meta"), budget=FetchBudget())
    assert result.body == xrd
    assert result.document is None


@pytest.mark.parametrize("status", [404, 410, 500])
async def test_error_status_raises_fetch_error_carrying_the_status(
    fetcher: Fetcher, origin: Origin, status: int
) -> None:
    origin.serve("/gone", {"error": "x"}, status=status)
    with pytest.raises(FetchError) as caught:
        await fetcher.fetch_activity(origin.url("/gone"), budget=FetchBudget())
    assert (caught.value.reason, caught.value.status) == ("http_status", status)
    assert caught.value.url == origin.url("/gone")
    assert caught.value.transient is (status == 500)  # 404/410: asking again will not help


@pytest.mark.parametrize(
    ("reason", "status", "transient"),
    [
        ("timeout", None, True),
        ("connection_failed", None, True),
        ("http_status", 429, True),
        ("http_status", 408, True),
        ("http_status", 503, True),
        ("http_status", 404, False),
        ("http_status", 410, False),
        ("blocked_address", None, False),
        ("id_mismatch", None, False),
        ("invalid_json", None, False),
        ("too_many_redirects", None, False),
    ],
)
def test_only_network_and_server_trouble_is_transient(
    reason: Any, status: int | None, transient: bool
) -> None:
    assert FetchError("https://x.example/a", reason, status=status).transient is transient


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'"text"', b"[" * 100_000])
async def test_body_that_is_not_a_json_object_is_invalid_json(
    fetcher: Fetcher, origin: Origin, body: bytes
) -> None:
    origin.serve("/bad", body)
    with pytest.raises(FetchError) as caught:
        await fetcher.fetch_activity(origin.url("/bad"), budget=FetchBudget())
    assert caught.value.reason == "invalid_json"


@pytest.mark.parametrize("document", [{"type": "Note"}, {"id": 7}, {"id": "/relative"}])
async def test_activity_without_absolute_id_is_refused(
    fetcher: Fetcher, origin: Origin, document: dict[str, Any]
) -> None:
    origin.serve("/anon", document)
    with pytest.raises(FetchError) as caught:
        await fetcher.fetch_activity(origin.url("/anon"), budget=FetchBudget())
    assert caught.value.reason == "missing_id"


async def test_refused_connection_becomes_fetch_error(fetcher: Fetcher) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.2", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError) as caught:
        await fetcher.fetch_activity(f"http://127.0.0.2:{port}/x", budget=FetchBudget())
    assert caught.value.reason == "connection_failed"
    assert caught.value.transient


async def test_server_that_never_answers_times_out_on_read(origin: Origin) -> None:
    never = asyncio.Event()

    async def silent(request: web.Request) -> web.StreamResponse:
        await never.wait()
        raise AssertionError("unreachable")

    origin.routes["/silent"] = silent
    timeouts = FetchTimeouts(connect=1.0, read=0.2, total=5.0)
    client = Fetcher(
        node_url=NODE, policy=AddressPolicy(allow_private_network=True), timeouts=timeouts
    )
    try:
        with pytest.raises(FetchError) as caught:
            await client.fetch_activity(origin.url("/silent"), budget=FetchBudget())
    finally:
        await client.close()
    assert caught.value.reason == "timeout"


async def test_fetches_to_one_host_share_a_pooled_connection(
    fetcher: Fetcher, origin: Origin
) -> None:
    peers: list[object] = []

    async def doc(request: web.Request) -> web.StreamResponse:
        assert request.transport is not None
        peers.append(request.transport.get_extra_info("peername"))
        return web.Response(body=json.dumps({"id": str(request.url)}), content_type=AS)

    origin.routes["/a"] = origin.routes["/b"] = doc
    await fetcher.fetch_activity(origin.url("/a"), budget=FetchBudget())
    await fetcher.fetch_activity(origin.url("/b"), budget=FetchBudget())
    assert len(peers) == 2
    assert peers[0] == peers[1]


def test_fetch_result_is_frozen() -> None:
    result = FetchResult("https://a.example/x", 200, AS, {"id": "https://a.example/x"}, b"{}")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.url = "https://b.example/x"  # type: ignore[misc]
