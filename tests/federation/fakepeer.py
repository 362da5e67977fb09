"""A scriptable remote server for attack tests: serves chosen actor documents, signs what we say.

It runs on its own loopback address with real HTTP, and records every request it receives, so
a test can assert that the node under attack fetched nothing.
"""

from __future__ import annotations

import io
import json
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from commonsnode.keys import KeyPair, generate_rsa
from federation.keys import load_private_key
from federation.signatures import SignedRequest, cavage, rfc9421
from tests.federation.cluster import bind

AS_JSON = "application/activity+json"


@dataclass
class FakePeer:
    """A remote server we control completely."""

    origin: str
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    received: list[dict[str, Any]] = field(default_factory=list)
    inbox_status: int = 202
    keys: dict[str, KeyPair] = field(default_factory=dict)

    @property
    def host(self) -> str:
        return self.origin.split("://", 1)[1]

    def actor(self, name: str, *, key: KeyPair | None = None, **overrides: Any) -> str:
        """Publish an actor document at /users/{name} with its own RSA key (or `key`)."""
        iri = f"{self.origin}/users/{name}"
        pair = key or generate_rsa()
        self.keys[iri] = pair
        self.documents[f"/users/{name}"] = {
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": iri,
            "type": "Person",
            "preferredUsername": name,
            "inbox": f"{iri}/inbox",
            "outbox": f"{iri}/outbox",
            "endpoints": {"sharedInbox": f"{self.origin}/inbox"},
            "publicKey": {"id": f"{iri}#main-key", "owner": iri, "publicKeyPem": pair.public_pem},
            **overrides,
        }
        return iri

    def activity(self, actor: str, type_: str, object_: Any, **extra: Any) -> dict[str, Any]:
        return {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": f"{self.origin}/activities/{uuid.uuid4().hex}",
            "type": type_,
            "actor": actor,
            "object": object_,
            **extra,
        }

    async def post(
        self,
        http: aiohttp.ClientSession,
        inbox: str,
        activity: dict[str, Any] | bytes,
        *,
        actor: str | None = None,
        key_id: str | None = None,
        key: KeyPair | None = None,
        scheme: str = "cavage",
        now: float | None = None,
        covered: list[str] | None = None,
        tamper: dict[str, str] | None = None,
        drop: tuple[str, ...] = (),
    ) -> int:
        """POST `activity` to `inbox` signed as `actor` (its key unless `key` is given).

        `tamper` replaces headers after signing; `drop` removes them; `covered` chooses the
        cavage signed headers. Returns the status.
        """
        body = activity if isinstance(activity, bytes) else json.dumps(activity).encode()
        signer = actor or (activity.get("actor") if isinstance(activity, dict) else None)
        assert isinstance(signer, str)
        pair = key or self.keys[signer]
        base = {"Content-Type": AS_JSON}
        request = SignedRequest.build("POST", inbox, base, body)
        private = load_private_key(pair.private_pem)
        when = time.time() if now is None else now
        kid = key_id or f"{signer}#main-key"
        if scheme == "cavage":
            added = cavage.sign_request(
                request, key_id=kid, private_key=private, now=when, covered=covered
            )
        else:
            added = rfc9421.sign_request(request, key_id=kid, private_key=private, now=when)
        headers = {**base, **dict(added)}
        headers.update(tamper or {})
        for name in drop:
            headers = {k: v for k, v in headers.items() if k.lower() != name.lower()}
        async with http.post(inbox, data=io.BytesIO(body), headers=headers) as response:
            return response.status

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(request.path_qs)
        if request.method == "POST":
            self.received.append(json.loads(await request.read()))
            return web.Response(status=self.inbox_status)
        document = self.documents.get(request.path)
        if document is None:
            return web.Response(status=404)
        return web.Response(body=json.dumps(document), content_type=AS_JSON)


@asynccontextmanager
async def fake_peer(address: str = "127.0.0.20") -> AsyncIterator[FakePeer]:
    sock = bind(address)
    peer = FakePeer(f"http://{address}:{sock.getsockname()[1]}")
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", peer._serve)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    try:
        yield peer
    finally:
        await runner.cleanup()
