"""A completed contract's credit reaches a node that holds the listing only through a hub: the
hub's catalog follows the publisher's (delta's) catalog and re-shares its listings; leaf's
catalog follows the hub's only. The hub takes delta's signed credit, credits its own copy and
relays the same signed object to its catalog's followers (not public, not in its outbox, not
back to delta, once however often it hears of it), and leaf credits its copy after checking
the publisher's proof and both parties' proofs. A later follower of the hub is sent the
relayed credit too. The same credit announced to leaf by a node leaf does not follow is
refused."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa

from federation import jobs
from federation.credits import Recipients, announce_by_catalog
from tests.federation.cluster import Cluster, ClusterNode, cluster
from tests.federation.test_catalog_story import catalog, catalog_follows, publish_many
from tests.federation.test_commission_story import FEE
from tests.federation.test_credit_relay_story import (
    complete,
    contract_credits,
    copy_id,
    credit_announces,
    forget_contract_credits,
    held_contract,
    publisher_credit,
)
from tests.federation.test_hub_network import HUB
from tests.federation.test_listing_story import dead_errors, send_as

pytestmark = pytest.mark.cluster

NODES = ("alpha", "beta", "delta", "hub", "leaf", "late")


async def credit_relays(node: ClusterNode) -> list[tuple[str, list[str]]]:
    """(activity id, `to`) of each credit Announce `node`'s catalog sent."""
    async with node.node.db.transaction(readonly=True) as connection:
        rows = await connection.execute(
            sa.text(
                "SELECT document FROM activities WHERE type = 'Announce' AND org_id IS NULL "
                "AND document LIKE '%CommissionCredit%'"
            )
        )
        return [(doc["id"], doc["to"]) for doc in (json.loads(row[0]) for row in rows)]


async def announce_by_hub(
    c: Cluster, hub: ClusterNode, credit: dict[str, Any], to: ClusterNode
) -> None:
    """`hub`'s catalog Announces `credit` to `to`'s inbox alone."""
    fed = hub.node.federation
    async with hub.node.uow() as tx:
        recipients = Recipients(to.origin, inboxes=(to.origin + "/inbox",))
        await announce_by_catalog(tx, fed, credit, fed.clock.now(), recipients)
    await c.settle()


async def received(node: ClusterNode, activity_ids: list[str]) -> set[str]:
    """Which of these activities reached `node`'s inbox."""
    async with node.node.db.transaction(readonly=True) as connection:
        rows = await connection.execute(sa.text("SELECT activity_id FROM inbox_log"))
        return {row[0] for row in rows} & set(activity_ids)


async def test_a_hub_relays_a_credit_to_the_nodes_holding_the_listing_through_it(
    tmp_path: Any,
) -> None:
    settings = {**FEE, "hub": HUB}
    async with cluster(tmp_path, *NODES, settings=settings) as c:
        alpha, beta, delta, hub, leaf, late = (c[n] for n in NODES)
        await alpha.org("city", name="City of Alpha")
        await beta.org("dev", kind="developer", name="Dev Co-op")
        pub = await delta.org("pub", name="Tool Publisher")
        for node in (leaf, late):
            await node.org("reader")
        # An organisation on the hub also follows pub: the hub hears of the credit twice.
        await hub.org("watch")
        status, _ = await hub.api(
            "POST", "/api/v1/follows", as_="watch", json={"target": delta.actor("pub")}
        )
        assert status == 202
        await catalog_follows(c, "hub", "delta")
        await catalog_follows(c, "leaf", "hub")
        await catalog_follows(c, "delta", "hub")  # the origin follows the hub back
        (iri,) = await publish_many(delta, pub, 1)
        await c.settle()
        listing = {"id": iri.rsplit("/", 1)[1], "iri": iri}
        held_leaf = await copy_id(leaf, "reader", iri)  # held through the hub only

        cid = await complete(c, (alpha, "city"), (beta, "dev"), iri, "A change")
        contract = await held_contract(alpha, cid)
        expected = {
            ("funder", alpha.actor("city"), contract.id),
            ("builder", beta.actor("dev"), contract.id),
        }
        assert await contract_credits(delta, "pub", listing["id"]) == expected
        assert await contract_credits(hub, "watch", await copy_id(hub, "watch", iri)) == expected
        assert await contract_credits(leaf, "reader", held_leaf) == expected

        # The hub relayed the credit once, by its catalog, to its followers; not public (not
        # as:Public, so not in its outbox), and never to delta, the listing's origin.
        assert await credit_announces(hub) == [(False, None)]
        ((relay, to),) = await credit_relays(hub)
        assert to == [catalog(hub) + "/followers"]
        assert await received(leaf, [relay]) == {relay}
        assert await received(delta, [relay]) == set()
        async with hub.http.get(f"{hub.origin}/catalog/outbox?page=true") as page:
            assert "CommissionCredit" not in await page.text()

        # The publisher's credit announced to the hub again: it adds nothing, relays nothing.
        genuine = await publisher_credit(delta, "pub", listing, contract)
        await send_as(c, delta, "pub", "Announce", genuine, hub)
        assert len(await credit_relays(hub)) == 1

        # A later follower of the hub is sent the relayed credit, to it alone.
        await catalog_follows(c, "late", "hub")
        held_late = await copy_id(late, "reader", iri)
        assert await contract_credits(late, "reader", held_late) == expected
        (replay,) = [key for key, to in await credit_relays(hub) if key != relay]
        assert sorted(to for _, to in await credit_relays(hub)) == sorted(
            [[catalog(hub) + "/followers"], [catalog(late)]]
        )
        assert await received(late, [replay, relay]) == {replay}

        for node in NODES:
            assert await dead_errors(c[node]) == [], node

        # The same signed credit, announced to leaf by a node leaf does not follow: refused.
        await forget_contract_credits(leaf)
        await send_as(c, beta, "dev", "Announce", genuine, leaf)
        (error,) = await dead_errors(leaf)
        assert "is neither the author" in error, error
        assert await contract_credits(leaf, "reader", held_leaf) == set()

        # Announced by the hub, while leaf blocks the listing's domain: refused; once the
        # block is lifted, the hub's Announce of it is taken.
        delta_host = delta.host.split(":")[0]
        async with leaf.node.uow() as tx:
            await tx.moderation.set_rule(delta_host, "block", "spam", c.clock.now())
        leaf.node.federation.forget_policy()
        await announce_by_hub(c, hub, genuine, leaf)
        errors = await dead_errors(leaf)
        assert len(errors) == 2, errors
        assert sum(f"{delta_host} is blocked here" in e for e in errors) == 1, errors
        assert await contract_credits(leaf, "reader", held_leaf) == set()
        async with leaf.node.uow() as tx:
            await tx.moderation.remove_rule(delta_host)
        leaf.node.federation.forget_policy()
        await announce_by_hub(c, hub, genuine, leaf)
        assert await contract_credits(leaf, "reader", held_leaf) == expected
        assert len(await dead_errors(leaf)) == 2


async def test_hubs_following_each_other_relay_a_credit_once_each_and_settle(
    tmp_path: Any,
) -> None:
    names = ("alpha", "beta", "delta", "north", "south")
    async with cluster(tmp_path, *names, settings={**FEE, "north": HUB, "south": HUB}) as c:
        alpha, beta, delta, north, south = (c[n] for n in names)
        await alpha.org("city")
        await beta.org("dev", kind="developer")
        pub = await delta.org("pub")
        for hub in (north, south):
            await hub.org("reader")
        for follower, followed in (
            ("north", "delta"),
            ("south", "delta"),
            ("north", "south"),
            ("south", "north"),
        ):
            await catalog_follows(c, follower, followed)
        (iri,) = await publish_many(delta, pub, 1)
        await c.settle()

        cid = await complete(c, (alpha, "city"), (beta, "dev"), iri, "A change")
        await c.settle()  # raises when the hubs keep bouncing the credit
        contract = await held_contract(alpha, cid)
        expected = {
            ("funder", alpha.actor("city"), contract.id),
            ("builder", beta.actor("dev"), contract.id),
        }
        for hub in (north, south):
            held = await copy_id(hub, "reader", iri)
            assert await contract_credits(hub, "reader", held) == expected, hub.name
            assert len(await credit_relays(hub)) == 1, hub.name
        for name in names:
            assert await dead_errors(c[name]) == [], name


async def test_a_hub_re_shares_a_listing_a_credit_brought_before_its_credit_is_relayed(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hub's backfill has not brought the listing when the credit arrives: the listing is
    fetched, and re-shared like any listing of a catalog the hub follows, so the credit the
    hub relays is of a listing its followers hold through it."""
    settings = {**FEE, "hub": HUB}
    async with cluster(tmp_path, "alpha", "beta", "delta", "hub", settings=settings) as c:
        alpha, beta, delta, hub = c["alpha"], c["beta"], c["delta"], c["hub"]
        await alpha.org("city", name="City of Alpha")
        await beta.org("dev", kind="developer", name="Dev Co-op")
        pub = await delta.org("pub", name="Tool Publisher")
        await hub.org("reader")
        (listing,) = await publish_many(delta, pub, 1)
        await complete(c, (alpha, "city"), (beta, "dev"), listing, "A change")

        async def no_backfill(*args: Any, **kwargs: Any) -> None:
            return None

        monkeypatch.setattr(jobs, "handle_backfill", no_backfill)
        await catalog_follows(c, "hub", "delta")  # sent the credit after the Accept
        held = await copy_id(hub, "reader", listing)
        assert len(await contract_credits(hub, "reader", held)) == 2
        async with hub.node.uow(readonly=True) as tx:
            shared = await tx.catalog.announced(listing)
        assert shared is not None
        assert shared.live
        assert [to for _, to in await credit_relays(hub)] == [[catalog(hub) + "/followers"]]
        for name in ("alpha", "beta", "delta", "hub"):
            assert await dead_errors(c[name]) == [], name


async def test_a_hub_replays_only_the_credits_it_still_relays(tmp_path: Any) -> None:
    """A later follower of the hub is not sent a kept relayed credit of a listing whose domain
    the hub has blocked since; once the block is lifted, the next follower is."""
    names = ("alpha", "beta", "delta", "hub", "late", "later")
    async with cluster(tmp_path, *names, settings={**FEE, "hub": HUB}) as c:
        alpha, beta, delta, hub, late, later = (c[n] for n in names)
        await alpha.org("city")
        await beta.org("dev", kind="developer")
        pub = await delta.org("pub")
        for node in (hub, late, later):
            await node.org("reader")
        await catalog_follows(c, "hub", "delta")
        (iri,) = await publish_many(delta, pub, 1)
        await c.settle()
        await complete(c, (alpha, "city"), (beta, "dev"), iri, "A change")
        assert [to for _, to in await credit_relays(hub)] == [[catalog(hub) + "/followers"]]

        delta_host = delta.host.split(":")[0]
        async with hub.node.uow() as tx:
            await tx.moderation.set_rule(delta_host, "block", "spam", c.clock.now())
        hub.node.federation.forget_policy()
        await catalog_follows(c, "late", "hub")
        assert [to for _, to in await credit_relays(hub)] == [[catalog(hub) + "/followers"]]

        async with hub.node.uow() as tx:
            await tx.moderation.remove_rule(delta_host)
        hub.node.federation.forget_policy()
        await catalog_follows(c, "later", "hub")
        assert sorted(to for _, to in await credit_relays(hub)) == sorted(
            [[catalog(hub) + "/followers"], [catalog(later)]]
        )
        for name in names:
            assert await dead_errors(c[name]) == [], name
