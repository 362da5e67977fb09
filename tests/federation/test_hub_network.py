"""A national network: a hub's catalog follows member catalogs and re-Announces what they
announce, authors kept; receivers re-read every relayed listing from its origin; hubs that
follow each other announce one object once each, and the network settles."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.federation.cluster import ClusterNode, cluster
from tests.federation.test_catalog_story import (
    catalog,
    catalog_follows,
    publish_many,
    remote_listings,
)

pytestmark = pytest.mark.cluster

HUB = {"federation": {"hub": True}}


async def announces_of(node: ClusterNode, object_iri: str) -> int:
    """How many Announces of `object_iri` the node's catalog sent."""
    async with node.node.db.transaction(readonly=True) as connection:
        rows = await connection.execute(
            sa.text("SELECT document FROM activities WHERE type = 'Announce' AND org_id IS NULL")
        )
        return sum(f'"object": "{object_iri}"' in row[0] for row in rows)


async def test_a_hub_relays_member_listings_with_their_authors_and_re_read_from_origin(
    tmp_path: Path,
) -> None:
    async with cluster(tmp_path, "alpha", "beta", "hub", "gamma", settings={"hub": HUB}) as c:
        alpha, beta, hub, gamma = c["alpha"], c["beta"], c["hub"], c["gamma"]
        city = await alpha.org("city")
        ministry = await beta.org("ministry")
        await catalog_follows(c, "hub", "alpha")
        await catalog_follows(c, "hub", "beta")
        await catalog_follows(c, "gamma", "hub")
        (from_alpha,) = await publish_many(alpha, city, 1)
        (from_beta,) = await publish_many(beta, ministry, 1)
        await c.settle()

        held = await remote_listings(gamma)
        assert held == {
            from_alpha: ("Tool 0", alpha.actor("city"), catalog(hub)),
            from_beta: ("Tool 0", beta.actor("ministry"), catalog(hub)),
        }
        assert (await remote_listings(hub))[from_alpha][2] == catalog(alpha)
        # beta's own catalog does not follow alpha: nothing reaches beta.
        assert await remote_listings(beta) == {}

        # A withdrawal at the origin travels the same way: gamma re-reads, gets 410, drops it.
        status, _ = await alpha.api(
            "DELETE", f"/api/v1/listings/{from_alpha.rsplit('/', 1)[1]}", as_="city"
        )
        assert status == 204
        await c.settle()
        assert set(await remote_listings(gamma)) == {from_beta}
        assert set(await remote_listings(hub)) == {from_beta}
        for node in c.nodes.values():
            assert [job.last_error for job in await node.node.queue.dead()] == [], node.name


async def test_hubs_following_each_other_announce_an_object_once_and_settle(
    tmp_path: Path,
) -> None:
    async with cluster(
        tmp_path, "alpha", "north", "south", settings={"north": HUB, "south": HUB}
    ) as c:
        alpha, north, south = c["alpha"], c["north"], c["south"]
        city = await alpha.org("city")
        await catalog_follows(c, "north", "alpha")
        await catalog_follows(c, "south", "alpha")
        await catalog_follows(c, "north", "south")
        await catalog_follows(c, "south", "north")
        (iri,) = await publish_many(alpha, city, 1)
        await c.settle()  # raises when the hubs keep bouncing the Announce

        assert await announces_of(north, iri) == 1
        assert await announces_of(south, iri) == 1
        assert set(await remote_listings(north)) == {iri}
        assert set(await remote_listings(south)) == {iri}

        # The same object, changed at its origin, is a new version: relayed once more each.
        c.clock.advance(5)
        status, _ = await alpha.api(
            "PATCH", f"/api/v1/listings/{iri.rsplit('/', 1)[1]}", as_="city", json={"name": "New"}
        )
        assert status == 200
        await c.settle()
        assert await announces_of(north, iri) == 2
        assert await announces_of(south, iri) == 2
        assert (await remote_listings(south))[iri][0] == "New"
