"""A public request between real nodes: beta's `devs` follows alpha's `city`; city posts a
public request, beta mirrors it on its board, devs bids from beta, alpha ranks the bid, and
closing the request on alpha closes beta's mirror. A node following nobody keeps no mirror."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from federation.public_requests import public_article
from tests.federation.cluster import Cluster, cluster
from tests.federation.test_catalog_story import catalog_follows
from tests.federation.test_commission_story import DAY, bid_body, mirror_of, request_body
from tests.federation.test_listing_story import dead_errors, send_as

pytestmark = pytest.mark.cluster


async def follow_and_post(c: Cluster) -> dict[str, Any]:
    alpha, beta = c["alpha"], c["beta"]
    await alpha.org("city", name="City of Alpha")
    await beta.org("devs", kind="developer", name="Dev Co-op")
    await beta.org("support", kind="support-company", name="Support Ltd")
    await beta.org("shady", kind="developer", name="Shady Ltd")
    await c["gamma"].org("help", kind="support-company")
    status, _ = await beta.api(
        "POST", "/api/v1/follows", as_="devs", json={"target": alpha.actor("city")}
    )
    assert status == 202
    await c.settle()
    status, posted = await alpha.api(
        "POST", "/api/v1/requests", as_="city", json=request_body(c, [])
    )
    assert status == 201, posted
    assert posted["recipients"] == []
    await c.settle()
    return posted  # type: ignore[no-any-return]


async def test_a_public_request_reaches_followers_takes_their_bids_and_closes(
    tmp_path: Any,
) -> None:
    async with cluster(tmp_path, "alpha", "beta", "gamma") as c:
        alpha, beta, gamma = c["alpha"], c["beta"], c["gamma"]
        posted = await follow_and_post(c)
        mirror = await mirror_of(beta, "devs", posted["title"])
        assert mirror["state"] == "open"
        assert mirror["requester"]["id"] == alpha.actor("city")
        assert mirror["recipients"] == []
        assert mirror["description"] == posted["description"]  # the plain text, not the HTML
        # gamma follows nobody: the same Create sent straight to its inbox leaves no mirror.
        async with alpha.node.uow(readonly=True) as tx:
            request = await tx.commission_requests.get(posted["id"])
        assert request is not None
        article = public_article(
            request,
            f"{alpha.origin}/requests/{posted['id']}",
            origin=alpha.origin,
            followers=f"{alpha.actor('city')}/followers",
        )
        await send_as(c, alpha, "city", "Create", article, gamma)
        _, board = await gamma.api("GET", "/api/v1/requests", as_="help")
        assert board["items"] == []

        status, bid = await beta.api(
            "POST", f"/api/v1/requests/{mirror['id']}/bids", as_="devs", json=bid_body(c)
        )
        assert status == 201, bid
        # Another organisation on beta (following nobody) bids on the same mirror, naming the
        # request by its IRI on alpha; one that city blocks is refused by alpha.
        remote = quote(f"{alpha.origin}/requests/{posted['id']}", safe="")
        status, other = await beta.api(
            "POST",
            f"/api/v1/requests/{remote}/bids",
            as_="support",
            json=bid_body(c, 3_600_000, 80),
        )
        assert status == 201, other
        status, _ = await alpha.api(
            "POST", "/api/v1/blocks", as_="city", json={"actor": beta.actor("shady")}
        )
        assert status == 204
        status, shady = await beta.api(
            "POST", f"/api/v1/requests/{mirror['id']}/bids", as_="shady", json=bid_body(c)
        )
        assert status == 201, shady
        await c.settle()
        status, seen = await alpha.api("GET", f"/api/v1/requests/{posted['id']}", as_="city")
        assert status == 200, seen
        ranked = {b["bidder"]["id"]: b["rank"] for b in seen["bids"]}
        assert ranked == {beta.actor("devs"): 1, beta.actor("support"): 2}
        _, mine = await beta.api("GET", f"/api/v1/requests/{mirror['id']}", as_="shady")
        (refused,) = mine["my_bids"]
        assert refused["status"] == "refused"
        assert refused["refusal"]["content"] == (
            "the requester does not take bids from this organisation"
        )

        c.clock.advance(11 * DAY)
        status, closed = await alpha.api(
            "POST", f"/api/v1/requests/{posted['id']}/close", as_="city"
        )
        assert status == 200, closed
        await c.settle()
        mirror = await mirror_of(beta, "devs", posted["title"])
        assert mirror["state"] == "evaluating"
        for node in (alpha, beta, gamma):
            assert await dead_errors(node) == [], node.name


async def test_a_public_request_reaches_a_following_catalog_through_the_announce(
    tmp_path: Any,
) -> None:
    async with cluster(tmp_path, "alpha", "gamma") as c:
        alpha, gamma = c["alpha"], c["gamma"]
        await alpha.org("city", name="City of Alpha")
        await gamma.org("help", kind="support-company", name="Help Ltd")
        await catalog_follows(c, "gamma", "alpha")
        status, posted = await alpha.api(
            "POST", "/api/v1/requests", as_="city", json=request_body(c, [])
        )
        assert status == 201, posted
        await c.settle()
        mirror = await mirror_of(gamma, "help", posted["title"])
        assert mirror["requester"]["id"] == alpha.actor("city")
        status, bid = await gamma.api(
            "POST", f"/api/v1/requests/{mirror['id']}/bids", as_="help", json=bid_body(c)
        )
        assert status == 201, bid
        await c.settle()
        _, seen = await alpha.api("GET", f"/api/v1/requests/{posted['id']}", as_="city")
        assert [b["bidder"]["id"] for b in seen["bids"]] == [gamma.actor("help")]
        status, _ = await alpha.api(
            "POST", f"/api/v1/requests/{posted['id']}/cancel", as_="city", json={"reason": "x"}
        )
        assert status == 200
        await c.settle()
        mirror = await mirror_of(gamma, "help", posted["title"])
        assert mirror["state"] == "cancelled"
        for node in (alpha, gamma):
            assert await dead_errors(node) == [], node.name
