"""Backfill carries signed ratings: a node whose catalog starts following another catalog after
ratings were given gets them from that catalog's outbox, kept by their FEP-8b32 proof (never
fetched from the rater's node), with the rated listing read from its origin."""

from __future__ import annotations

from pathlib import Path

import pytest

from federation.convert.ratings import rating_iri
from federation.fetch import FetchError
from tests.federation.cluster import cluster
from tests.federation.test_catalog_story import catalog, catalog_follows
from tests.federation.test_listing_story import dead_errors, publish_file
from tests.federation.test_rating_story import (
    follow,
    listing_id_on,
    ratings_on,
    record_fetches,
)
from tests.federation.test_request_objects_story import (
    HOUR,
    backfill_done,
    requester_keys_fail,
)

pytestmark = pytest.mark.cluster
AS2 = {"Accept": "application/activity+json"}


async def test_a_late_follower_backfills_ratings_by_their_proof(tmp_path: Path) -> None:
    async with cluster(tmp_path, "alpha", "beta", "gamma") as c:
        alpha, beta, gamma = c["alpha"], c["beta"], c["gamma"]
        await alpha.org("city", name="City of Alpha")
        await beta.org("ministry", name="Ministry of Beta")
        await gamma.org("reader")
        await follow(c, "beta", "ministry", alpha.actor("city"))
        published = await publish_file(alpha, "city")
        await c.settle()
        on_beta = await listing_id_on(beta, published["iri"], "ministry")
        assert on_beta is not None
        status, given = await beta.api(
            "POST",
            f"/api/v1/listings/{on_beta}/ratings",
            as_="ministry",
            json={"scores": {"overall": 4, "security": 3}, "text": "Solid."},
        )
        assert status == 201
        await c.settle()
        iri = rating_iri(beta.node.federation.iris, given["id"])

        # beta's catalog outbox embeds the signed Note in its Announce.
        async with beta.http.get(catalog(beta) + "/outbox?page=true", headers=AS2) as response:
            page = await response.json(content_type=None)
        (announce,) = [i for i in page["orderedItems"] if isinstance(i["object"], dict)]
        assert announce["object"]["id"] == iri
        assert announce["object"]["proof"]["cryptosuite"] == "eddsa-jcs-2022"

        # gamma knew nothing; its catalog follows beta's and backfills.
        assert await listing_id_on(gamma, published["iri"], "reader") is None
        fetched = record_fetches(gamma)
        await catalog_follows(c, "gamma", "beta")
        await c.settle()

        on_gamma = await listing_id_on(gamma, published["iri"], "reader")
        assert on_gamma is not None  # the rated listing, read from alpha
        (held,) = await ratings_on(gamma, on_gamma, "reader")
        assert (held["iri"], held["scores"], held["text"]) == (
            iri,
            {"overall": 4, "security": 3},
            "Solid.",
        )
        assert held["author"]["iri"] == beta.actor("ministry")
        assert held["via"] == catalog(beta)
        assert iri not in fetched  # kept by its proof, not re-read from beta
        for node in c.nodes.values():
            assert await dead_errors(node) == [], node.name


async def test_a_backfilled_rating_waits_while_its_raters_keys_cannot_be_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rater's node cannot give its keys for a while: the rating is not refused for that
    (nor re-read and then refused); the backfill is retried before its cursor moves past it."""
    async with cluster(tmp_path, "alpha", "beta", "gamma") as c:
        alpha, beta, gamma = c["alpha"], c["beta"], c["gamma"]
        await alpha.org("city", name="City of Alpha")
        await beta.org("ministry", name="Ministry of Beta")
        await gamma.org("reader")
        await follow(c, "beta", "ministry", alpha.actor("city"))
        published = await publish_file(alpha, "city")
        await c.settle()
        on_beta = await listing_id_on(beta, published["iri"], "ministry")
        status, _ = await beta.api(
            "POST",
            f"/api/v1/listings/{on_beta}/ratings",
            as_="ministry",
            json={"scores": {"overall": 4}, "text": "Solid."},
        )
        assert status == 201
        await c.settle()
        rater = beta.actor("ministry")
        outage = requester_keys_fail(monkeypatch, rater, FetchError(rater, "connection_failed"))
        await catalog_follows(c, "gamma", "beta")
        await c.settle()
        on_gamma = await listing_id_on(gamma, published["iri"], "reader")
        assert on_gamma is None or await ratings_on(gamma, on_gamma, "reader") == []
        assert not await backfill_done(gamma, catalog(beta))

        outage["on"] = False
        c.clock.advance(HOUR)
        await c.settle()
        on_gamma = await listing_id_on(gamma, published["iri"], "reader")
        assert on_gamma is not None
        (held,) = await ratings_on(gamma, on_gamma, "reader")
        assert held["author"]["iri"] == rater
        assert await backfill_done(gamma, catalog(beta))
        for node in c.nodes.values():
            assert await dead_errors(node) == [], node.name
