"""SSRF: a remote party makes the node fetch from its own network (loopback, private, metadata)."""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from federation.fetch import FetchBudget, Fetcher, FetchError, FetchResult
from federation.netguard import AddressPolicy, parse_cidrs

NODE = "https://node.example"
PUBLIC_IP = "93.184.215.14"
STRICT = AddressPolicy()

# One address per attack target of the security checklist, plus the rest of the IANA table.
SPECIAL_ADDRESSES = [
    "127.0.0.1",
    "127.255.255.254",
    "0.0.0.0",
    "10.0.0.1",
    "172.16.0.1",
    "192.168.0.1",
    "169.254.169.254",
    "100.64.0.1",
    "100.100.100.200",
    "198.18.0.1",
    "192.0.0.170",
    "192.0.2.1",
    "198.51.100.1",
    "203.0.113.1",
    "192.88.99.1",
    "224.0.0.1",
    "240.0.0.1",
    "255.255.255.255",
    "::1",
    "::",
    "fc00::1",
    "fd12:3456::1",
    "fe80::1",
    "fec0::1",
    "ff02::1",
    "64:ff9b::7f00:1",
    "64:ff9b:1::a9fe:a9fe",
    "2001::7f00:1",
    "2002:7f00:1::1",
    "::ffff:127.0.0.1",
    "::ffff:169.254.169.254",
    "::7f00:1",
    "100::1",
    "2001:20::1",
    "2001:2::1",
    "2001:db8::1",
    "3fff::1",
]


def _literal(address: str) -> str:
    return f"[{address}]" if ":" in address else address


class FakeDNS(AbstractResolver):
    """Answers from a script: each lookup of a host takes the next answer, the last one repeats."""

    def __init__(self, answers: dict[str, list[list[str]]]) -> None:
        self.answers = answers
        self.lookups: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.lookups.append(host)
        script = self.answers[host]
        addresses = script.pop(0) if len(script) > 1 else script[0]
        return [
            ResolveResult(
                hostname=host,
                host=a,
                port=port,
                family=socket.AF_INET6 if ":" in a else socket.AF_INET,
                proto=0,
                flags=0,
            )
            for a in addresses
        ]

    async def close(self) -> None:
        pass


@pytest.fixture
async def connects(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Records every TCP connect on the loop; `reroute` sends a fake public IP to loopback."""
    loop = asyncio.get_running_loop()
    original = loop.sock_connect
    state: dict[str, Any] = {"seen": [], "reroute": {}}

    async def spy(sock: socket.socket, address: Any) -> None:
        state["seen"].append(address[0])
        target = state["reroute"].get((address[0], address[1]), address)
        await original(sock, target)

    monkeypatch.setattr(loop, "sock_connect", spy)
    return state


def make_tls(directory: Path, *names: str) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A self-signed certificate for `names`: (server context, client context trusting it)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), False)
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


class Counter:
    """A server that only counts: any request reaching it is the side effect under test."""

    def __init__(self) -> None:
        self.hits = 0
        self.app = web.Application()
        self.app.router.add_get("/{tail:.*}", self._handle)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.hits += 1
        return web.json_response({"id": str(request.url)}, content_type="application/activity+json")


@pytest.fixture
async def internal(aiohttp_server: Any) -> tuple[Counter, int]:
    """An internal service on 127.0.0.3 that must never be reached."""
    counter = Counter()
    server = await aiohttp_server(counter.app, host="127.0.0.3")
    return counter, server.port


Fetch = Callable[[Fetcher, str], Awaitable[FetchResult]]
ENTRY_POINTS: dict[str, Fetch] = {
    "actor": lambda f, url: f.fetch_activity(url, budget=FetchBudget()),
    "webfinger": lambda f, url: f.fetch_jrd(url + "/.well-known/webfinger", budget=FetchBudget()),
    "host-meta": lambda f, url: f.fetch_xrd(url + "/.well-known/host-meta", budget=FetchBudget()),
}


async def _refused(fetch: Awaitable[FetchResult]) -> FetchError:
    with pytest.raises(FetchError) as caught:
        await fetch
    return caught.value


async def test_loopback_literal_is_refused_and_server_sees_no_request(
    internal: tuple[Counter, int], connects: dict[str, Any]
) -> None:
    """SSRF to a service on loopback by naming its IP in an actor URL."""
    counter, port = internal
    fetcher = Fetcher(node_url=NODE)
    try:
        error = await _refused(
            fetcher.fetch_activity(f"https://127.0.0.3:{port}/admin", budget=FetchBudget())
        )
        plain = await _refused(
            fetcher.fetch_activity(f"http://127.0.0.3:{port}/admin", budget=FetchBudget())
        )
    finally:
        await fetcher.close()
    assert (error.reason, plain.reason) == ("blocked_address", "scheme_refused")
    assert counter.hits == 0
    assert connects["seen"] == []


async def test_localhost_name_is_refused_via_the_system_resolver(
    aiohttp_server: Any, connects: dict[str, Any]
) -> None:
    """SSRF through a host name that resolves to loopback (`localhost`)."""
    counter = Counter()
    server = await aiohttp_server(counter.app, host="127.0.0.1")
    fetcher = Fetcher(node_url=NODE)
    try:
        url = f"https://localhost:{server.port}/admin"
        error = await _refused(fetcher.fetch_activity(url, budget=FetchBudget()))
    finally:
        await fetcher.close()
    assert error.reason == "blocked_address"
    assert counter.hits == 0
    assert connects["seen"] == []


@pytest.mark.parametrize("entry", ENTRY_POINTS)
@pytest.mark.parametrize("address", SPECIAL_ADDRESSES)
async def test_dns_answer_in_special_range_is_refused_before_connecting(
    address: str, entry: str, connects: dict[str, Any]
) -> None:
    """SSRF through a public-looking host whose DNS answer is internal or special-purpose."""
    dns = FakeDNS({"victim.example": [[address]]})
    fetcher = Fetcher(node_url=NODE, resolver=dns)
    try:
        error = await _refused(ENTRY_POINTS[entry](fetcher, "https://victim.example"))
    finally:
        await fetcher.close()
    assert error.reason == "blocked_address"
    assert dns.lookups == ["victim.example"]
    assert connects["seen"] == []


@pytest.mark.parametrize("address", SPECIAL_ADDRESSES)
async def test_ip_literal_in_special_range_is_refused_before_connecting(
    address: str, connects: dict[str, Any]
) -> None:
    """SSRF by an IP literal, which aiohttp connects to without asking any resolver."""
    dns = FakeDNS({})
    fetcher = Fetcher(node_url=NODE, resolver=dns)
    try:
        url = f"https://{_literal(address)}/latest/meta-data"
        error = await _refused(fetcher.fetch_activity(url, budget=FetchBudget()))
    finally:
        await fetcher.close()
    assert error.reason == "blocked_address"
    assert dns.lookups == []
    assert connects["seen"] == []


async def test_dns_rebinding_to_internal_address_is_refused(
    tmp_path: Path, aiohttp_server: Any, connects: dict[str, Any]
) -> None:
    """DNS rebinding: the host answers a public IP first, then flips to an internal one."""
    server_tls, client_tls = make_tls(tmp_path, "rebind.example")

    async def public_face(request: web.Request) -> web.StreamResponse:
        headers = {"Connection": "close"}  # the next fetch must open (and resolve) afresh
        body = {"id": str(request.url.with_scheme("https"))}
        return web.json_response(body, content_type="application/activity+json", headers=headers)

    app = web.Application()
    app.router.add_get("/{tail:.*}", public_face)
    attacker = await aiohttp_server(app, host="127.0.0.2", ssl=server_tls)
    internal = Counter()
    await aiohttp_server(internal.app, host="127.0.0.3", port=attacker.port)
    connects["reroute"][(PUBLIC_IP, attacker.port)] = ("127.0.0.2", attacker.port)
    dns = FakeDNS({"rebind.example": [[PUBLIC_IP], ["127.0.0.3"]]})
    fetcher = Fetcher(node_url=NODE, resolver=dns, ssl_context=client_tls)
    url = f"https://rebind.example:{attacker.port}/objects/1"
    try:
        first = await fetcher.fetch_activity(url, budget=FetchBudget())
        error = await _refused(fetcher.fetch_activity(url, budget=FetchBudget()))
    finally:
        await fetcher.close()
    assert first.url == url
    assert error.reason == "blocked_address"
    assert dns.lookups == ["rebind.example", "rebind.example"]
    assert connects["seen"] == [PUBLIC_IP]
    assert internal.hits == 0


async def test_dns_answer_mixing_public_and_private_addresses_is_refused(
    connects: dict[str, Any],
) -> None:
    """SSRF by a DNS answer that lists a private address next to a public one."""
    dns = FakeDNS({"mixed.example": [[PUBLIC_IP, "10.0.0.7"]]})
    fetcher = Fetcher(node_url=NODE, resolver=dns)
    try:
        error = await _refused(
            fetcher.fetch_activity("https://mixed.example/x", budget=FetchBudget())
        )
    finally:
        await fetcher.close()
    assert error.reason == "blocked_address"
    assert connects["seen"] == []


@pytest.mark.parametrize(
    "host", ["2130706433", "0x7f.0.0.1", "127.1", "0177.0.0.1", "017700000001"]
)
async def test_non_canonical_numeric_host_for_loopback_is_refused(
    host: str, connects: dict[str, Any]
) -> None:
    """SSRF by legacy numeric IPv4 forms that socket APIs still map onto 127.0.0.1."""
    fetcher = Fetcher(node_url=NODE)
    try:
        error = await _refused(
            fetcher.fetch_activity(f"https://{host}/admin", budget=FetchBudget())
        )
    finally:
        await fetcher.close()
    assert error.reason == "blocked_address"
    assert connects["seen"] == []


async def test_operator_deny_list_refuses_a_public_address(connects: dict[str, Any]) -> None:
    """A peer the operator has fenced off by CIDR (GoToSocial `block-ips`)."""
    dns = FakeDNS({"fenced.example": [[PUBLIC_IP]]})
    policy = AddressPolicy(deny=parse_cidrs(["93.184.0.0/16"]))
    fetcher = Fetcher(node_url=NODE, policy=policy, resolver=dns)
    try:
        error = await _refused(
            fetcher.fetch_activity("https://fenced.example/x", budget=FetchBudget())
        )
    finally:
        await fetcher.close()
    assert error.reason == "blocked_address"
    assert "operator deny list" in error.detail
    assert connects["seen"] == []


@pytest.mark.parametrize(
    "url", ["http://169.254.169.254/latest/meta-data", "http://metadata.example/computeMetadata"]
)
async def test_cloud_metadata_is_refused_even_with_allow_private_network(
    url: str, connects: dict[str, Any]
) -> None:
    """SSRF to the cloud metadata endpoint on a node run in local-demo mode."""
    dns = FakeDNS({"metadata.example": [["169.254.169.254"]]})
    policy = AddressPolicy(allow_private_network=True)
    fetcher = Fetcher(node_url=NODE, policy=policy, resolver=dns)
    try:
        error = await _refused(fetcher.fetch_activity(url, budget=FetchBudget()))
    finally:
        await fetcher.close()
    assert error.reason == "blocked_address"
    assert connects["seen"] == []


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "data:application/activity+json,{}",
        "gopher://127.0.0.1:6379/_FLUSHALL",
        "ftp://example.org/x",
        "ws://example.org/x",
    ],
)
async def test_non_http_scheme_is_refused(url: str, connects: dict[str, Any]) -> None:
    """Scheme smuggling (file:, data:, gopher: to Redis) through an object URL."""
    fetcher = Fetcher(node_url=NODE, policy=AddressPolicy(allow_private_network=True))
    try:
        error = await _refused(fetcher.fetch_activity(url, budget=FetchBudget()))
    finally:
        await fetcher.close()
    assert error.reason == "scheme_refused"
    assert connects["seen"] == []


async def test_url_with_credentials_is_refused(connects: dict[str, Any]) -> None:
    """Userinfo tricks (`https://trusted.example@evil/`) that confuse host checks."""
    fetcher = Fetcher(node_url=NODE)
    try:
        error = await _refused(
            fetcher.fetch_activity("https://user:pw@example.org/x", budget=FetchBudget())
        )
    finally:
        await fetcher.close()
    assert error.reason == "invalid_url"
    assert connects["seen"] == []
