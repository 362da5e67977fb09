"""Credits replayed to a new follower must not be lost when they reach it before our Accept.

The publisher (delta) queues each replayed credit's delivery behind its Accept's, so an Accept
whose POST has to be retried still arrives first. And a receiver whose Follow of the announcer
awaits its answer does not drop a credit that comes first (a sender that does not order them):
the inbox job is tried again, and the credit is taken once the Accept has landed."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa

from federation.catalog import CatalogSender, catalog_inbox, follow_catalog
from federation.credits import Recipients, announce_by_catalog
from federation.fetch import PostResult
from tests.federation.cluster import ClusterNode, cluster
from tests.federation.test_catalog_story import catalog, publish_many
from tests.federation.test_commission_story import FEE
from tests.federation.test_credit_relay_story import (
    complete,
    contract_credits,
    copy_id,
    held_contract,
)
from tests.federation.test_listing_story import dead_errors
from web.app import catalog_follow

pytestmark = pytest.mark.cluster

NODES = ("alpha", "beta", "delta", "epsilon", "zeta")
HOUR = 3600.0


async def heard_from(node: ClusterNode, actor: str) -> int:
    """How many activities of `actor` `node` has received."""
    async with node.node.db.transaction(readonly=True) as connection:
        found = await connection.scalar(
            sa.text("SELECT count(*) FROM inbox_log WHERE actor = :actor"), {"actor": actor}
        )
    return int(found or 0)


async def test_replayed_credits_are_taken_when_the_accept_comes_late(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with cluster(tmp_path, *NODES, settings=FEE) as c:
        alpha, beta, delta, epsilon, zeta = (c[n] for n in NODES)
        await alpha.org("city", name="City of Alpha")
        await beta.org("dev", kind="developer", name="Dev Co-op")
        for node in (epsilon, zeta):
            await node.org("reader")
        pub = await delta.org("pub", name="Tool Publisher")
        (listing,) = await publish_many(delta, pub, 1)
        cid = await complete(c, (alpha, "city"), (beta, "dev"), listing, "A change")
        contract = await held_contract(alpha, cid)
        expected = {
            ("funder", alpha.actor("city"), contract.id),
            ("builder", beta.actor("dev"), contract.id),
        }

        # epsilon's catalog follows delta's; delta's first POST of its Accept fails.
        refused: list[str] = []
        post = CatalogSender._post

        async def first_accept_fails(
            self: CatalogSender, inbox: str, body: bytes, *args: Any
        ) -> PostResult:
            if json.loads(body)["type"] == "Accept" and not refused:
                refused.append(inbox)
                return PostResult(503, None, "busy")
            return await post(self, inbox, body, *args)

        monkeypatch.setattr(CatalogSender, "_post", first_accept_fails)
        line = await catalog_follow(epsilon.node, f"acct:catalog@{delta.host}")
        assert line == f"pending\t{catalog(delta)}"
        await c.settle()
        assert refused, "the Accept was not sent"
        # The replayed credit waits behind the Accept: epsilon has heard nothing from delta.
        assert await heard_from(epsilon, catalog(delta)) == 0
        c.clock.advance(HOUR)
        await c.settle()
        async with epsilon.node.uow(readonly=True) as tx:
            follow = await tx.catalog.get_follow("out", catalog(delta))
        assert follow is not None
        assert follow.state == "accepted"
        held = await copy_id(epsilon, "reader", listing)
        assert await contract_credits(epsilon, "reader", held) == expected

        # zeta's catalog asks to follow delta's; before its Follow even leaves, delta's catalog
        # sends it the credit (as a sender that does not order them could). delta keeps no
        # credit to replay now, so that early copy is the only one zeta ever gets.
        await follow_catalog(zeta.node.federation, catalog(delta))
        async with delta.node.db.transaction() as connection:
            rows = await connection.execute(sa.text("SELECT document FROM announced_credits"))
            (document,) = rows.scalars()
            await connection.execute(sa.text("DELETE FROM announced_credits"))
        fed = delta.node.federation
        async with delta.node.uow() as tx:
            early = Recipients(catalog(zeta), inboxes=(catalog_inbox(zeta.node.federation.iris),))
            await announce_by_catalog(tx, fed, json.loads(document), fed.clock.now(), early)
        await delta.worker.drain()
        await zeta.worker.drain()  # the credit is not taken yet: zeta's Follow is pending
        assert await heard_from(zeta, catalog(delta)) == 1
        await c.settle()
        async with zeta.node.uow(readonly=True) as tx:
            follow = await tx.catalog.get_follow("out", catalog(delta))
        assert follow is not None
        assert follow.state == "accepted"
        c.clock.advance(HOUR)  # the credit put off is tried again
        await c.settle()
        held = await copy_id(zeta, "reader", listing)
        assert await contract_credits(zeta, "reader", held) == expected
        for node in NODES:
            assert await dead_errors(c[node]) == [], node
