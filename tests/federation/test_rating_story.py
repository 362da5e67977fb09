"""Ratings between real nodes: a rating given on one node reaches the listing's node and the
rater's followers, replacement and withdrawal follow, a hub relays it and a third node accepts
it by its proof without fetching it; forgeries, the maintainer's own rating, blocked domains
and ratings of unknown listings are refused or dropped."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from federation.announce import reannounce
from federation.convert.ratings import rating_iri
from federation.fetch import FetchBudget, FetchResult
from federation.jsonld.shapes import id_of
from tests.federation.cluster import Cluster, ClusterNode, cluster
from tests.federation.test_catalog_story import catalog_follows
from tests.federation.test_listing_story import dead_errors, publish_file

pytestmark = pytest.mark.cluster

HUB = {"federation": {"hub": True}}


async def follow(c: Cluster, node: str, handle: str, target: str) -> None:
    status, _ = await c[node].api("POST", "/api/v1/follows", as_=handle, json={"target": target})
    assert status == 202
    await c.settle()


async def listing_id_on(node: ClusterNode, origin_iri: str, as_: str) -> str | None:
    status, body = await node.api("GET", "/api/v1/listings?origin=remote", as_=as_)
    assert status == 200
    found = [item["id"] for item in body["items"] if item["iri"] == origin_iri]
    return found[0] if found else None


async def summary_on(node: ClusterNode, listing_id: str, as_: str) -> dict[str, Any]:
    status, body = await node.api("GET", f"/api/v1/listings/{listing_id}", as_=as_)
    assert status == 200
    return body["rating_summary"]  # type: ignore[no-any-return]


async def ratings_on(node: ClusterNode, listing_id: str, as_: str) -> list[dict[str, Any]]:
    status, body = await node.api("GET", f"/api/v1/listings/{listing_id}/ratings", as_=as_)
    assert status == 200
    return body["items"]  # type: ignore[no-any-return]


def record_fetches(node: ClusterNode) -> list[str]:
    """Every AS2 fetch the node makes from now on (its fetcher, wrapped)."""
    fetcher = node.node.federation.fetcher
    original = fetcher.fetch_activity
    seen: list[str] = []

    async def fetch_activity(url: str, *, budget: FetchBudget) -> FetchResult:
        seen.append(url)
        return await original(url, budget=budget)

    fetcher.fetch_activity = fetch_activity  # type: ignore[method-assign]
    return seen


async def rated_network(c: Cluster) -> tuple[dict[str, Any], str, str]:
    """alpha's city publishes; beta's ministry follows city; gamma's watcher follows both.
    Returns (the listing on alpha, its id on beta, its id on gamma)."""
    alpha, beta, gamma = c["alpha"], c["beta"], c["gamma"]
    await alpha.org("city", name="City of Alpha")
    await beta.org("ministry", name="Ministry of Beta")
    await gamma.org("watcher")
    await follow(c, "beta", "ministry", alpha.actor("city"))
    await follow(c, "gamma", "watcher", alpha.actor("city"))
    await follow(c, "gamma", "watcher", beta.actor("ministry"))
    published = await publish_file(alpha, "city")
    await c.settle()
    on_beta = await listing_id_on(beta, published["iri"], "ministry")
    on_gamma = await listing_id_on(gamma, published["iri"], "watcher")
    assert on_beta is not None
    assert on_gamma is not None
    return published, on_beta, on_gamma


async def test_a_rating_replacement_and_withdrawal_reach_every_node(tmp_path: Path) -> None:
    async with cluster(tmp_path, "alpha", "beta", "gamma") as c:
        alpha, beta, gamma = c["alpha"], c["beta"], c["gamma"]
        published, on_beta, on_gamma = await rated_network(c)
        path = f"/api/v1/listings/{on_beta}/ratings"
        body = {"scores": {"overall": 4, "privacy": 5}, "text": "Works <b>well</b>."}
        status, given = await beta.api("POST", path, as_="ministry", json=body)
        assert status == 201, given
        await c.settle()

        views = {
            "alpha": (alpha, published["id"], "city"),
            "beta": (beta, on_beta, "ministry"),
            "gamma": (gamma, on_gamma, "watcher"),
        }
        for name, (node, listing_id, as_) in views.items():
            summary = await summary_on(node, listing_id, as_)
            assert summary["count"] == 1, name
            assert summary["mean"] == {"overall": 4.0, "privacy": 5.0}, name
            assert summary["nodes"][0]["node"] == beta.host, name
            (item,) = await ratings_on(node, listing_id, as_)
            assert item["author"]["iri"] == beta.actor("ministry"), name
            assert item["text"] == "Works <b>well</b>.", name
        (on_alpha,) = await ratings_on(alpha, published["id"], "city")
        assert on_alpha["iri"] == rating_iri(beta.node.federation.iris, given["id"])
        assert on_alpha["local"] is False

        # The Note a Mastodon user sees, and what its IRI answers.
        async with beta.http.get(
            on_alpha["iri"], headers={"Accept": "application/activity+json"}
        ) as response:
            note = await response.json(content_type=None)
        assert note["type"] == "Note"
        assert note["inReplyTo"] == published["iri"]
        assert "Ministry of Beta rated Medusa ★★★★☆" in note["content"]
        assert "privacy 5/5" in note["content"]
        assert "&lt;b&gt;well&lt;/b&gt;" in note["content"]
        assert note["proof"]["cryptosuite"] == "eddsa-jcs-2022"

        # Replacement: the same rating changes everywhere.
        c.clock.advance(10)
        status, replaced = await beta.api(
            "POST", path, as_="ministry", json={"scores": {"overall": 2}}
        )
        assert (status, replaced["id"]) == (200, given["id"])
        await c.settle()
        for name, (node, listing_id, as_) in views.items():
            summary = await summary_on(node, listing_id, as_)
            assert (summary["count"], summary["mean"]) == (1, {"overall": 2.0}), name

        # Withdrawal: gone everywhere, and its IRI answers 410.
        status, _ = await beta.api("DELETE", path, as_="ministry")
        assert status == 204
        await c.settle()
        for name, (node, listing_id, as_) in views.items():
            assert (await summary_on(node, listing_id, as_))["count"] == 0, name
            assert await ratings_on(node, listing_id, as_) == [], name
        async with beta.http.get(
            on_alpha["iri"], headers={"Accept": "application/activity+json"}
        ) as response:
            assert response.status == 410
        for node in c.nodes.values():
            assert await dead_errors(node) == [], node.name


async def test_a_hub_relays_a_signed_rating_and_the_receiver_trusts_its_proof(
    tmp_path: Path,
) -> None:
    async with cluster(tmp_path, "alpha", "beta", "hub", "gamma", settings={"hub": HUB}) as c:
        alpha, beta, hub, gamma = c["alpha"], c["beta"], c["hub"], c["gamma"]
        await alpha.org("city")
        await beta.org("ministry")
        await follow(c, "beta", "ministry", alpha.actor("city"))
        await catalog_follows(c, "hub", "alpha")
        await catalog_follows(c, "hub", "beta")
        await catalog_follows(c, "gamma", "hub")
        await gamma.org("reader")
        published = await publish_file(alpha, "city")
        await c.settle()
        on_beta = await listing_id_on(beta, published["iri"], "ministry")
        on_gamma = await listing_id_on(gamma, published["iri"], "reader")
        assert on_beta is not None
        assert on_gamma is not None

        fetched = record_fetches(gamma)
        status, given = await beta.api(
            "POST",
            f"/api/v1/listings/{on_beta}/ratings",
            as_="ministry",
            json={"scores": {"overall": 5, "security": 4}},
        )
        assert status == 201
        await c.settle()
        iri = rating_iri(beta.node.federation.iris, given["id"])
        (held,) = await ratings_on(gamma, on_gamma, "reader")
        assert (held["iri"], held["scores"]) == (iri, {"overall": 5, "security": 4})
        assert held["via"] == f"{hub.origin}/catalog"
        assert iri not in fetched  # accepted by its proof, never fetched from beta
        assert (await summary_on(gamma, on_gamma, "reader"))["nodes"][0]["node"] == beta.host

        # A tampered copy relayed by the hub is not taken: the proof fails, so the rating is
        # re-read from its origin and the genuine scores stay.
        async with beta.http.get(iri, headers={"Accept": "application/activity+json"}) as response:
            note = await response.json(content_type=None)
        tampered = {**note, "scores": [{**note["scores"][0], "ratingValue": 1}]}
        async with hub.node.uow() as tx:
            await reannounce(tx, hub.node.federation, iri, "tampered", live=True, document=tampered)
        await c.settle()
        (held,) = await ratings_on(gamma, on_gamma, "reader")
        assert held["scores"] == {"overall": 5, "security": 4}
        assert iri in fetched

        # A forged rating under a new IRI, nowhere at its origin: nothing is stored.
        forged = {**tampered, "id": iri + "x"}
        async with hub.node.uow() as tx:
            await reannounce(tx, hub.node.federation, forged["id"], "f", live=True, document=forged)
        await c.settle()
        assert len(await ratings_on(gamma, on_gamma, "reader")) == 1

        # The withdrawal travels through the hub too.
        status, _ = await beta.api("DELETE", f"/api/v1/listings/{on_beta}/ratings", as_="ministry")
        assert status == 204
        await c.settle()
        assert await ratings_on(gamma, on_gamma, "reader") == []
        for node in c.nodes.values():
            assert await dead_errors(node) == [], node.name


async def relayed_announces(node: ClusterNode, object_iri: str) -> int:
    """How many Announces of `object_iri` (embedded or by IRI) the node's catalog sent."""
    async with node.node.db.transaction(readonly=True) as connection:
        rows = await connection.execute(
            sa.text("SELECT document FROM activities WHERE type = 'Announce' AND org_id IS NULL")
        )
        documents = [json.loads(row[0]) for row in rows]
    return sum(id_of(d.get("object")) == object_iri for d in documents)


async def test_hubs_following_each_other_relay_a_signed_rating_once_each(
    tmp_path: Path,
) -> None:
    async with cluster(
        tmp_path, "alpha", "beta", "north", "south", settings={"north": HUB, "south": HUB}
    ) as c:
        alpha, beta, north, south = c["alpha"], c["beta"], c["north"], c["south"]
        await alpha.org("city")
        await beta.org("ministry")
        await follow(c, "beta", "ministry", alpha.actor("city"))
        for hub in ("north", "south"):
            await catalog_follows(c, hub, "alpha")
            await catalog_follows(c, hub, "beta")
        await catalog_follows(c, "north", "south")
        await catalog_follows(c, "south", "north")
        published = await publish_file(alpha, "city")
        await c.settle()
        on_beta = await listing_id_on(beta, published["iri"], "ministry")
        status, given = await beta.api(
            "POST",
            f"/api/v1/listings/{on_beta}/ratings",
            as_="ministry",
            json={"scores": {"overall": 3}},
        )
        assert status == 201
        await c.settle()  # raises when the hubs keep bouncing the Announce
        iri = rating_iri(beta.node.federation.iris, given["id"])
        assert await relayed_announces(north, iri) == 1
        assert await relayed_announces(south, iri) == 1
        await north.org("reader")
        on_north = await listing_id_on(north, published["iri"], "reader")
        assert on_north is not None
        (held,) = await ratings_on(north, on_north, "reader")
        assert held["scores"] == {"overall": 3}
