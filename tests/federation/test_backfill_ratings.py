"""Backfill carries signed ratings: a node whose catalog starts following another catalog after
ratings were given gets them from that catalog's outbox, kept by their FEP-8b32 proof (never
fetched from the rater's node), with the rated listing read from its origin."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from federation import backfill
from federation.catalog import BACKFILL_JOB
from federation.convert.ratings import rating_iri
from federation.fetch import FetchError
from federation.jobs import INBOX_RETRY
from tests.federation.cluster import Cluster, bind, cluster
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


async def last_attempt_with_raters(
    c: Cluster, monkeypatch: pytest.MonkeyPatch, raters: list[str]
) -> tuple[str, str, list[str]]:
    """beta's ministry rates alpha's listing; gamma's catalog follows beta's, whose page
    also carries a rating by each of `raters` (the n-th at `{rater}/ratings/{n}`, with a
    proof by its key). The first attempt of gamma's backfill stops at the first of them;
    then its last attempt runs. Returns (the real rating, the listing, gamma's fetches in
    the last attempt)."""
    alpha, beta, gamma = c["alpha"], c["beta"], c["gamma"]
    await alpha.org("city", name="City of Alpha")
    await beta.org("ministry", name="Ministry of Beta")
    await gamma.org("reader")
    await follow(c, "beta", "ministry", alpha.actor("city"))
    published = await publish_file(alpha, "city")
    await c.settle()
    on_beta = await listing_id_on(beta, published["iri"], "ministry")
    status, given = await beta.api(
        "POST",
        f"/api/v1/listings/{on_beta}/ratings",
        as_="ministry",
        json={"scores": {"overall": 4}, "text": "Solid."},
    )
    assert status == 201
    await c.settle()
    iri = rating_iri(beta.node.federation.iris, given["id"])
    read_page = backfill._get

    async def page_with_more_raters(fed: Any, url: str) -> dict[str, Any]:
        page = await read_page(fed, url)
        if fed is gamma.node.federation and "orderedItems" in page:
            real = [i["object"] for i in page["orderedItems"] if isinstance(i, dict)]
            (rating,) = [o for o in real if isinstance(o, dict) and o.get("id") == iri]
            page["orderedItems"] += [
                {
                    **rating,
                    "id": f"{rater}/ratings/{n}",
                    "attributedTo": rater,
                    "proof": {**rating["proof"], "verificationMethod": f"{rater}#ed"},
                }
                for n, rater in enumerate(raters)
            ]
        return page

    monkeypatch.setattr(backfill, "_get", page_with_more_raters)
    await catalog_follows(c, "gamma", "beta")
    await c.settle()
    assert not await backfill_done(gamma, catalog(beta))
    async with gamma.node.db.transaction() as connection:
        await connection.execute(
            sa.text("UPDATE jobs SET attempts = :n WHERE kind = :kind"),
            {"n": INBOX_RETRY.max_attempts - 1, "kind": BACKFILL_JOB},
        )
    fetched = record_fetches(gamma)
    c.clock.advance(HOUR)
    await c.settle()
    return iri, published["iri"], fetched


async def assert_finished_with(c: Cluster, iri: str, listing: str) -> None:
    """gamma's backfill of beta finished, nothing dead, and beta's real rating kept."""
    gamma = c["gamma"]
    assert await backfill_done(gamma, catalog(c["beta"]))
    on_gamma = await listing_id_on(gamma, listing, "reader")
    assert on_gamma is not None
    (held,) = await ratings_on(gamma, on_gamma, "reader")
    assert (held["iri"], held["author"]["iri"]) == (iri, c["beta"].actor("ministry"))
    for node in c.nodes.values():
        assert await dead_errors(node) == [], node.name


async def test_the_last_attempt_asks_a_node_that_never_answers_once_and_keeps_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The catalog's page also carries many ratings by an organisation whose node accepts
    connections and never answers. On the backfill's last attempt that node is asked about
    its first rating only; its other ratings are skipped at once (each would wait out its
    fetches, one after another, until the job timed out and the cursor never moved): the
    backfill finishes and the rating by the node that answers is kept."""
    async with cluster(tmp_path, "alpha", "beta", "gamma") as c:
        with bind("127.0.0.9") as silent:  # listens, never accepts: every read hangs
            hanging = f"http://127.0.0.9:{silent.getsockname()[1]}/orgs/h"
            iri, listing, fetched = await last_attempt_with_raters(c, monkeypatch, [hanging] * 20)
        asked = [url for url in fetched if url.startswith(hanging)]
        assert set(asked) <= {hanging, f"{hanging}/ratings/0"}, asked  # its first rating only
        await assert_finished_with(c, iri, listing)


@asynccontextmanager
async def silent_nodes(count: int) -> AsyncIterator[tuple[list[str], list[str]]]:
    """`count` nodes, each on its own loopback address, that accept connections and never
    answer: (an actor IRI on each, the addresses connected to so far)."""
    connected: list[str] = []
    hold = asyncio.Event()

    async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connected.append(writer.get_extra_info("sockname")[0])
        await hold.wait()
        writer.close()

    servers = [
        await asyncio.start_server(never_answer, f"127.0.1.{n}", 0) for n in range(1, count + 1)
    ]
    try:
        actors = [
            "http://{}:{}/o".format(*server.sockets[0].getsockname()[:2]) for server in servers
        ]
        yield actors, connected
    finally:
        hold.set()
        for server in servers:
            server.close()
            await server.wait_closed()


async def test_the_last_attempt_stops_fetching_keys_when_its_time_for_them_is_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ratings by organisations on many different nodes that never answer: asking each in
    turn would outlast the job. Once the last attempt's time for fetching keys is over, the
    rest are checked only against the keys held (none here: skipped, no node asked), and
    the backfill finishes with the rating by the node that answers kept."""
    monkeypatch.setattr(backfill, "SIGNED_SECONDS", 1.0)  # one hung fetch outlasts it
    async with cluster(tmp_path, "alpha", "beta", "gamma") as c, silent_nodes(20) as silent:
        raters, connected = silent
        iri, listing, _ = await last_attempt_with_raters(c, monkeypatch, raters)
        first = raters[0].split("//", 1)[1].split(":", 1)[0]
        assert set(connected) == {first}, connected  # in both attempts: the first rater's
        await assert_finished_with(c, iri, listing)
