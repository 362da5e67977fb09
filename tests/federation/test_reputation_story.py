"""Reputation between real nodes: the home node's operator trusts five organisations on another
node; 200 organisations on a newly seen node (one of them followed by the tool's maintainer)
rate the tool 1 star, then the five trusted organisations rate it 5 stars. Every rating travels
as a signed Note, each arrival queues the recomputation, and the API explains the score."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.federation.cluster import ClusterNode, cluster
from tests.federation.test_listing_story import dead_errors, publish_file
from tests.federation.test_rating_story import follow, listing_id_on

pytestmark = pytest.mark.cluster

SYBILS = 200


async def rate_all(node: ClusterNode, listing_id: str, handles: list[str], stars: int) -> None:
    for handle in handles:
        status, body = await node.api(
            "POST",
            f"/api/v1/listings/{listing_id}/ratings",
            as_=handle,
            json={"scores": {"overall": stars}},
        )
        assert status == 201, body


async def reputation(node: ClusterNode, as_: str, key: str) -> dict[str, Any]:
    status, body = await node.api("GET", f"/api/v1/reputation?tool={key}", as_=as_)
    assert status == 200, body
    return body  # type: ignore[no-any-return]


def explained(document: dict[str, Any]) -> bool:
    total = sum(item["contribution"] for item in document["inputs"])
    return abs(total - document["score"]) < 1e-6


async def test_two_hundred_fresh_accounts_weigh_less_than_five_trusted_ones(
    tmp_path: Path,
) -> None:
    async with cluster(tmp_path, "home", "trusted", "fresh") as c:
        home, trusted, fresh = c["home"], c["trusted"], c["fresh"]
        await home.org("city", kind="developer")
        councils = [f"council{i}" for i in range(5)]
        for handle in councils:
            await trusted.org(handle)
        sybils = [f"s{i}" for i in range(SYBILS)]
        for handle in sybils:
            await fresh.org(handle)
        # The operator's [reputation] trusted list (set here: the ports are known only now).
        service = home.node.reputation
        assert service is not None
        service.settings = replace(
            service.settings, trusted=tuple(trusted.actor(h) for h in councils)
        )
        await follow(c, "trusted", "council0", home.actor("city"))
        await follow(c, "fresh", "s0", home.actor("city"))
        await follow(c, "home", "city", fresh.actor("s0"))  # a foothold in the fresh node
        published = await publish_file(home, "city")
        await c.settle()
        key = published["repository_key"]
        on_trusted = await listing_id_on(trusted, published["iri"], "council0")
        on_fresh = await listing_id_on(fresh, published["iri"], "s0")
        assert on_trusted is not None
        assert on_fresh is not None
        start = await reputation(home, "city", key)
        assert start["score"] == 3.0

        await rate_all(fresh, on_fresh, sybils, 1)
        await c.settle()
        attacked = await reputation(home, "city", key)
        sybil_inputs = [i for i in attacked["inputs"] if i["kind"] == "rating"]
        assert len(sybil_inputs) == SYBILS  # every rating arrived and is listed ...
        assert sum(i["weight"] for i in sybil_inputs) <= 1.0 + 1e-9  # ... weighing ≤ 1 org
        assert explained(attacked)
        sybil_move = 3.0 - attacked["score"]

        await rate_all(trusted, on_trusted, councils, 5)
        await c.settle()
        praised = await reputation(home, "city", key)
        assert explained(praised)
        trusted_move = praised["score"] - attacked["score"]
        assert 0 < sybil_move < trusted_move
        council_weights = [
            i["weight"] for i in praised["inputs"] if i["source"] in service.settings.trusted
        ]
        assert council_weights == [1.0] * 5
        for member in (home, trusted, fresh):
            assert await dead_errors(member) == [], member.name
