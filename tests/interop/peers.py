"""Recorded Mastodon and GoToSocial documents, served and sent by a fake peer on loopback.

A recorded document names its real origin (`https://mastodon.technology`, GoToSocial's
`http://localhost:8080`, ...). To make our node fetch it over loopback, `rehost` replaces that
origin, and any other IRI a test needs moved (the followed account becomes our organisation),
by plain text replacement: the rest of the recorded bytes are sent unchanged. Actor documents
also get their `publicKeyPem` replaced by a key the fake peer holds, since the recorded private
keys are not published; fixtures/README.md lists every such adaptation.

`RecordedPeer` extends `tests.federation.fakepeer.FakePeer` by composition: it serves the same
documents, and in front of them answers 410 for deleted actors and keeps every POST it
receives with its headers, so a test can verify the signature of what our node delivered.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from aiohttp import web

from commonsnode.keys import KeyPair, generate_rsa
from federation.keys import load_private_key, load_public_key
from federation.signatures import (
    SignatureClaim,
    SignedRequest,
    cavage,
    parse_incoming,
    verify_claim,
)
from tests.federation.cluster import Cluster, ClusterNode, bind, cluster
from tests.federation.fakepeer import AS_JSON, FakePeer

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PEER_ADDRESS = "127.0.0.21"


@dataclass(frozen=True, slots=True)
class WireShape:
    """How a server signs an inbox POST: content type, signed headers, `algorithm` as written."""

    content_type: str
    covered: tuple[str, ...]
    algorithm: str


# app/workers/activitypub/delivery_worker.rb adds Content-Type after app/lib/request.rb's
# (request-target), Host, Date and Digest; every one of them is signed, as rsa-sha256.
MASTODON = WireShape(
    "application/activity+json",
    ("(request-target)", "host", "date", "digest", "content-type"),
    "rsa-sha256",
)
# docs/federation/federating_with_gotosocial.md: POSTs sign "(request-target) host date digest";
# a captured GoToSocial 0.13.3 request (writefreely#661) says algorithm="hs2019" and sends the
# ld+json media type.
GOTOSOCIAL = WireShape(
    'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
    ("(request-target)", "host", "date", "digest"),
    "hs2019",
)


def fixture_text(name: str) -> str:
    """A recorded document exactly as stored, e.g. `mastodon/mastodon.technology-follow.json`."""
    return (FIXTURES / name).read_text("utf-8")


def fixture_json(name: str) -> dict[str, Any]:
    document = json.loads(fixture_text(name))
    assert isinstance(document, dict)
    return document


def rehost(text: str, moves: Mapping[str, str]) -> str:
    """`text` with each key of `moves` replaced by its value, longest key first, so that
    moving an actor IRI wins over moving the origin it starts with."""
    for old in sorted(moves, key=len, reverse=True):
        text = text.replace(old, moves[old])
    return text


def path_of(iri: str) -> str:
    return urlsplit(iri).path


@dataclass(frozen=True, slots=True)
class Delivery:
    """One POST the peer received, as our node sent it."""

    url: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def json(self) -> dict[str, Any]:
        document = json.loads(self.body)
        assert isinstance(document, dict)
        return document

    def signed_request(self) -> SignedRequest:
        return SignedRequest.build("POST", self.url, self.headers, self.body)


@dataclass
class RecordedPeer:
    """A FakePeer that serves recorded documents moved onto its own origin."""

    fake: FakePeer
    gone: set[str] = field(default_factory=set)
    deliveries: list[Delivery] = field(default_factory=list)

    @property
    def origin(self) -> str:
        return self.fake.origin

    def publish_actor(
        self,
        fixture: str,
        *,
        recorded_origin: str,
        as_actor: str | None = None,
        key: KeyPair | None = None,
    ) -> str:
        """Serve the recorded actor document `fixture` on this peer; returns its IRI here.

        `as_actor` (an IRI on the recorded origin) moves the recorded actor to that account's
        place, for activities recorded from another account of the same server: every IRI
        that starts with the recorded actor's id is moved with it. The `publicKeyPem` of each
        listed key is replaced by `key` (a fresh RSA key unless given), which this peer signs
        with; the key ids stay as recorded (`#main-key` for Mastodon, `/main-key` for
        GoToSocial).
        """
        text = fixture_text(fixture)
        recorded_id = str(json.loads(text)["id"])
        moves = {recorded_origin: self.origin}
        if as_actor is not None and as_actor != recorded_id:
            moves[recorded_id] = rehost(as_actor, {recorded_origin: self.origin})
        document = json.loads(rehost(text, moves))
        pair = key or generate_rsa()
        keys = document.get("publicKey")
        for entry in keys if isinstance(keys, list) else [keys]:
            if isinstance(entry, dict) and "publicKeyPem" in entry:
                entry["publicKeyPem"] = pair.public_pem
        iri = str(document["id"])
        self.fake.documents[path_of(iri)] = document
        self.fake.keys[iri] = pair
        return iri

    def mark_gone(self, iri: str) -> None:
        """From now on the actor at `iri` answers 410 Gone, as a deleted Mastodon account does."""
        self.gone.add(path_of(iri))

    def delivered_to(self, inbox: str) -> list[Delivery]:
        return [delivery for delivery in self.deliveries if delivery.url == inbox]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.method == "POST":
            body = await request.read()
            url = self.origin + request.raw_path
            self.deliveries.append(Delivery(url, tuple(request.headers.items()), body))
        if request.method == "GET" and request.path in self.gone:
            self.fake.requests.append(request.path_qs)
            # Mastodon's ApplicationController#respond_with_error(410), JSON flavour.
            return web.json_response({"error": "Gone"}, status=410)
        return await self.fake._serve(request)


@asynccontextmanager
async def recorded_peer(address: str = PEER_ADDRESS) -> AsyncIterator[RecordedPeer]:
    sock = bind(address)
    peer = RecordedPeer(FakePeer(f"http://{address}:{sock.getsockname()[1]}"))
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", peer._handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    try:
        yield peer
    finally:
        await runner.cleanup()


@dataclass
class InteropTarget:
    """Our node with organisation `city`, and a peer replaying recorded documents."""

    cluster: Cluster
    node: ClusterNode
    peer: RecordedPeer

    @property
    def org(self) -> str:
        return self.node.actor("city")

    @property
    def inbox(self) -> str:
        return self.org + "/inbox"

    @property
    def shared_inbox(self) -> str:
        return self.node.origin + "/inbox"

    async def post(
        self, body: str, *, actor: str, key_id: str, shape: WireShape, inbox: str | None = None
    ) -> int:
        """POST the (rehosted) recorded bytes `body` as `actor` would, signed the way `shape`'s
        server signs, with the key the peer published for `actor`."""
        url = inbox or self.inbox
        data = body.encode("utf-8")
        base = {"Content-Type": shape.content_type}
        added = cavage.sign_request(
            SignedRequest.build("POST", url, base, data),
            key_id=key_id,
            private_key=load_private_key(self.peer.fake.keys[actor].private_pem),
            now=self.cluster.clock.now(),
            covered=list(shape.covered),
        )
        headers = {**base, **dict(added)}
        algorithm = f'algorithm="{shape.algorithm}"'
        headers["Signature"] = headers["Signature"].replace('algorithm="rsa-sha256"', algorithm)
        async with self.node.http.post(url, data=data, headers=headers) as response:
            return response.status

    async def scalar(self, sql: str, **params: Any) -> Any:
        async with self.node.node.db.transaction(readonly=True) as connection:
            return await connection.scalar(sa.text(sql), params)

    async def count(self, table: str) -> int:
        return int(await self.scalar(f"SELECT count(*) FROM {table}") or 0)

    async def followers(self) -> list[tuple[str, str]]:
        """(actor, state) of every follower of `city`, through our own API."""
        status, body = await self.node.api("GET", "/api/v1/followers", as_="city")
        assert status == 200, body
        return [(item["actor"], item["state"]) for item in body["items"]]

    async def job_states(self) -> dict[str, int]:
        return await self.node.node.queue.counts()

    async def org_public_key(self) -> tuple[str, str]:
        """(key id, PEM) of `city` as any peer reads them: from its actor document."""
        async with self.node.http.get(self.org, headers={"Accept": AS_JSON}) as response:
            assert response.status == 200
            document = await response.json(content_type=None)
        key = document["publicKey"]
        return str(key["id"]), str(key["publicKeyPem"])

    async def verify_delivery(self, delivery: Delivery) -> SignatureClaim:
        """Check a POST our node made as a receiving server would; returns its claim."""
        request = delivery.signed_request()
        now = self.cluster.clock.now()
        claim = parse_incoming(request, now=now)
        key_id, pem = await self.org_public_key()
        assert claim.key_id == key_id
        verify_claim(claim, request, load_public_key(pem), now)
        return claim


@pytest.fixture(name="target")
async def interop_target(tmp_path: Path) -> AsyncIterator[InteropTarget]:
    async with cluster(tmp_path, "alpha") as c, recorded_peer() as peer:
        await c["alpha"].org("city")
        yield InteropTarget(c, c["alpha"], peer)
