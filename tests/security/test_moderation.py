"""Domain blocks, allowlist mode and actor blocks hold at every door: inbox, fetch, delivery."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from commonsnode.keys import generate_rsa
from commonsnode.usecases.organisations import create_token
from federation.outbox import new_activity, publish
from federation.vocab import AS_PUBLIC
from tests.security.conftest import Target


async def as_operator(target: Target) -> str:
    """An operator token for the node, registered under the name the cluster's `api` uses."""
    node = target.node.node
    target.node.tokens["operator"] = await create_token(
        node.uow, node.clock, handle="city", operator=True
    )
    return "operator"


async def admin(target: Target, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    return await target.node.api(method, path, as_=await as_operator(target), json=body)


async def block_domain(target: Target, domain: str) -> None:
    status, body = await admin(target, "POST", "/api/v1/admin/domains", {"domain": domain})
    assert status == 201, body


async def follow_city(target: Target, name: str) -> str:
    """A peer actor follows `city` and is accepted; the peer's records are then cleared."""
    actor = target.peer.actor(name)
    follow = target.peer.activity(actor, "Follow", target.org)
    assert await target.peer.post(target.node.http, target.inbox, follow) == 202
    await target.cluster.settle()
    target.peer.requests.clear()
    target.peer.received.clear()
    return actor


async def publish_note(target: Target) -> dict[str, Any]:
    fed = target.node.node.federation
    now = target.cluster.clock.now()
    async with target.node.node.uow() as tx:
        org = await tx.organisations.get_by_handle("city")
        assert org is not None
        note = {
            "id": f"{fed.iris.origin}/notes/{uuid.uuid4().hex}",
            "type": "Note",
            "attributedTo": target.org,
            "content": "<p>news</p>",
        }
        activity = new_activity(fed.iris, org, "Create", note, now, to=[AS_PUBLIC])
        await publish(tx, fed.iris, org, activity, now, followers=True)
    return activity


async def follow_states(target: Target, path: str) -> list[tuple[str, str]]:
    _, body = await target.node.api("GET", path, as_="city")
    return [(item["actor"], item["state"]) for item in body["items"]]


async def test_blocked_domain_is_refused_before_any_key_fetch(target: Target) -> None:
    """Attack: a blocked server keeps delivering, hoping we fetch its keys and store its
    activities. GoToSocial answers 403 on the keyId host before any fetch."""
    await block_domain(target, target.peer.host.split(":")[0])
    bob = target.peer.actor("bob")
    follow = target.peer.activity(bob, "Follow", target.org)
    assert await target.peer.post(target.node.http, target.inbox, follow) == 403
    assert target.peer.requests == []  # the key was not fetched
    await target.nothing_stored()
    assert await target.count("remote_actors") == 0


@pytest.mark.parametrize("host", ["social.blocked.example", "a.b.blocked.example"])
async def test_subdomain_of_a_blocked_domain_is_refused(target: Target, host: str) -> None:
    """Attack: a blocked operator moves to a subdomain of its blocked domain."""
    await block_domain(target, "blocked.example")
    eve = f"http://{host}/users/eve"
    follow = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"http://{host}/activities/1",
        "type": "Follow",
        "actor": eve,
        "object": target.org,
    }
    # Were the key fetched, the unresolvable host would give 401, not 403.
    status = await target.peer.post(target.node.http, target.inbox, follow, key=generate_rsa())
    assert status == 403
    await target.nothing_stored()
    assert await target.count("remote_actors") == 0
    assert await target.count("key_fetch_failures") == 0
    policy = await target.node.node.federation.policy()
    assert policy.permits("notblocked.example")  # a suffix match is on labels, not characters


async def test_allowlist_mode_refuses_deliveries_from_hosts_not_allowed(target: Target) -> None:
    """Attack: any server on the network delivers to a node that federates only with a list."""
    status, _ = await admin(target, "PUT", "/api/v1/admin/federation-mode", {"mode": "allowlist"})
    assert status == 200
    bob = target.peer.actor("bob")
    follow = target.peer.activity(bob, "Follow", target.org)
    assert await target.peer.post(target.node.http, target.inbox, follow) == 403
    assert target.peer.requests == []
    await target.nothing_stored()
    # Once the operator allows the host, the same delivery is taken.
    status, _ = await admin(
        target, "POST", "/api/v1/admin/domains", {"domain": "127.0.0.20", "rule": "allow"}
    )
    assert status == 201
    assert await target.peer.post(target.node.http, target.inbox, follow) == 202


async def test_operator_api_needs_an_operator_token(target: Target) -> None:
    """Attack: an organisation's ordinary API token unblocks a domain or opens the node."""
    await block_domain(target, "blocked.example")
    calls = [
        ("GET", "/api/v1/admin/domains", None),
        ("POST", "/api/v1/admin/domains", {"domain": "evil.example", "rule": "allow"}),
        ("DELETE", "/api/v1/admin/domains/blocked.example", None),
        ("PUT", "/api/v1/admin/federation-mode", {"mode": "allowlist"}),
    ]
    for method, path, body in calls:
        status, _ = await target.node.api(method, path, as_="city", json=body)
        assert status == 403, (method, path)
        async with target.node.http.request(method, target.node.origin + path, json=body) as r:
            assert r.status == 401, (method, path)
    _, rules = await admin(target, "GET", "/api/v1/admin/domains")
    assert rules == {
        "mode": "open",
        "items": [{"domain": "blocked.example", "rule": "block", "reason": ""}],
    }


async def test_blocked_domain_is_not_delivered_to(target: Target) -> None:
    """A follower on a domain blocked afterwards gets nothing more from us."""
    await follow_city(target, "bob")
    await block_domain(target, "127.0.0.20")
    await publish_note(target)
    await target.cluster.settle()
    assert target.peer.received == []
    assert target.peer.requests == []
    assert await target.count("jobs") == 0  # not even a delivery job was made for it


async def test_delivery_queued_before_a_domain_block_is_dropped(target: Target) -> None:
    """A block made while deliveries to the domain wait in the queue stops them too."""
    await follow_city(target, "bob")
    await publish_note(target)
    assert await target.node.worker.run_once() == 1  # the fan-out: one delivery queued
    await block_domain(target, "127.0.0.20")
    await target.cluster.settle()
    assert target.peer.received == []
    assert target.peer.requests == []
    dead = await target.node.node.queue.dead()
    assert [job.kind for job in dead] == ["delivery.send"]
    assert "blocked" in (dead[0].last_error or "")


async def test_following_an_actor_on_a_blocked_domain_is_refused_without_fetching(
    target: Target,
) -> None:
    """Attack: an organisation follows an actor on a blocked domain, which would make the
    node fetch from it and deliver to it."""
    await block_domain(target, "127.0.0.20")
    bob = target.peer.actor("bob")
    status, body = await target.node.api(
        "POST", "/api/v1/follows", as_="city", json={"target": bob}
    )
    assert status == 422, body
    assert target.peer.requests == []
    await target.nothing_stored()


async def test_following_an_acct_on_a_blocked_domain_is_refused_without_fetching(
    target: Target,
) -> None:
    """Attack: the same, with the blocked actor named as acct:user@host."""
    await block_domain(target, "127.0.0.20")
    target.peer.actor("bob")
    status, body = await target.node.api(
        "POST", "/api/v1/follows", as_="city", json={"target": f"acct:bob@{target.peer.host}"}
    )
    assert status == 422, body
    assert target.peer.requests == []  # not even WebFinger
    await target.nothing_stored()


async def test_block_from_a_remote_actor_ends_follows_both_ways(target: Target) -> None:
    """A remote actor that blocks us must stop receiving from us, and stops being followed."""
    bob = await follow_city(target, "bob")
    status, _ = await target.node.api("POST", "/api/v1/follows", as_="city", json={"target": bob})
    assert status == 202
    await target.cluster.settle()
    (ours,) = [a for a in target.peer.received if a["type"] == "Follow"]
    accept = target.peer.activity(bob, "Accept", ours["id"])
    assert await target.peer.post(target.node.http, target.inbox, accept) == 202
    await target.cluster.settle()
    assert await follow_states(target, "/api/v1/follows") == [(bob, "accepted")]
    assert await follow_states(target, "/api/v1/followers") == [(bob, "accepted")]
    block = target.peer.activity(bob, "Block", target.org)
    assert await target.peer.post(target.node.http, target.inbox, block) == 202
    await target.cluster.settle()
    assert await follow_states(target, "/api/v1/follows") == []
    assert await follow_states(target, "/api/v1/followers") == []
    target.peer.received.clear()
    await publish_note(target)
    await target.cluster.settle()
    assert target.peer.received == []


async def test_follow_from_an_actor_our_organisation_blocked_is_rejected(target: Target) -> None:
    """Attack: a blocked actor follows again to read the organisation's followers-only posts."""
    bob = target.peer.actor("bob")
    status, _ = await target.node.api("POST", "/api/v1/blocks", as_="city", json={"actor": bob})
    assert status == 204
    follow = target.peer.activity(bob, "Follow", target.org)
    assert await target.peer.post(target.node.http, target.inbox, follow) == 202
    await target.cluster.settle()
    answers = [a for a in target.peer.received if a["type"] in ("Accept", "Reject")]
    assert [(a["type"], a["object"]["id"]) for a in answers] == [("Reject", follow["id"])]
    assert await follow_states(target, "/api/v1/followers?state=accepted") == []
    target.peer.received.clear()
    await publish_note(target)
    await target.cluster.settle()
    assert target.peer.received == []
