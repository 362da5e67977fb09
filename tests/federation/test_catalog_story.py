"""The catalog actor between real nodes: a node's catalog Announces its organisations'
listings to the catalogs that follow it; a new follower backfills what was published before,
page by page, resuming across bounded job runs; withdrawals reach it through the origin."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from commonsnode.jobs import Job
from commonsnode.model.organisations import Organisation
from commonsnode.usecases.listings import publish_listing
from federation.catalog import BACKFILL_JOB, catalog_iri, follow_catalog
from tests.conftest import SHARED
from tests.federation.cluster import Cluster, ClusterNode, cluster
from tests.federation.fakepeer import fake_peer
from web.app import catalog_follow

pytestmark = pytest.mark.cluster

VALID = SHARED / "publiccode" / "v0" / "valid" / "valid.yml"
REPOSITORY = "https://github.com/italia/developers.italia.it.git"


def catalog(node: ClusterNode) -> str:
    return catalog_iri(node.node.federation.iris)


async def publish_many(node: ClusterNode, org: Organisation, count: int) -> list[str]:
    """`count` listings of distinct repositories, published by `org`; their IRIs."""
    text = VALID.read_text(encoding="utf-8")
    iris = []
    for index in range(count):
        source = text.replace(REPOSITORY, f"https://git.example/tools/tool-{index}.git").replace(
            "name: Medusa", f"name: Tool {index}"
        )
        change = await publish_listing(node.node.uow, node.node.clock, org, source)
        iris.append(node.node.federation.iris.listing(change.listing.id))
    return iris


async def remote_listings(node: ClusterNode) -> dict[str, Any]:
    """origin IRI → (name, author, via) of every remote listing the node holds."""
    async with node.node.db.transaction(readonly=True) as connection:
        rows = await connection.execute(
            sa.text(
                "SELECT origin_iri, name, author_iri, via_iri FROM listings "
                "WHERE origin_iri IS NOT NULL"
            )
        )
        return {row[0]: (row[1], row[2], row[3]) for row in rows}


async def catalog_follows(c: Cluster, follower: str, followed: str) -> None:
    """`follower`'s catalog follows `followed`'s catalog (over WebFinger), and is accepted."""
    target = f"acct:catalog@{c[followed].host}"
    line = await catalog_follow(
        c[follower].node, target
    )  # what `commonsnode catalog follow` prints
    assert line == f"pending\t{catalog(c[followed])}"
    await c.settle()
    async with c[follower].node.uow(readonly=True) as tx:
        follow = await tx.catalog.get_follow("out", catalog(c[followed]))
    assert follow is not None
    assert follow.state == "accepted"


async def test_the_catalog_actor_is_a_group_found_over_webfinger(tmp_path: Path) -> None:
    async with cluster(tmp_path, "alpha") as c:
        alpha = c["alpha"]
        url = f"{alpha.origin}/.well-known/webfinger?resource=acct:catalog@{alpha.host}"
        async with alpha.http.get(url) as response:
            jrd = await response.json(content_type=None)
        assert jrd["subject"] == f"acct:catalog@{alpha.host}"
        (link,) = [link for link in jrd["links"] if link["rel"] == "self"]
        assert link["href"] == catalog(alpha)
        headers = {"Accept": "application/activity+json"}
        async with alpha.http.get(catalog(alpha), headers=headers) as response:
            actor = await response.json(content_type=None)
        assert actor["type"] == "Group"
        assert actor["preferredUsername"] == "catalog"
        assert actor["publicKey"]["id"] == catalog(alpha) + "#main-key"
        assert actor["outbox"] == catalog(alpha) + "/outbox"


async def test_a_published_listing_reaches_a_following_catalog_via_the_catalog(
    tmp_path: Path,
) -> None:
    async with cluster(tmp_path, "alpha", "beta") as c:
        alpha, beta = c["alpha"], c["beta"]
        city = await alpha.org("city")
        await catalog_follows(c, "beta", "alpha")
        (iri,) = await publish_many(alpha, city, 1)
        await c.settle()
        assert await remote_listings(beta) == {iri: ("Tool 0", alpha.actor("city"), catalog(alpha))}
        # Followers of alpha's catalog are listed; beta's catalog lists what it follows.
        headers = {"Accept": "application/activity+json"}
        async with alpha.http.get(catalog(alpha) + "/followers?page=true", headers=headers) as r:
            assert (await r.json(content_type=None))["orderedItems"] == [catalog(beta)]

        # A change, then the withdrawal, reach beta through the catalog: re-read from alpha.
        (listing_id,) = [iri.rsplit("/", 1)[1]]
        status, _ = await alpha.api(
            "PATCH", f"/api/v1/listings/{listing_id}", as_="city", json={"name": "Tool Zero"}
        )
        assert status == 200
        await c.settle()
        assert (await remote_listings(beta))[iri][0] == "Tool Zero"
        status, _ = await alpha.api("DELETE", f"/api/v1/listings/{listing_id}", as_="city")
        assert status == 204
        await c.settle()
        assert await remote_listings(beta) == {}
        assert [job.last_error for job in await beta.node.queue.dead()] == []


async def test_a_new_follower_backfills_the_catalog_page_by_page_across_bounded_runs(
    tmp_path: Path,
) -> None:
    """11 listings, pages of 3 (4 pages), at most 2 pages per job run: two runs."""
    small = {"federation": {"catalog_page_size": 3, "backfill_pages_per_run": 2}}
    async with cluster(tmp_path, "alpha", "beta", settings={"alpha": small, "beta": small}) as c:
        alpha, beta = c["alpha"], c["beta"]
        city = await alpha.org("city")
        iris = await publish_many(alpha, city, 11)
        await c.settle()

        # Each backfill run notes where the stored cursor stood and what beta held then.
        runs: list[tuple[int, int]] = []
        spec = beta.node.registry.get(BACKFILL_JOB)
        assert spec is not None

        async def watched(job: Job) -> None:
            async with beta.node.uow(readonly=True) as tx:
                cursor = await tx.catalog.backfill(catalog(alpha))
            assert cursor is not None
            runs.append((cursor.pages, len(await remote_listings(beta))))
            await spec.handler(job)

        beta.node.registry._specs[BACKFILL_JOB] = replace(spec, handler=watched)
        await follow_catalog(beta.node.federation, f"acct:catalog@{alpha.host}")
        await c.settle()

        assert runs == [(0, 0), (2, 6)]  # the second run resumed from the stored cursor
        async with beta.node.uow(readonly=True) as tx:
            cursor = await tx.catalog.backfill(catalog(alpha))
        assert cursor is not None
        assert cursor.finished_at is not None
        assert (cursor.pages, cursor.items) == (4, 11)
        held = await remote_listings(beta)
        assert sorted(held) == sorted(iris)
        assert {via for _, _, via in held.values()} == {catalog(alpha)}
        async with beta.node.db.transaction(readonly=True) as connection:
            left = await connection.scalar(
                sa.text("SELECT count(*) FROM jobs WHERE kind = :kind"), {"kind": BACKFILL_JOB}
            )
        assert left == 0
        assert [job.last_error for job in await beta.node.queue.dead()] == []


async def test_a_fediverse_user_follows_the_catalog_and_gets_each_listing_as_a_boost(
    tmp_path: Path,
) -> None:
    async with cluster(tmp_path, "alpha") as c, fake_peer() as peer:
        alpha = c["alpha"]
        city = await alpha.org("city")
        reader = peer.actor("reader")
        follow = peer.activity(reader, "Follow", catalog(alpha))
        assert await peer.post(alpha.http, catalog(alpha) + "/inbox", follow) == 202
        await c.settle()
        (accept,) = peer.received
        assert (accept["type"], accept["actor"]) == ("Accept", catalog(alpha))
        assert accept["object"]["id"] == follow["id"]

        (iri,) = await publish_many(alpha, city, 1)
        await c.settle()
        (boost,) = peer.received[1:]
        assert (boost["type"], boost["actor"], boost["object"]) == ("Announce", catalog(alpha), iri)
        assert "https://www.w3.org/ns/activitystreams#Public" in boost["to"]
        async with alpha.http.get(
            boost["id"], headers={"Accept": "application/activity+json"}
        ) as r:
            assert (await r.json(content_type=None))["id"] == boost["id"]

        undo = peer.activity(reader, "Undo", follow)
        assert await peer.post(alpha.http, alpha.origin + "/inbox", undo) == 202
        await c.settle()
        async with alpha.node.uow(readonly=True) as tx:
            assert await tx.catalog.follower_inboxes() == []
