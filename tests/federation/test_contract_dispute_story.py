"""A dispute's end travels between the parties' nodes: the supplier on beta disputes and
withdraws its dispute, and later terminates the contract the buyer on alpha disputed; alpha's
copy follows each step, with who raised the dispute and why the contract ended."""

from __future__ import annotations

from typing import Any

import pytest

from tests.federation.cluster import Cluster, ClusterNode, cluster
from tests.federation.test_commission_story import (
    DAY,
    bid_body,
    commission_network,
    directed_request,
)
from tests.federation.test_listing_story import dead_errors

pytestmark = pytest.mark.cluster


async def signed_contract(c: Cluster) -> tuple[str, str]:
    """city on alpha awards dev on beta; both sign: (alpha's contract id, beta's)."""
    alpha, beta = c["alpha"], c["beta"]
    posted, on_beta, _ = await directed_request(c)
    status, bid = await beta.api(
        "POST", f"/api/v1/requests/{on_beta['id']}/bids", as_="dev", json=bid_body(c)
    )
    assert status == 201, bid
    await c.settle()
    _, seen = await alpha.api("GET", f"/api/v1/requests/{posted['id']}", as_="city")
    c.clock.advance(11 * DAY)
    status, contract = await alpha.api(
        "POST",
        f"/api/v1/requests/{posted['id']}/award",
        as_="city",
        json={"bid": seen["bids"][0]["id"]},
    )
    assert status == 201, contract
    await c.settle()
    _, listed = await beta.api("GET", "/api/v1/contracts", as_="dev")
    cid_a, cid_b = contract["id"], listed["items"][0]["id"]
    for node, cid, who in ((alpha, cid_a, "city"), (beta, cid_b, "dev")):
        status, signed = await node.api("POST", f"/api/v1/contracts/{cid}/sign", as_=who)
        assert status == 200, signed
        await c.settle()
    return cid_a, cid_b


async def act(c: Cluster, node: ClusterNode, cid: str, who: str, action: str, **body: Any) -> None:
    status, done = await node.api(
        "POST", f"/api/v1/contracts/{cid}/{action}", as_=who, json=body or None
    )
    assert status == 200, done
    await c.settle()


async def seen_by(node: ClusterNode, cid: str, who: str) -> dict[str, Any]:
    status, seen = await node.api("GET", f"/api/v1/contracts/{cid}", as_=who)
    assert status == 200, seen
    return seen  # type: ignore[no-any-return]


async def test_withdrawing_and_terminating_on_one_node_shows_on_the_other(tmp_path: Any) -> None:
    async with cluster(tmp_path, "alpha", "beta", "gamma") as c:
        alpha, beta = c["alpha"], c["beta"]
        await commission_network(c)
        cid_a, cid_b = await signed_contract(c)

        await act(c, beta, cid_b, "dev", "dispute", reason="unpaid")
        on_alpha = await seen_by(alpha, cid_a, "city")
        assert (on_alpha["state"], on_alpha["disputed_by"]) == ("disputed", beta.actor("dev"))
        # Only beta's dev raised it, so alpha's city may not withdraw it on alpha.
        status, refused = await alpha.api(
            "POST", f"/api/v1/contracts/{cid_a}/withdraw-dispute", as_="city"
        )
        assert status == 403, refused
        await act(c, beta, cid_b, "dev", "withdraw-dispute")
        for node, cid, who in ((alpha, cid_a, "city"), (beta, cid_b, "dev")):
            seen = await seen_by(node, cid, who)
            assert (seen["state"], seen["disputed_by"], seen["dispute_reason"]) == (
                "signed",
                None,
                None,
            ), node.name

        await act(c, alpha, cid_a, "city", "dispute", reason="late")
        assert (await seen_by(beta, cid_b, "dev"))["disputed_by"] == alpha.actor("city")
        await act(c, beta, cid_b, "dev", "terminate", reason="no agreement")
        for node, cid, who in ((alpha, cid_a, "city"), (beta, cid_b, "dev")):
            seen = await seen_by(node, cid, who)
            assert (seen["state"], seen["termination_reason"]) == (
                "terminated",
                "no agreement",
            ), node.name
        for node in c.nodes.values():
            assert await dead_errors(node) == [], node.name
