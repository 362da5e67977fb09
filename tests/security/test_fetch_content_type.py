"""Document spoofing: a fetched body is an AS2 document only by content type and by its own id."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web

from federation.fetch import FetchBudget, Fetcher, FetchError
from federation.netguard import AddressPolicy

AS = "application/activity+json"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Origin:
    """A loopback server recording request paths; routes are set once its URL is known."""

    def __init__(self) -> None:
        self.base = ""
        self.routes: dict[str, Handler] = {}
        self.paths: list[str] = []
        self.app = web.Application()
        self.app.router.add_get("/{tail:.*}", self._dispatch)

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        self.paths.append(request.path)
        handler = self.routes.get(request.path)
        if handler is None:
            raise web.HTTPNotFound()
        return await handler(request)

    def url(self, path: str) -> str:
        return self.base + path

    def serve(self, path: str, document: dict[str, Any], content_type: str = AS) -> None:
        async def handler(request: web.Request) -> web.StreamResponse:
            headers = {"Content-Type": content_type} if content_type else {}
            return web.Response(body=json.dumps(document).encode(), headers=headers)

        self.routes[path] = handler


async def _start(aiohttp_server: Any, host: str) -> Origin:
    site = Origin()
    server = await aiohttp_server(site.app, host=host)
    site.base = str(server.make_url("")).rstrip("/")
    return site


@pytest.fixture
async def origin(aiohttp_server: Any) -> Origin:
    return await _start(aiohttp_server, "127.0.0.2")


@pytest.fixture
async def other(aiohttp_server: Any) -> Origin:
    return await _start(aiohttp_server, "127.0.0.3")


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    client = Fetcher(
        node_url="https://node.example", policy=AddressPolicy(allow_private_network=True)
    )
    yield client
    await client.close()


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "text/html; charset=utf-8",
        "image/png",
        "text/plain",
        "application/activity+jsonx",
        "application/ld+json",
        'application/ld+json; profile="https://example.org/not-activitystreams"',
        "",
    ],
)
async def test_activity_served_with_non_activitystreams_type_is_refused(
    fetcher: Fetcher, origin: Origin, content_type: str
) -> None:
    """An uploaded file or HTML page holding AS2 JSON passed off as an actor or object."""
    origin.serve("/media/x", {"id": origin.url("/media/x"), "type": "Person"}, content_type)
    with pytest.raises(FetchError) as caught:
        await fetcher.fetch_activity(origin.url("/media/x"), budget=FetchBudget())
    assert caught.value.reason == "content_type"


@pytest.mark.parametrize(
    "content_type",
    [
        "application/activity+json; charset=utf-8",
        "Application/Activity+JSON",
        'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
        'application/ld+json;profile="https://example.org/x https://www.w3.org/ns/activitystreams"',
    ],
)
async def test_activitystreams_types_with_parameters_are_accepted(
    fetcher: Fetcher, origin: Origin, content_type: str
) -> None:
    """Control for the refusals above: the two AS2 media types, in their legitimate variants."""
    origin.serve("/notes/1", {"id": origin.url("/notes/1")}, content_type)
    result = await fetcher.fetch_activity(origin.url("/notes/1"), budget=FetchBudget())
    assert result.document == {"id": origin.url("/notes/1")}


async def test_webfinger_served_as_html_is_refused(fetcher: Fetcher, origin: Origin) -> None:
    """A WebFinger endpoint answered by an HTML page (login wall, captive portal)."""
    origin.serve("/.well-known/webfinger", {"subject": "acct:a@b"}, "text/html")
    with pytest.raises(FetchError) as caught:
        await fetcher.fetch_jrd(origin.url("/.well-known/webfinger"), budget=FetchBudget())
    assert caught.value.reason == "content_type"


async def test_host_meta_served_as_json_is_refused(fetcher: Fetcher, origin: Origin) -> None:
    """A host-meta answer that is not XRD."""
    origin.serve("/.well-known/host-meta", {"links": []}, "application/json")
    with pytest.raises(FetchError) as caught:
        await fetcher.fetch_xrd(origin.url("/.well-known/host-meta"), budget=FetchBudget())
    assert caught.value.reason == "content_type"


async def test_document_claiming_an_id_on_another_origin_is_refused_without_fetching_it(
    fetcher: Fetcher, origin: Origin, other: Origin
) -> None:
    """Impersonation: host A serves a document claiming to be B's actor."""
    other.serve("/users/victim", {"id": other.url("/users/victim")})
    origin.serve("/users/evil", {"id": other.url("/users/victim"), "name": "forged"})
    with pytest.raises(FetchError) as caught:
        await fetcher.fetch_activity(origin.url("/users/evil"), budget=FetchBudget())
    assert caught.value.reason == "id_mismatch"
    assert other.paths == []


async def test_same_origin_refetch_that_names_yet_another_id_is_refused(
    fetcher: Fetcher, origin: Origin
) -> None:
    """An id chain on one host, used to make the fetcher walk (or accept a forged id)."""
    origin.serve("/a", {"id": origin.url("/b")})
    origin.serve("/b", {"id": origin.url("/c")})
    origin.serve("/c", {"id": origin.url("/c")})
    with pytest.raises(FetchError) as caught:
        await fetcher.fetch_activity(origin.url("/a"), budget=FetchBudget())
    assert caught.value.reason == "id_mismatch"
    assert origin.paths == ["/a", "/b"]


async def test_same_origin_refetch_redirected_elsewhere_is_refused(
    fetcher: Fetcher, origin: Origin, other: Origin
) -> None:
    """A refetch by id that redirects to another host serving a self-consistent document."""
    other.serve("/users/victim", {"id": other.url("/users/victim")})
    origin.serve("/@evil", {"id": origin.url("/users/evil")})

    async def bounce(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(other.url("/users/victim"))

    origin.routes["/users/evil"] = bounce
    with pytest.raises(FetchError) as caught:
        await fetcher.fetch_activity(origin.url("/@evil"), budget=FetchBudget())
    assert caught.value.reason == "id_mismatch"
