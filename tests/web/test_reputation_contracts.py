"""A completed commission contract feeds reputation: each party gains a "contract" input from
the other; a signed but unfinished contract gives none."""

from __future__ import annotations

from typing import Any

from tests.conftest import SHARED
from tests.web import test_commissions_api as story
from tests.web.test_commissions_api import CITY, DEV, World, awarded_contract
from tests.web.test_reputation_node import rate_remotely

world = story.world  # the single-node fixture of the commission story


async def contract_inputs(world: World, actor: str) -> list[dict[str, Any]]:
    await world.node.worker(concurrency=1).drain()  # the recomputation the change queued
    response = await world.client.get("/api/v1/reputation", params={"actor": actor})
    assert response.status == 200, await response.text()
    document = await response.json()
    total = sum(item["contribution"] for item in document["inputs"])
    assert abs(total - document["score"]) < 1e-6  # explained: the inputs add up to the score
    return [item for item in document["inputs"] if item["kind"] == "contract"]


async def test_a_completed_contract_is_an_input_for_both_parties(world: World) -> None:
    yaml = (SHARED / "publiccode" / "v0" / "valid" / "valid.yml").read_text("utf-8")
    response = await world.client.post(
        "/api/v1/listings",
        data=yaml,
        headers={**world.tokens["dev"], "Content-Type": "application/yaml"},
    )
    _, _, cid = await awarded_contract(world, listing=(await response.json())["id"])
    await world.call("POST", f"/api/v1/contracts/{cid}/sign", "city")
    await world.call("POST", f"/api/v1/contracts/{cid}/sign", "dev")
    assert await contract_inputs(world, DEV) == []  # signed, not finished: nothing yet

    for n in (1, 2):
        await world.call("POST", f"/api/v1/contracts/{cid}/milestones/{n}/deliver", "dev")
        await world.call("POST", f"/api/v1/contracts/{cid}/milestones/{n}/accept", "city")
    for receiver, giver in ((DEV, CITY), (CITY, DEV)):
        inputs = await contract_inputs(world, receiver)
        assert [(i["source"], i["value"]) for i in inputs] == [(giver, 4)]
        assert inputs[0]["via"].endswith(f"/contracts/{cid}")


async def test_a_contract_survives_the_read_that_meets_a_new_node(world: World) -> None:
    """A recomputation that meets a node for the first time (here: a remote rater's) notes it
    and goes on with the same inputs: the finished contract must survive that step."""
    yaml = (SHARED / "publiccode" / "v0" / "valid" / "valid.yml").read_text("utf-8")
    response = await world.client.post(
        "/api/v1/listings",
        data=yaml,
        headers={**world.tokens["dev"], "Content-Type": "application/yaml"},
    )
    listing_id = (await response.json())["id"]
    _, _, cid = await awarded_contract(world, listing=listing_id)
    for who in ("city", "dev"):
        await world.call("POST", f"/api/v1/contracts/{cid}/sign", who)
    for n in (1, 2):
        await world.call("POST", f"/api/v1/contracts/{cid}/milestones/{n}/deliver", "dev")
        await world.call("POST", f"/api/v1/contracts/{cid}/milestones/{n}/accept", "city")
    await rate_remotely(world.node, listing_id, "https://fresh.example/orgs/x", 4)
    await world.node.worker(concurrency=1).drain()  # the queued recomputation, stored
    async with world.node.uow(readonly=True) as tx:
        stored = await tx.reputation.stored(DEV)
    assert stored is not None
    inputs = [i for i in stored.document["inputs"] if i["kind"] == "contract"]  # type: ignore[union-attr,index]
    assert [(i["source"], i["value"]) for i in inputs] == [(CITY, 4)]
