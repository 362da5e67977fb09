"""A request's IRI answers AS2 between real nodes: a public request its signed Article (the
proof verifies on another node), a directed one only to its requester's and recipients' nodes;
and a catalog that starts following after a public request was published learns of it by
backfill, kept by the requester's proof (retried, not refused, while the requester's keys
cannot be read)."""

from __future__ import annotations

from typing import Any

import pytest

from federation import integrity
from federation.fetch import FetchBudget, FetchError
from federation.integrity import verify_author
from federation.jobs import INBOX_RETRY
from federation.resolve import ResolveError
from tests.federation.cluster import ClusterNode, cluster
from tests.federation.test_catalog_story import catalog, catalog_follows
from tests.federation.test_commission_story import (
    commission_network,
    directed_request,
    mirror_of,
    request_body,
)
from tests.federation.test_listing_story import dead_errors

pytestmark = pytest.mark.cluster
AS2 = {"Accept": "application/activity+json"}
HOUR = 3_600.0


async def test_a_public_request_iri_answers_its_signed_article(tmp_path: Any) -> None:
    async with cluster(tmp_path, "alpha", "gamma") as c:
        alpha, gamma = c["alpha"], c["gamma"]
        await alpha.org("city", name="City of Alpha")
        status, posted = await alpha.api(
            "POST", "/api/v1/requests", as_="city", json=request_body(c, [])
        )
        assert status == 201, posted
        iri = f"{alpha.origin}/requests/{posted['id']}"

        fetched = await gamma.node.federation.fetcher.fetch_activity(iri, budget=FetchBudget())
        article = fetched.document
        assert article is not None
        assert article["@context"]
        assert (article["type"], article["id"], article["state"]) == ("Article", iri, "open")
        assert article["attributedTo"] == alpha.actor("city")
        assert article["name"] == posted["title"]
        author = await verify_author(gamma.node.federation, article, FetchBudget())
        assert author == alpha.actor("city")
        async with gamma.http.get(iri, headers=AS2) as got:  # unsigned: a public document
            assert got.status == 200
            assert "Accept" in got.headers["Vary"]

        # Browsers still get the page on the same path (and the form at /requests/new).
        async with gamma.http.get(iri, headers={"Accept": "text/html"}) as got:
            assert got.status == 200
            assert got.content_type == "text/html"
            assert got.headers["Vary"] == "Accept"
            assert posted["title"] in await got.text()
        async with gamma.http.get(f"{alpha.origin}/requests/new", allow_redirects=False) as got:
            assert got.status != 404

        # A cancelled request still exists: 200 with its state and reason, still signed.
        status, _ = await alpha.api(
            "POST", f"/api/v1/requests/{posted['id']}/cancel", as_="city", json={"reason": "no"}
        )
        assert status == 200
        fetched = await gamma.node.federation.fetcher.fetch_activity(iri, budget=FetchBudget())
        article = fetched.document
        assert article is not None
        assert (article["state"], article["cancelReason"]) == ("cancelled", "no")
        assert await verify_author(gamma.node.federation, article, FetchBudget()) == (
            alpha.actor("city")
        )

        # A draft has no document, nor has an unknown id.
        status, draft = await alpha.api(
            "POST", "/api/v1/requests", as_="city", json=request_body(c, [], draft=True)
        )
        assert status == 201, draft
        for missing in (draft["id"], "nope"):
            async with gamma.http.get(f"{alpha.origin}/requests/{missing}", headers=AS2) as got:
                assert got.status == 404, missing


async def test_a_directed_request_iri_answers_only_its_parties(tmp_path: Any) -> None:
    async with cluster(tmp_path, "alpha", "beta", "gamma", "delta") as c:
        alpha, beta, delta = c["alpha"], c["beta"], c["delta"]
        await commission_network(c)
        posted, on_beta, _ = await directed_request(c)
        iri = f"{alpha.origin}/requests/{posted['id']}"

        async with delta.http.get(iri, headers=AS2) as got:  # unsigned
            assert got.status == 404
        fetched = await beta.node.federation.fetcher.fetch_activity(iri, budget=FetchBudget())
        article = fetched.document
        assert article is not None
        assert (article["type"], article["id"], article["state"]) == ("Article", iri, "open")
        assert article["to"] == [beta.actor("dev"), c["gamma"].actor("help")]
        assert article["name"] == on_beta["title"]
        with pytest.raises(FetchError) as refused:  # signed by a node no recipient is on
            await delta.node.federation.fetcher.fetch_activity(iri, budget=FetchBudget())
        assert refused.value.status == 404
        # The mirror on beta is not beta's to serve: its IRI is on alpha.
        async with alpha.http.get(f"{beta.origin}/requests/{on_beta['id']}", headers=AS2) as got:
            assert got.status == 404
        for node in c.nodes.values():
            assert await dead_errors(node) == [], node.name


async def test_a_late_catalog_follower_backfills_a_public_request(tmp_path: Any) -> None:
    async with cluster(tmp_path, "alpha", "gamma") as c:
        alpha, gamma = c["alpha"], c["gamma"]
        await alpha.org("city", name="City of Alpha")
        await gamma.org("help", kind="support-company", name="Help Ltd")
        status, posted = await alpha.api(
            "POST", "/api/v1/requests", as_="city", json=request_body(c, [])
        )
        assert status == 201, posted
        # A second one, cancelled before gamma follows: the outbox holds its last state only,
        # and a cancelled request is not mirrored.
        status, gone = await alpha.api(
            "POST", "/api/v1/requests", as_="city", json=request_body(c, [], title="Gone")
        )
        assert status == 201, gone
        status, _ = await alpha.api(
            "POST", f"/api/v1/requests/{gone['id']}/cancel", as_="city", json={"reason": "x"}
        )
        assert status == 200
        await c.settle()
        _, board = await gamma.api("GET", "/api/v1/requests", as_="help")
        assert board["items"] == []

        await catalog_follows(c, "gamma", "alpha")
        await c.settle()
        mirror = await mirror_of(gamma, "help", posted["title"])
        assert mirror["state"] == "open"
        assert mirror["requester"]["id"] == alpha.actor("city")
        assert mirror["description"] == posted["description"]
        _, board = await gamma.api("GET", "/api/v1/requests", as_="help")
        assert [item["title"] for item in board["items"]] == [posted["title"]]
        for node in (alpha, gamma):
            assert await dead_errors(node) == [], node.name


def requester_keys_fail(
    monkeypatch: pytest.MonkeyPatch, actor: str, failure: FetchError
) -> dict[str, bool]:
    """Reading `actor`'s keys fails with `failure` while the returned switch is on."""
    switch = {"on": True}
    original = integrity.fetch_actor

    async def flaky(fed: Any, iri: str, budget: FetchBudget) -> Any:
        if switch["on"] and iri == actor:
            raise ResolveError(iri, f"fetch_{failure.reason}") from failure
        return await original(fed, iri, budget)

    monkeypatch.setattr(integrity, "fetch_actor", flaky)
    return switch


async def backfill_done(node: ClusterNode, remote: str) -> bool:
    async with node.node.uow(readonly=True) as tx:
        cursor = await tx.catalog.backfill(remote)
    return cursor is not None and cursor.finished_at is not None


async def test_a_backfilled_request_waits_while_its_requesters_keys_cannot_be_read(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Alpha's city cannot be read for a while (its keys with it): the request's proof is not
    refused for that; the backfill is retried before its cursor moves past the request."""
    async with cluster(tmp_path, "alpha", "gamma") as c:
        alpha, gamma = c["alpha"], c["gamma"]
        await alpha.org("city", name="City of Alpha")
        await gamma.org("help", kind="support-company", name="Help Ltd")
        status, posted = await alpha.api(
            "POST", "/api/v1/requests", as_="city", json=request_body(c, [])
        )
        assert status == 201, posted
        await c.settle()
        outage = requester_keys_fail(
            monkeypatch, alpha.actor("city"), FetchError(alpha.actor("city"), "connection_failed")
        )
        await catalog_follows(c, "gamma", "alpha")
        await c.settle()
        _, board = await gamma.api("GET", "/api/v1/requests", as_="help")
        assert board["items"] == []
        assert not await backfill_done(gamma, catalog(alpha))
        assert await dead_errors(gamma) == []

        outage["on"] = False
        c.clock.advance(HOUR)
        await c.settle()
        mirror = await mirror_of(gamma, "help", posted["title"])
        assert mirror["requester"]["id"] == alpha.actor("city")
        assert await backfill_done(gamma, catalog(alpha))
        for node in (alpha, gamma):
            assert await dead_errors(node) == [], node.name


async def test_a_backfilled_request_is_refused_for_keys_that_are_gone_and_skipped_at_last(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A requester whose actor answers 404 has no key to prove the request: refused, and the
    backfill goes on at once. One that stays unreachable is skipped on the job's last attempt,
    so the catalog's other items are not left behind for good."""
    async with cluster(tmp_path, "alpha", "beta", "gamma") as c:
        alpha, beta, gamma = c["alpha"], c["beta"], c["gamma"]
        await alpha.org("city", name="City of Alpha")
        await beta.org("town", name="Town of Beta")
        await gamma.org("help", kind="support-company", name="Help Ltd")
        for node, who in ((alpha, "city"), (beta, "town")):
            status, posted = await node.api(
                "POST", "/api/v1/requests", as_=who, json=request_body(c, [])
            )
            assert status == 201, posted
        await c.settle()
        city = alpha.actor("city")
        requester_keys_fail(monkeypatch, city, FetchError(city, "http_status", status=404))
        await catalog_follows(c, "gamma", "alpha")
        await c.settle()
        assert await backfill_done(gamma, catalog(alpha))
        _, board = await gamma.api("GET", "/api/v1/requests", as_="help")
        assert board["items"] == []

        town = beta.actor("town")
        requester_keys_fail(monkeypatch, town, FetchError(town, "timeout"))
        await catalog_follows(c, "gamma", "beta")  # the first attempt
        for _ in range(INBOX_RETRY.max_attempts - 1):
            assert not await backfill_done(gamma, catalog(beta))
            c.clock.advance(2 * HOUR)
            await c.settle()
        assert await backfill_done(gamma, catalog(beta))
        _, board = await gamma.api("GET", "/api/v1/requests", as_="help")
        assert board["items"] == []
        assert await dead_errors(gamma) == []
