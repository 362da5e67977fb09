"""Ratings that must not count: the maintainer rating its own tool, an unsigned rating, a
blocked domain's ratings (also those already held), ratings of listings nobody here wants."""

from __future__ import annotations

from pathlib import Path

import pytest

from commonsnode.model.ratings import Rating
from federation.convert.ratings import to_ap
from federation.integrity import sign_as
from federation.vocab import DEFAULT_CONTEXT
from tests.federation.cluster import cluster
from tests.federation.test_listing_story import dead_errors, publish_file, send_as
from tests.federation.test_rating_story import (
    follow,
    listing_id_on,
    rated_network,
    ratings_on,
    summary_on,
)

pytestmark = pytest.mark.cluster


async def test_the_maintainer_cannot_rate_its_own_tool_and_a_rating_needs_its_proof(
    tmp_path: Path,
) -> None:
    async with cluster(tmp_path, "alpha", "beta") as c:
        alpha, beta = c["alpha"], c["beta"]
        city = await alpha.org("city")
        await beta.org("ministry")
        await follow(c, "beta", "ministry", alpha.actor("city"))
        published = await publish_file(alpha, "city")
        await c.settle()
        on_beta = await listing_id_on(beta, published["iri"], "ministry")
        assert on_beta is not None
        # The API refuses it on the maintainer's own node...
        status, body = await alpha.api(
            "POST",
            f"/api/v1/listings/{published['id']}/ratings",
            as_="city",
            json={"scores": {"overall": 5}},
        )
        assert status == 403, body
        # ...and a crafted, correctly signed Note from it is refused by the receiver.
        fed = alpha.node.federation
        rating = Rating("self1", published["id"], {"overall": 5}, "best tool", 1.0, 1.0, city.id)
        note = to_ap(
            rating,
            fed.iris,
            handle="city",
            rater_name="City",
            tool_name="Medusa",
            listing_iri=published["iri"],
            listing_author=None,
        )
        signed = await sign_as(fed, city.id, "city", {"@context": DEFAULT_CONTEXT, **note})
        await send_as(c, alpha, "city", "Create", signed, to=beta)
        # An unsigned rating by someone else on alpha: refused for want of a proof.
        await alpha.org("other")
        unsigned = {**note, "id": note["id"] + "u", "attributedTo": alpha.actor("other")}
        await send_as(c, alpha, "other", "Create", unsigned, to=beta)
        assert await ratings_on(beta, on_beta, "ministry") == []
        errors = await dead_errors(beta)
        assert len(errors) == 2, errors
        assert any("maintains" in e for e in errors)
        assert any("proof" in e for e in errors)


async def test_ratings_from_a_blocked_domain_are_ignored_also_those_already_held(
    tmp_path: Path,
) -> None:
    async with cluster(tmp_path, "alpha", "beta", "gamma") as c:
        beta, gamma = c["beta"], c["gamma"]
        _, on_beta, on_gamma = await rated_network(c)
        status, _ = await beta.api(
            "POST",
            f"/api/v1/listings/{on_beta}/ratings",
            as_="ministry",
            json={"scores": {"overall": 1}},
        )
        assert status == 201
        await c.settle()
        assert (await summary_on(gamma, on_gamma, "watcher"))["count"] == 1
        async with gamma.node.uow() as tx:
            await tx.moderation.set_rule(
                beta.host.split(":")[0], "block", "spam", gamma.node.clock.now()
            )
        gamma.node.federation.forget_policy()
        assert (await summary_on(gamma, on_gamma, "watcher"))["count"] == 0
        assert await ratings_on(gamma, on_gamma, "watcher") == []


async def test_a_rating_of_an_unknown_listing_fetches_it_or_is_dropped(tmp_path: Path) -> None:
    async with cluster(tmp_path, "alpha", "beta", "gamma") as c:
        alpha, beta, gamma = c["alpha"], c["beta"], c["gamma"]
        await alpha.org("city")
        await beta.org("ministry")
        await gamma.org("watcher")
        await follow(c, "beta", "ministry", alpha.actor("city"))
        await follow(c, "gamma", "watcher", beta.actor("ministry"))
        published = await publish_file(alpha, "city")
        await c.settle()
        on_beta = await listing_id_on(beta, published["iri"], "ministry")
        path = f"/api/v1/listings/{on_beta}/ratings"
        status, _ = await beta.api("POST", path, as_="ministry", json={"scores": {"overall": 3}})
        assert status == 201
        await c.settle()
        # gamma follows the rater, not the listing's author: the listing is read, not kept,
        # and the rating is dropped.
        assert await listing_id_on(gamma, published["iri"], "watcher") is None
        assert await dead_errors(gamma) == []

        # Once gamma follows the listing's author, the next rating brings the listing with it.
        await follow(c, "gamma", "watcher", alpha.actor("city"))
        assert await listing_id_on(gamma, published["iri"], "watcher") is None  # no backfill
        c.clock.advance(5)
        status, _ = await beta.api("POST", path, as_="ministry", json={"scores": {"overall": 4}})
        assert status == 200
        await c.settle()
        on_gamma = await listing_id_on(gamma, published["iri"], "watcher")
        assert on_gamma is not None
        (held,) = await ratings_on(gamma, on_gamma, "watcher")
        assert held["scores"] == {"overall": 4}
