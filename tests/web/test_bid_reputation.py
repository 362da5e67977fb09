"""The bid ranking takes each bidder's reputation from the node's stored scores (1–5 stars onto
0–1); a bidder the node has no score for stays neutral (0.5)."""

from __future__ import annotations

from commonsnode.model.reputation_sources import StoredScore
from tests.web import test_commissions_api as story
from tests.web.test_commissions_api import DEV, HELP, World, bid_body, request_body

world = story.world  # the single-node fixture of the commission story


async def test_the_ranking_uses_the_bidders_stored_reputation(world: World) -> None:
    async with world.node.uow() as tx:
        await tx.reputation.store(
            [StoredScore(DEV, "developer", 5.0, {"actor": DEV, "inputs": []}, 1.0)], []
        )
    request = await world.call("POST", "/api/v1/requests", "city", request_body(), 201)
    path = f"/api/v1/requests/{request['id']}/bids"
    await world.call("POST", path, "dev", bid_body(), 201)
    await world.call("POST", path, "help", bid_body(), 201)  # the same terms as dev's
    view = await world.call("GET", f"/api/v1/requests/{request['id']}", "city")
    reputation = {
        bid["bidder"]["id"]: next(
            p["score"] for p in bid["score"] if p["criterion"] == "reputation"
        )
        for bid in view["bids"]
    }
    assert reputation == {DEV: 1.0, HELP: 0.5}
    assert view["bids"][0]["bidder"]["id"] == DEV  # same price and timeline: reputation decides
