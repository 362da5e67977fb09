"""Resource exhaustion by response body: huge, endless, compressed or dripped slowly."""

from __future__ import annotations

import asyncio
import gzip
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web

from federation.fetch import MAX_BODY_BYTES, FetchBudget, Fetcher, FetchError, FetchTimeouts
from federation.netguard import AddressPolicy

AS = "application/activity+json"
XRD = "application/xrd+xml"
LOCAL_DEMO = AddressPolicy(allow_private_network=True)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Origin:
    """A loopback server; routes are set once its URL is known."""

    def __init__(self) -> None:
        self.base = ""
        self.routes: dict[str, Handler] = {}
        self.app = web.Application()
        self.app.router.add_get("/{tail:.*}", self._dispatch)

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        return await self.routes[request.path](request)

    def url(self, path: str) -> str:
        return self.base + path


@pytest.fixture
async def origin(aiohttp_server: Any) -> Origin:
    site = Origin()
    server = await aiohttp_server(site.app, host="127.0.0.2")
    site.base = str(server.make_url("")).rstrip("/")
    return site


@pytest.fixture
async def stop_servers() -> AsyncIterator[asyncio.Event]:
    """Released at teardown so stalled handlers end."""
    event = asyncio.Event()
    yield event
    event.set()


def chunked(body: bytes, content_type: str = XRD, piece: int = 16 * 1024) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": content_type})
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        for start in range(0, len(body), piece):
            await resp.write(body[start : start + piece])
        await resp.write_eof()
        return resp

    return handler


def sized(body: bytes, content_type: str = XRD) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(body=body, headers={"Content-Type": content_type})

    return handler


async def _fetch_xrd(origin: Origin, path: str, **kwargs: Any) -> bytes:
    fetcher = Fetcher(node_url="https://node.example", policy=LOCAL_DEMO, **kwargs)
    try:
        result = await fetcher.fetch_xrd(origin.url(path), budget=FetchBudget())
    finally:
        await fetcher.close()
    return result.body


async def _refused(origin: Origin, path: str, **kwargs: Any) -> FetchError:
    with pytest.raises(FetchError) as caught:
        await _fetch_xrd(origin, path, **kwargs)
    return caught.value


@pytest.mark.parametrize("framing", [chunked, sized])
async def test_body_at_the_cap_is_accepted(origin: Origin, framing: Callable[..., Handler]) -> None:
    """Control for the cap: exactly `max_body_bytes` passes, whatever the framing."""
    origin.routes["/x"] = framing(b"<" * 1024)
    assert len(await _fetch_xrd(origin, "/x", max_body_bytes=1024)) == 1024


@pytest.mark.parametrize("framing", [chunked, sized])
async def test_body_one_byte_over_the_cap_is_refused(
    origin: Origin, framing: Callable[..., Handler]
) -> None:
    """Oversized body (Content-Length or chunked) just past the cap."""
    origin.routes["/x"] = framing(b"<" * 1025)
    error = await _refused(origin, "/x", max_body_bytes=1024)
    assert error.reason == "too_large"


async def test_default_cap_is_one_mebibyte(origin: Origin) -> None:
    """A chunked body of 1 MiB + 1 byte under the default settings."""
    origin.routes["/ok"] = chunked(b"<" * MAX_BODY_BYTES)
    origin.routes["/big"] = chunked(b"<" * (MAX_BODY_BYTES + 1))
    assert MAX_BODY_BYTES == 1024 * 1024
    assert len(await _fetch_xrd(origin, "/ok")) == MAX_BODY_BYTES
    assert (await _refused(origin, "/big")).reason == "too_large"


async def test_declared_length_over_the_cap_is_refused_before_reading(origin: Origin) -> None:
    """A Content-Length announcing a body too large to be worth reading."""
    origin.routes["/x"] = sized(b"<" * (2 * 1024 * 1024))
    error = await _refused(origin, "/x")
    assert (error.reason, error.detail) == ("too_large", "declared 2097152 bytes")


async def test_endless_chunked_body_is_cut_at_the_cap(origin: Origin) -> None:
    """An endless chunked body meant to exhaust memory; the server stops when we hang up."""

    async def endless(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": XRD})
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        while True:
            await resp.write(b"<" * 65536)

    origin.routes["/x"] = endless
    error = await _refused(origin, "/x", timeouts=FetchTimeouts(total=10.0))
    assert error.reason == "too_large"


async def test_understated_content_length_reads_only_the_declared_bytes(origin: Origin) -> None:
    """A Content-Length lie: a small declared length followed by 4 MiB more on the socket."""
    document = json.dumps({"links": []}).encode()

    async def liar(request: web.Request) -> web.StreamResponse:
        headers = {"Content-Type": XRD, "Content-Length": str(len(document))}
        resp = web.StreamResponse(headers=headers)
        await resp.prepare(request)
        await resp.write(document)
        assert request.transport is not None
        request.transport.write(b"<" * (4 * MAX_BODY_BYTES))  # past aiohttp's own framing
        return resp

    origin.routes["/x"] = liar
    # aiohttp stops at the declared length; if the extra bytes arrive in the same read it
    # rejects them as a malformed next response. Either way nothing past the declared length.
    outcome: bytes | str
    try:
        outcome = await _fetch_xrd(origin, "/x")
    except FetchError as error:
        outcome = error.reason
    assert outcome in (document, "connection_failed")


async def test_gzip_bomb_is_cut_at_the_cap(origin: Origin) -> None:
    """Compression bomb: a few KiB of gzip that inflate to 64 MiB."""
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)

    async def handler(request: web.Request) -> web.StreamResponse:
        headers = {"Content-Type": XRD, "Content-Encoding": "gzip"}
        return web.Response(body=bomb, headers=headers)

    origin.routes["/x"] = handler
    assert len(bomb) < MAX_BODY_BYTES
    assert (await _refused(origin, "/x")).reason == "too_large"


async def test_slowloris_body_is_stopped_by_the_total_deadline(origin: Origin) -> None:
    """Slowloris: each byte arrives within the read timeout, the whole never ends."""

    async def drip(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": AS})
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        while True:
            await resp.write(b" ")
            await asyncio.sleep(0.01)  # the slow server; the test itself never sleeps

    origin.routes["/x"] = drip
    timeouts = FetchTimeouts(connect=1.0, read=5.0, total=0.3)
    fetcher = Fetcher(node_url="https://node.example", policy=LOCAL_DEMO, timeouts=timeouts)
    try:
        with pytest.raises(FetchError) as caught:
            await fetcher.fetch_activity(origin.url("/x"), budget=FetchBudget())
    finally:
        await fetcher.close()
    assert (caught.value.reason, caught.value.detail) == ("timeout", "total deadline")


async def test_body_that_stalls_midway_is_stopped_by_the_read_timeout(
    origin: Origin, stop_servers: asyncio.Event
) -> None:
    """A response that sends headers and half a document, then holds the connection open."""

    async def stall(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": XRD, "Content-Length": "100"})
        await resp.prepare(request)
        await resp.write(b"<" * 50)
        await stop_servers.wait()
        return resp

    origin.routes["/x"] = stall
    error = await _refused(origin, "/x", timeouts=FetchTimeouts(connect=1.0, read=0.2, total=10))
    assert error.reason == "timeout"
    assert error.detail != "total deadline"


async def test_body_shorter_than_declared_is_not_accepted(origin: Origin) -> None:
    """A truncated document passed off as whole by closing the connection early."""

    async def truncated(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": XRD, "Content-Length": "100"})
        await resp.prepare(request)
        await resp.write(b"<" * 50)
        assert request.transport is not None
        request.transport.close()
        return resp

    origin.routes["/x"] = truncated
    assert (await _refused(origin, "/x")).reason == "connection_failed"
