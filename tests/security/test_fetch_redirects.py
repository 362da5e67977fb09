"""Redirect abuse: long chains, loops, downgrades, odd schemes and hops into private networks."""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from ipaddress import ip_address
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from federation.fetch import FetchBudget, Fetcher, FetchError
from federation.netguard import AddressPolicy

AS = "application/activity+json"
NODE = "https://node.example"
PUBLIC_IP = "93.184.215.14"
LOCAL_DEMO = AddressPolicy(allow_private_network=True)
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

    def redirect(self, path: str, location: str, status: int = 302) -> None:
        async def handler(request: web.Request) -> web.StreamResponse:
            headers = {"Location": location} if location else {}
            return web.Response(status=status, headers=headers)

        self.routes[path] = handler

    def serve_self(self, path: str, base: str | None = None) -> None:
        async def handler(request: web.Request) -> web.StreamResponse:
            body = json.dumps({"id": (base or self.base) + path})
            return web.Response(body=body, content_type=AS)

        self.routes[path] = handler


def make_tls(directory: Path, *names: str) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A self-signed certificate for DNS names and IPs: (server context, client context)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    alt: list[x509.GeneralName] = []
    for name in names:
        try:
            alt.append(x509.IPAddress(ip_address(name)))
        except ValueError:
            alt.append(x509.DNSName(name))
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName(alt), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_path, key_path)
    return server, ssl.create_default_context(cafile=str(cert_path))


class FakeDNS(AbstractResolver):
    """Fixed answers per host name, recording lookups."""

    def __init__(self, answers: dict[str, str]) -> None:
        self.answers = answers
        self.lookups: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.lookups.append(host)
        a = self.answers[host]
        kind = socket.AF_INET6 if ":" in a else socket.AF_INET
        return [ResolveResult(hostname=host, host=a, port=port, family=kind, proto=0, flags=0)]

    async def close(self) -> None:
        pass


@pytest.fixture
async def origin(aiohttp_server: Any) -> Origin:
    site = Origin()
    server = await aiohttp_server(site.app, host="127.0.0.2")
    site.base = str(server.make_url("")).rstrip("/")
    return site


@pytest.fixture
async def plain(aiohttp_server: Any) -> Origin:
    """A plain-http server on 127.0.0.3: the downgrade target."""
    site = Origin()
    server = await aiohttp_server(site.app, host="127.0.0.3")
    site.base = str(server.make_url("")).rstrip("/")
    return site


@pytest.fixture
async def tls_origin(aiohttp_server: Any, tmp_path: Path) -> tuple[Origin, ssl.SSLContext]:
    """An https server on 127.0.0.2 (also answering as public.example) and a context trusting it."""
    server_tls, client_tls = make_tls(tmp_path, "127.0.0.2", "public.example")
    site = Origin()
    server = await aiohttp_server(site.app, host="127.0.0.2", ssl=server_tls)
    site.base = str(server.make_url("")).rstrip("/")
    return site, client_tls


@pytest.fixture
async def connects(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Records every TCP connect on the loop; `reroute` sends a fake public IP to loopback."""
    loop = asyncio.get_running_loop()
    original = loop.sock_connect
    state: dict[str, Any] = {"seen": [], "reroute": {}}

    async def spy(sock: socket.socket, address: Any) -> None:
        state["seen"].append(address[0])
        await original(sock, state["reroute"].get((address[0], address[1]), address))

    monkeypatch.setattr(loop, "sock_connect", spy)
    return state


async def _refused(fetcher: Fetcher, url: str) -> FetchError:
    try:
        with pytest.raises(FetchError) as caught:
            await fetcher.fetch_activity(url, budget=FetchBudget())
    finally:
        await fetcher.close()
    return caught.value


async def test_chain_longer_than_three_redirects_stops(origin: Origin) -> None:
    """Redirect chain used to tie up the fetcher or walk it somewhere unexpected."""
    for hop in range(4):
        origin.redirect(f"/{hop}", f"/{hop + 1}")
    origin.serve_self("/4")
    error = await _refused(Fetcher(node_url=NODE, policy=LOCAL_DEMO), origin.url("/0"))
    assert error.reason == "too_many_redirects"
    assert origin.paths == ["/0", "/1", "/2", "/3"]


async def test_chain_of_three_redirects_is_followed(origin: Origin) -> None:
    """Control for the limit: three hops are allowed."""
    for hop in range(3):
        origin.redirect(f"/{hop}", f"/{hop + 1}", status=301 + hop)
    origin.serve_self("/3")
    fetcher = Fetcher(node_url=NODE, policy=LOCAL_DEMO)
    try:
        result = await fetcher.fetch_activity(origin.url("/0"), budget=FetchBudget())
    finally:
        await fetcher.close()
    assert result.url == origin.url("/3")


@pytest.mark.parametrize(("chain", "requested"), [(["/a"], ["/a"]), (["/a", "/b"], ["/a", "/b"])])
async def test_redirect_loop_stops_at_first_repeat(
    origin: Origin, chain: list[str], requested: list[str]
) -> None:
    """Redirect loop (A→A, A→B→A) meant to spin the fetcher."""
    for here, there in zip(chain, chain[1:] + chain[:1], strict=True):
        origin.redirect(here, there)
    error = await _refused(Fetcher(node_url=NODE, policy=LOCAL_DEMO), origin.url(chain[0]))
    assert error.reason == "redirect_loop"
    assert origin.paths == requested


async def test_https_to_http_downgrade_is_refused_even_in_local_demo_mode(
    tls_origin: tuple[Origin, ssl.SSLContext], plain: Origin
) -> None:
    """Downgrade: an https document redirects to plain http, readable and forgeable on the path."""
    secure, client_tls = tls_origin
    secure.redirect("/users/alice", plain.url("/users/alice"))
    plain.serve_self("/users/alice")
    fetcher = Fetcher(node_url=NODE, policy=LOCAL_DEMO, ssl_context=client_tls)
    error = await _refused(fetcher, secure.url("/users/alice"))
    assert error.reason == "redirect_downgrade"
    assert secure.paths == ["/users/alice"]
    assert plain.paths == []


async def test_http_to_https_to_http_chain_is_refused_at_the_downgrade(
    tls_origin: tuple[Origin, ssl.SSLContext], plain: Origin
) -> None:
    """http→https→http: an upgrade does not license a later downgrade."""
    secure, client_tls = tls_origin
    plain.redirect("/start", secure.url("/hop"))
    secure.redirect("/hop", plain.url("/final"))
    plain.serve_self("/final")
    fetcher = Fetcher(node_url=NODE, policy=LOCAL_DEMO, ssl_context=client_tls)
    error = await _refused(fetcher, plain.url("/start"))
    assert error.reason == "redirect_downgrade"
    assert (plain.paths, secure.paths) == (["/start"], ["/hop"])


@pytest.mark.parametrize(
    "location",
    ["file:///etc/passwd", "data:application/activity+json,{}", "gopher://127.0.0.1:6379/_x"],
)
async def test_redirect_to_non_http_scheme_is_refused(
    origin: Origin, location: str, connects: dict[str, Any]
) -> None:
    """Scheme smuggling through a redirect Location."""
    origin.redirect("/x", location)
    error = await _refused(Fetcher(node_url=NODE, policy=LOCAL_DEMO), origin.url("/x"))
    assert error.reason == "scheme_refused"
    assert origin.paths == ["/x"]
    assert connects["seen"] == ["127.0.0.2"]


@pytest.mark.parametrize(
    ("location", "looked_up"),
    [
        ("https://169.254.169.254/latest/meta-data", []),
        ("https://[::ffff:10.0.0.5]/admin", []),
        ("https://internal.example/admin", ["internal.example"]),
    ],
)
async def test_redirect_from_public_host_into_private_network_is_refused(
    tls_origin: tuple[Origin, ssl.SSLContext],
    connects: dict[str, Any],
    location: str,
    looked_up: list[str],
) -> None:
    """SSRF through a redirect hop: a public server bounces the fetch to an internal address."""
    secure, client_tls = tls_origin
    port = int(secure.base.rsplit(":", 1)[1])
    connects["reroute"][(PUBLIC_IP, port)] = ("127.0.0.2", port)
    secure.redirect("/objects/1", location)
    dns = FakeDNS({"public.example": PUBLIC_IP, "internal.example": "10.0.0.5"})
    fetcher = Fetcher(node_url=NODE, resolver=dns, ssl_context=client_tls)
    error = await _refused(fetcher, f"https://public.example:{port}/objects/1")
    assert error.reason == "blocked_address"
    assert secure.paths == ["/objects/1"]
    assert dns.lookups == ["public.example", *looked_up]
    assert connects["seen"] == [PUBLIC_IP]


@pytest.mark.parametrize("location", ["", "//u:p@h/x"])
async def test_redirect_without_location_or_with_credentials_is_refused(
    origin: Origin, location: str
) -> None:
    """A redirect with no Location, or one carrying credentials."""
    origin.redirect("/x", location)
    error = await _refused(Fetcher(node_url=NODE, policy=LOCAL_DEMO), origin.url("/x"))
    assert error.reason == "invalid_url"
    assert origin.paths == ["/x"]
