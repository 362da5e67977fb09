"""Authorized fetch and allowlist mode: who may read our ActivityPub documents."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from commonsnode.keys import KeyPair, generate_rsa
from commonsnode.usecases.organisations import create_token
from federation.keys import load_private_key
from federation.outbox import new_activity, publish
from federation.signatures import SignedRequest, cavage
from federation.vocab import AS_PUBLIC
from tests.federation.cluster import cluster
from tests.federation.fakepeer import fake_peer
from tests.federation.test_commission_story import request_body
from tests.security.conftest import Target

AS_JSON = "application/activity+json"
ORG_PATHS = [
    "/orgs/city",
    "/orgs/city/outbox",
    "/orgs/city/outbox?page=true",
    "/orgs/city/followers",
    "/orgs/city/following?page=true",
]


@pytest.fixture
async def strict(tmp_path: Path) -> AsyncIterator[Target]:
    """The node under test with authorized fetch on."""
    settings = {"alpha": {"federation": {"authorized_fetch": True}}}
    async with cluster(tmp_path, "alpha", settings=settings) as c, fake_peer() as peer:
        await c["alpha"].org("city")
        yield Target(c, c["alpha"], peer)


async def unsigned_get(target: Target, path: str) -> int:
    headers = {"Accept": AS_JSON}
    async with target.node.http.get(target.node.origin + path, headers=headers) as response:
        return response.status


async def signed_get(
    target: Target, path: str, actor: str, *, key: KeyPair | None = None
) -> tuple[int, bytes]:
    """GET signed (draft-cavage) with the peer actor's key, as a remote server would."""
    url = target.node.origin + path
    request = SignedRequest.build("GET", url, {"Accept": AS_JSON})
    pair = key or target.peer.keys[actor]
    added = cavage.sign_request(
        request,
        key_id=f"{actor}#main-key",
        private_key=load_private_key(pair.private_pem),
        now=target.cluster.clock.now(),
    )
    headers = {"Accept": AS_JSON, **dict(added)}
    async with target.node.http.get(url, headers=headers) as response:
        return response.status, await response.read()


async def public_activity_path(target: Target) -> str:
    """A public activity of `city`, stored so that its id dereferences."""
    node = target.node.node
    fed = node.federation
    now = target.cluster.clock.now()
    async with node.uow() as tx:
        org = await tx.organisations.get_by_handle("city")
        assert org is not None
        note = {"id": f"{fed.iris.origin}/notes/{uuid.uuid4().hex}", "type": "Note"}
        activity = new_activity(fed.iris, org, "Create", note, now, to=[AS_PUBLIC])
        await publish(tx, fed.iris, org, activity, now, followers=True)
    return str(activity["id"]).removeprefix(fed.iris.origin)


async def operator(target: Target, method: str, path: str, body: object) -> None:
    node = target.node.node
    target.node.tokens["operator"] = await create_token(
        node.uow, node.clock, handle="city", operator=True
    )
    status, answer = await target.node.api(method, path, as_="operator", json=body)
    assert status in (200, 201), answer


async def test_unsigned_get_is_refused_under_authorized_fetch(strict: Target) -> None:
    """Attack: read an organisation's actor, outbox and collections without identifying the
    server, e.g. from a domain the organisation blocked."""
    paths = [*ORG_PATHS, await public_activity_path(strict)]
    for path in paths:
        assert await unsigned_get(strict, path) == 401, path
    assert strict.peer.requests == []


async def test_instance_actor_is_always_readable(strict: Target) -> None:
    """Peers must be able to read /actor unsigned, or nobody could verify our signed GETs."""
    async with strict.node.http.get(
        strict.node.origin + "/actor", headers={"Accept": AS_JSON}
    ) as response:
        assert response.status == 200
        document = await response.json(content_type=None)
    assert document["publicKey"]["id"] == strict.node.origin + "/actor#main-key"


async def test_signed_get_is_served(strict: Target) -> None:
    bob = strict.peer.actor("bob")
    paths = [*ORG_PATHS, await public_activity_path(strict)]
    for path in paths:
        status, body = await signed_get(strict, path, bob)
        assert status == 200, (path, body)
    assert strict.peer.requests == ["/users/bob"]  # the key fetched once, then cached


async def test_signature_in_the_authorization_header_is_read(strict: Target) -> None:
    """Older peers send the cavage signature as `Authorization: Signature …`."""
    bob = strict.peer.actor("bob")
    url = strict.node.origin + "/orgs/city"
    request = SignedRequest.build("GET", url, {"Accept": AS_JSON})
    added = dict(
        cavage.sign_request(
            request,
            key_id=f"{bob}#main-key",
            private_key=load_private_key(strict.peer.keys[bob].private_pem),
            now=strict.cluster.clock.now(),
        )
    )
    headers = {**added, "Accept": AS_JSON, "Authorization": "Signature " + added["Signature"]}
    del headers["Signature"]
    async with strict.node.http.get(url, headers=headers) as response:
        assert response.status == 200
    headers["Authorization"] = headers["Authorization"].replace('signature="', 'signature="AAAA')
    async with strict.node.http.get(url, headers=headers) as response:
        assert response.status == 401  # read, and refused when it does not verify


async def test_forged_signed_get_is_refused(strict: Target) -> None:
    """Attack: sign a GET with a key of one's own and the keyId of a permitted actor."""
    bob = strict.peer.actor("bob")
    status, _ = await signed_get(strict, "/orgs/city", bob, key=generate_rsa())
    assert status == 401


async def test_signed_get_by_a_blocked_domain_is_refused(strict: Target) -> None:
    """Attack: a blocked server signs its fetches with a valid key to read our documents."""
    await operator(strict, "POST", "/api/v1/admin/domains", {"domain": "127.0.0.20"})
    bob = strict.peer.actor("bob")
    for path in ORG_PATHS:
        status, _ = await signed_get(strict, path, bob)
        assert status == 403, path
    assert strict.peer.requests == []  # refused before the key was fetched
    assert await strict.count("remote_actors") == 0


async def test_allowlist_mode_refuses_unsigned_gets_without_authorized_fetch(
    target: Target,
) -> None:
    """Attack: Misskey #14684 — an allowlist-mode node still served its objects to any
    unsigned GET, so a non-allowed server simply fetched without a signature."""
    await operator(target, "PUT", "/api/v1/admin/federation-mode", {"mode": "allowlist"})
    paths = [*ORG_PATHS, await public_activity_path(target)]
    for path in paths:
        assert await unsigned_get(target, path) == 401, path
    bob = target.peer.actor("bob")
    status, _ = await signed_get(target, "/orgs/city", bob)
    assert status == 403  # signed, but not allowed
    assert target.peer.requests == []
    assert await unsigned_get(target, "/actor") == 200
    await operator(
        target, "POST", "/api/v1/admin/domains", {"domain": "127.0.0.20", "rule": "allow"}
    )
    status, _ = await signed_get(target, "/orgs/city", bob)
    assert status == 200


async def test_our_fetches_are_signed_by_the_instance_actor(tmp_path: Path) -> None:
    """Two nodes that both require signed fetches can still follow each other: every GET we
    make is signed by /actor, which the other side can read unsigned."""
    strict = {"federation": {"authorized_fetch": True}}
    async with cluster(tmp_path, "alpha", "beta", settings={"alpha": strict, "beta": strict}) as c:
        alpha, beta = c["alpha"], c["beta"]
        await alpha.org("city")
        await beta.org("devs", kind="developer")
        status, body = await alpha.api(
            "POST", "/api/v1/follows", as_="city", json={"target": f"acct:devs@{beta.host}"}
        )
        assert status == 202, body
        await c.settle()
        _, following = await alpha.api("GET", "/api/v1/follows", as_="city")
        assert [(f["actor"], f["state"]) for f in following["items"]] == [
            (beta.actor("devs"), "accepted")
        ]
        async with beta.node.db.transaction(readonly=True) as connection:
            known = set(
                (await connection.execute(sa.text("SELECT iri FROM remote_actors"))).scalars()
            )
        assert alpha.origin + "/actor" in known  # beta checked alpha's signed GET with it


async def test_an_actor_blocked_by_the_organisation_cannot_read_it_signed(
    strict: Target,
) -> None:
    """Attack: a blocked actor keeps reading the organisation's actor and collections by
    signing its GETs (Mastodon refuses these too)."""
    bob = strict.peer.actor("bob")
    carol = strict.peer.actor("carol")
    async with strict.node.node.uow() as tx:
        org = await tx.organisations.get_by_handle("city")
        assert org is not None
        await tx.moderation.block_actor(org.id, bob, strict.cluster.clock.now())
    for path in ("/orgs/city", "/orgs/city/followers", "/orgs/city/outbox"):
        status, _ = await signed_get(strict, path, bob)
        assert status == 403, path
    status, _ = await signed_get(strict, "/orgs/city", carol)
    assert status == 200


async def test_request_iris_follow_the_fetch_rules_and_a_directed_one_its_audience(
    strict: Target,
) -> None:
    """Attack: read a request directed to chosen organisations by fetching its IRI, unsigned
    or signed by a server none of them is on (Mastodon-style signed GET by a real actor)."""
    bob, carol = strict.peer.actor("bob"), strict.peer.actor("carol")
    c = strict.cluster
    paths = {}
    for name, recipients in (("public", []), ("directed", [bob])):
        status, posted = await strict.node.api(
            "POST", "/api/v1/requests", as_="city", json=request_body(c, recipients)
        )
        assert status == 201, posted
        paths[name] = f"/requests/{posted['id']}"
    for path in paths.values():
        assert await unsigned_get(strict, path) == 401, path
    status, body = await signed_get(strict, paths["public"], carol)
    assert status == 200, body
    status, body = await signed_get(strict, paths["directed"], bob)
    assert status == 200, body
    assert json.loads(body)["to"] == [bob]
    status, _ = await signed_get(strict, paths["directed"], carol)
    assert status == 404  # as if it did not exist
