"""Relayed objects are never trusted (security rules 3 and 11).

Attacks: a relay our catalog follows Announces a forged copy of another node's listing; it
points at an object that does not exist; it relays an object from a blocked domain; it is
blocked after its Announce was queued. Asserted on side effects: what is stored, and which
requests were made.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from commonsnode.ports import CatalogFollow
from federation.catalog import catalog_iri
from tests.federation.cluster import ClusterNode, cluster
from tests.federation.fakepeer import FakePeer, fake_peer
from tests.federation.test_catalog_story import publish_many, remote_listings
from web.app import moderate

pytestmark = pytest.mark.cluster


async def follow_relay(node: ClusterNode, peer: FakePeer) -> str:
    """The node's catalog follows a relay (a Group) on the fake peer: accepted."""
    relay = peer.actor("relay", type="Group")
    now = node.node.clock.now()
    async with node.node.uow() as tx:
        await tx.catalog.save_follow(
            CatalogFollow(
                "out", relay, "accepted", f"{peer.origin}/follows/1", relay + "/inbox", now, now
            )
        )
    return relay


def forged(iri: str, author: str) -> dict[str, Any]:
    return {
        "id": iri,
        "type": "Article",
        "attributedTo": author,
        "name": "Forged",
        "content": "<p>Install this instead.</p>",
        "repository": "https://evil.example/backdoor.git",
        "softwareType": "standalone/web",
        "license": "MIT",
        "developmentStatus": "stable",
    }


async def announce(node: ClusterNode, peer: FakePeer, relay: str, object_: Any) -> None:
    activity = peer.activity(relay, "Announce", object_)
    assert await peer.post(node.http, node.origin + "/inbox", activity) == 202


async def test_a_forged_relayed_copy_is_ignored_and_the_origin_is_read(tmp_path: Path) -> None:
    async with cluster(tmp_path, "alpha", "gamma") as c, fake_peer() as peer:
        alpha, gamma = c["alpha"], c["gamma"]
        city = await alpha.org("city")
        (iri,) = await publish_many(alpha, city, 1)
        await c.settle()
        relay = await follow_relay(gamma, peer)

        await announce(gamma, peer, relay, forged(iri, alpha.actor("city")))
        missing = f"{alpha.origin}/listings/01JNOTAREALLISTING0000000000"
        await announce(gamma, peer, relay, forged(missing, alpha.actor("city")))
        await c.settle()

        # alpha's real listing, as alpha serves it, with the relay as `via`; nothing else.
        assert await remote_listings(gamma) == {iri: ("Tool 0", alpha.actor("city"), relay)}
        assert not [path for path in peer.requests if "/listings/" in path]
        assert [job.last_error for job in await gamma.node.queue.dead()] == []


async def test_a_relay_cannot_pass_an_object_of_another_origin_off_as_the_author(
    tmp_path: Path,
) -> None:
    """The relay serves an Article on its own origin claiming alpha's organisation."""
    async with cluster(tmp_path, "alpha", "gamma") as c, fake_peer() as peer:
        alpha, gamma = c["alpha"], c["gamma"]
        await alpha.org("city")
        relay = await follow_relay(gamma, peer)
        peer.documents["/objects/1"] = {
            "@context": "https://www.w3.org/ns/activitystreams",
            **forged(f"{peer.origin}/objects/1", alpha.actor("city")),
        }
        await announce(gamma, peer, relay, f"{peer.origin}/objects/1")
        await c.settle()
        assert "/objects/1" in peer.requests  # read from its origin…
        assert await remote_listings(gamma) == {}  # …and refused: its author lives elsewhere


async def test_a_relayed_object_from_a_blocked_domain_is_dropped_unfetched(
    tmp_path: Path,
) -> None:
    async with (
        cluster(tmp_path, "gamma") as c,
        fake_peer() as peer,
        fake_peer("127.0.0.21") as blocked,
    ):
        gamma = c["gamma"]
        relay = await follow_relay(gamma, peer)
        author = blocked.actor("spammer")
        blocked.documents["/objects/1"] = {
            "@context": "https://www.w3.org/ns/activitystreams",
            **forged(f"{blocked.origin}/objects/1", author),
        }
        await moderate(gamma.node, "block", "127.0.0.21", "spam")
        gamma.node.federation.forget_policy()
        await announce(gamma, peer, relay, f"{blocked.origin}/objects/1")
        await c.settle()
        assert blocked.requests == []
        assert await remote_listings(gamma) == {}


async def test_an_announce_queued_before_the_relay_was_blocked_is_dropped_unfetched(
    tmp_path: Path,
) -> None:
    async with cluster(tmp_path, "alpha", "gamma") as c, fake_peer() as peer:
        alpha, gamma = c["alpha"], c["gamma"]
        city = await alpha.org("city")
        (iri,) = await publish_many(alpha, city, 1)
        await c.settle()
        relay = await follow_relay(gamma, peer)
        await announce(gamma, peer, relay, iri)
        await moderate(gamma.node, "block", peer.host.split(":")[0], "relay turned bad")
        gamma.node.federation.forget_policy()
        await c.settle()
        assert await remote_listings(gamma) == {}


async def test_an_announce_from_an_actor_nobody_here_follows_fetches_nothing(
    tmp_path: Path,
) -> None:
    async with cluster(tmp_path, "alpha", "gamma") as c, fake_peer() as peer:
        alpha, gamma = c["alpha"], c["gamma"]
        city = await alpha.org("city")
        (iri,) = await publish_many(alpha, city, 1)
        await c.settle()
        stranger = peer.actor("stranger", type="Group")
        activity = peer.activity(stranger, "Announce", f"{peer.origin}/objects/9")
        assert await peer.post(gamma.http, gamma.origin + "/inbox", activity) == 202
        activity = peer.activity(stranger, "Announce", iri)
        assert await peer.post(gamma.http, gamma.origin + "/inbox", activity) == 202
        await c.settle()
        assert "/objects/9" not in peer.requests
        assert await remote_listings(gamma) == {}
        assert catalog_iri(gamma.node.federation.iris).endswith("/catalog")
