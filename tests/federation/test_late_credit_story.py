"""A node that starts following a listing's publisher after its contracts completed still gets
their credits: delta's organisation (pub) and catalog send each new follower, after their
Accept, the signed credits announced before, to that follower alone. epsilon's catalog
follows delta's catalog, gamma's reader follows pub (which approves followers by hand): each
credits its copy of the listing, fetched on the credit's arrival when the backfill has not
brought it yet. Nothing reaches a node that does not follow, whose follow is not accepted, or
whose follow no longer stands when the replay runs; a Follow sent again sends nothing again,
nor does a follow undone and made anew within a day (later, it is sent them again, and they
add nothing on the receiver)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa

from federation import credits
from federation.catalog import new_catalog_activity, publish_catalog, unfollow_catalog
from tests.federation.cluster import Cluster, ClusterNode, cluster
from tests.federation.test_catalog_story import catalog, catalog_follows, publish_many
from tests.federation.test_commission_story import DAY, FEE
from tests.federation.test_credit_relay_story import (
    complete,
    contract_credits,
    copy_id,
    held_contract,
)
from tests.federation.test_listing_story import dead_errors, remote_items, send_as

pytestmark = pytest.mark.cluster

NODES = ("alpha", "beta", "gamma", "delta", "epsilon", "zeta")


async def credit_audiences(node: ClusterNode) -> list[str]:
    """Whom each credit Announce `node` sent was addressed to (its `to`), sorted."""
    async with node.node.db.transaction(readonly=True) as connection:
        rows = await connection.execute(
            sa.text(
                "SELECT document FROM activities "
                "WHERE type = 'Announce' AND document LIKE '%CommissionCredit%'"
            )
        )
        return sorted(to for (document,) in rows for to in json.loads(document)["to"])


async def follow_catalog_again(c: Cluster, follower: ClusterNode, followed: ClusterNode) -> None:
    """`follower`'s catalog sends its Follow of `followed`'s catalog once more."""
    fed = follower.node.federation
    now = fed.clock.now()
    target = catalog(followed)
    activity = new_catalog_activity(fed.iris, "Follow", target, now, to=[target])
    async with follower.node.uow() as tx:
        inbox = (followed.origin + "/inbox",)
        await publish_catalog(tx, fed.iris, activity, now, followers=False, inboxes=inbox)
    await c.settle()


async def refollow(c: Cluster, follower: ClusterNode, publisher: ClusterNode) -> None:
    """`follower`'s reader undoes its follow of `publisher`'s pub, follows again and is
    accepted by hand."""
    pub = publisher.actor("pub")
    status, _ = await follower.api("DELETE", f"/api/v1/follows?actor={pub}", as_="reader")
    assert status == 204
    await c.settle()
    status, _ = await follower.api("POST", "/api/v1/follows", as_="reader", json={"target": pub})
    assert status == 202
    await c.settle()
    status, _ = await publisher.api(
        "POST", "/api/v1/followers/accept", as_="pub", json={"actor": follower.actor("reader")}
    )
    assert status == 200
    await c.settle()


async def test_a_late_follower_gets_the_credits_announced_before(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(credits, "REPLAY_PAGE", 1)  # two credits: two pages, one cursor
    async with cluster(tmp_path, *NODES, settings=FEE) as c:
        alpha, beta, gamma, delta, epsilon, zeta = (c[n] for n in NODES)
        await alpha.org("city", name="City of Alpha")
        await beta.org("dev", kind="developer", name="Dev Co-op")
        for node in (gamma, epsilon, zeta):
            await node.org("reader")
        pub = await delta.org("pub", name="Tool Publisher")
        status, _ = await delta.api(
            "PATCH", "/api/v1/me", as_="pub", json={"manually_approves_followers": True}
        )
        assert status == 200
        first, _ = await publish_many(delta, pub, 2)
        listing_id = first.rsplit("/", 1)[1]

        # Two contracts complete while nobody follows delta: one between alpha and beta,
        # one made on delta itself.
        cid = await complete(c, (alpha, "city"), (beta, "dev"), first, "A change")
        await delta.org("town", name="Town of Delta")
        await delta.org("smith", kind="developer", name="Smith Ltd")
        local = await complete(c, (delta, "town"), (delta, "smith"), first, "Another")
        remote, own = await held_contract(alpha, cid), await held_contract(delta, local)
        expected = {
            ("funder", alpha.actor("city"), remote.id),
            ("builder", beta.actor("dev"), remote.id),
            ("funder", delta.actor("town"), own.id),
            ("builder", delta.actor("smith"), own.id),
        }
        assert await contract_credits(delta, "pub", listing_id) == expected
        told = [catalog(delta) + "/followers"] * 2 + [delta.actor("pub") + "/followers"] * 2
        assert await credit_audiences(delta) == sorted(told)

        # gamma asks to follow pub: pending, so nothing is sent to it yet.
        status, _ = await gamma.api(
            "POST", "/api/v1/follows", as_="reader", json={"target": delta.actor("pub")}
        )
        assert status == 202
        await c.settle()
        assert await remote_items(gamma, "reader") == []
        assert await credit_audiences(delta) == sorted(told)

        # epsilon's catalog follows delta's catalog: accepted at once, and sent both credits.
        await catalog_follows(c, "epsilon", "delta")
        held = await copy_id(epsilon, "reader", first)
        assert await contract_credits(epsilon, "reader", held) == expected
        told += [catalog(epsilon)] * 2
        assert await credit_audiences(delta) == sorted(told)

        # pub accepts gamma's reader: sent both credits, which bring the listing with them.
        status, body = await delta.api(
            "POST", "/api/v1/followers/accept", as_="pub", json={"actor": gamma.actor("reader")}
        )
        assert status == 200, body
        await c.settle()
        held_gamma = await copy_id(gamma, "reader", first)
        assert await contract_credits(gamma, "reader", held_gamma) == expected
        told += [gamma.actor("reader")] * 2
        assert await credit_audiences(delta) == sorted(told)

        # zeta follows nobody on delta: it holds nothing and was sent nothing.
        assert await remote_items(zeta, "reader") == []
        assert not any(zeta.origin in to for to in await credit_audiences(delta))

        # A Follow sent again (the follow stands) is answered, but the credits are not re-sent.
        await send_as(c, gamma, "reader", "Follow", delta.actor("pub"), delta)
        await follow_catalog_again(c, epsilon, delta)
        assert await credit_audiences(delta) == sorted(told)

        # A follow undone and made anew within a day, twice, is not sent the credits again;
        # nor is the catalog's.
        for _ in range(2):
            await refollow(c, gamma, delta)
            await unfollow_catalog(epsilon.node.federation, catalog(delta))
            await c.settle()
            await catalog_follows(c, "epsilon", "delta")
        assert await credit_audiences(delta) == sorted(told)
        # A day later it is sent them again; they add nothing there.
        c.clock.advance(DAY)
        await refollow(c, gamma, delta)
        told += [gamma.actor("reader")] * 2
        assert await credit_audiences(delta) == sorted(told)
        assert await contract_credits(gamma, "reader", held_gamma) == expected

        # zeta's follow is accepted, then gone (as an Undo arriving first would take it)
        # before the replay job runs: nothing is sent.
        status, _ = await zeta.api(
            "POST", "/api/v1/follows", as_="reader", json={"target": delta.actor("pub")}
        )
        assert status == 202
        await c.settle()
        status, _ = await delta.api(
            "POST", "/api/v1/followers/accept", as_="pub", json={"actor": zeta.actor("reader")}
        )
        assert status == 200
        async with delta.node.uow() as tx:
            await tx.follows.delete("in", pub.id, zeta.actor("reader"))
        await c.settle()
        assert await credit_audiences(delta) == sorted(told)
        assert await remote_items(zeta, "reader") == []
        for node in NODES:
            assert await dead_errors(c[node]) == [], node
