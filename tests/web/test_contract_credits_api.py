"""A completed contract credits the listed tool: "commissioned by" the buyer (funder) and "built
by" the supplier (builder), shown on GET /api/v1/listings/{id} and the tool page, once."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from commonsnode.model.follows import Follow
from commonsnode.model.listings import Provenance
from commonsnode.usecases.contract_credits import credit_completed_contract
from commonsnode.usecases.remote_listings import store_remote_listing
from tests.conftest import SHARED
from tests.storage.test_listing_repository import facts
from tests.web import test_commissions_api as story
from tests.web.test_commissions_api import CITY, DEV, ORIGIN, World, awarded_contract

world = story.world  # the single-node fixture of the commission story
REMOTE = "https://b.example/listings/forms"
REMOTE_AUTHOR = "https://b.example/orgs/forms"


async def complete(world: World, listing: str) -> str:
    """Request, bids, award to dev, both signatures, both milestones accepted: the contract id."""
    _, _, cid = await awarded_contract(world, listing=listing)
    await world.call("POST", f"/api/v1/contracts/{cid}/sign", "city")
    await world.call("POST", f"/api/v1/contracts/{cid}/sign", "dev")
    for n in (1, 2):
        await world.call("POST", f"/api/v1/contracts/{cid}/milestones/{n}/deliver", "dev")
        await world.call("POST", f"/api/v1/contracts/{cid}/milestones/{n}/accept", "city")
    done = await world.call("GET", f"/api/v1/contracts/{cid}", "city")
    assert done["state"] == "completed"
    return cid


def contract_credits(listing: dict[str, Any]) -> list[tuple[str, str, str | None, str | None]]:
    return [
        (c["role"], c["party"]["name"], c["party"]["iri"], c["source_ref"])
        for c in listing["credits"]
        if c["source"] == "contract"
    ]


async def test_a_completed_contract_credits_its_local_listing_once(world: World) -> None:
    yaml = (SHARED / "publiccode" / "v0" / "valid" / "valid.yml").read_text("utf-8")
    response = await world.client.post(
        "/api/v1/listings",
        data=yaml,
        headers={**world.tokens["dev"], "Content-Type": "application/yaml"},
    )
    assert response.status == 201
    listing = await response.json()
    lid = listing["id"]
    before = await world.call("GET", f"/api/v1/listings/{lid}", None)
    assert contract_credits(before) == []

    cid = await complete(world, lid)

    contract_iri = f"{ORIGIN}/contracts/{cid}"
    shown = await world.call("GET", f"/api/v1/listings/{lid}", None)
    assert contract_credits(shown) == [
        ("funder", "City of Alderney", CITY, contract_iri),
        ("builder", "Dev Co-op", DEV, contract_iri),
    ]
    page = await world.client.get(f"/tools/{shown['repository_key']}")
    html = await page.text()
    assert page.status == 200
    assert "City of Alderney" in html
    assert "Dev Co-op" in html
    assert "a completed contract" in html

    # Replaying the completion (a redelivered activity, a retried job) adds nothing.
    async with world.node.uow() as tx:
        found = await tx.contracts.get(cid)
        assert found is not None
        added = await credit_completed_contract(tx, world.node.federation.iris, found[0], 1.0)
    assert added == []
    again = await world.call("GET", f"/api/v1/listings/{lid}", None)
    assert contract_credits(again) == contract_credits(shown)


async def test_a_contract_about_a_federated_listing_credits_the_local_copy(world: World) -> None:
    async with world.node.uow() as tx:
        city = await tx.organisations.get_by_handle("city")
        assert city is not None
        await tx.follows.save(
            Follow("f1", "out", city.id, REMOTE_AUTHOR, "accepted", f"{ORIGIN}/a/1", 1.0, 1.0)
        )
    now = world.clock.now()
    copy = await store_remote_listing(
        world.node.uow,
        world.clock,
        facts(name="Forms", repo="https://github.com/b/forms"),
        Provenance(REMOTE, REMOTE_AUTHOR, "b.example", now, REMOTE_AUTHOR),
        now,
    )
    assert copy is not None

    cid = await complete(world, REMOTE)

    shown = await world.call("GET", f"/api/v1/listings/{copy.id}", None)
    assert [(role, name) for role, name, _, _ in contract_credits(shown)] == [
        ("funder", "City of Alderney"),
        ("builder", "Dev Co-op"),
    ]
    assert {ref for *_, ref in contract_credits(shown)} == {f"{ORIGIN}/contracts/{cid}"}


async def test_a_caller_without_the_node_iris_credits_the_same_listing(world: World) -> None:
    """The contract's own origin names our listings when the caller passes no IRIs."""
    yaml = (SHARED / "publiccode" / "v0" / "valid" / "valid.yml").read_text("utf-8")
    response = await world.client.post(
        "/api/v1/listings",
        data=yaml,
        headers={**world.tokens["dev"], "Content-Type": "application/yaml"},
    )
    lid = (await response.json())["id"]
    cid = await complete(world, lid)
    async with world.node.db.transaction() as connection:
        await connection.execute(sa.text("DELETE FROM credits WHERE source = 'contract'"))
    async with world.node.uow() as tx:
        found = await tx.contracts.get(cid)
        assert found is not None
        added = await credit_completed_contract(tx, None, found[0], 2.0)
    assert [(c.listing_id, c.role) for c in added] == [(lid, "funder"), (lid, "builder")]
    shown = await world.call("GET", f"/api/v1/listings/{lid}", None)
    assert [role for role, *_ in contract_credits(shown)] == ["funder", "builder"]
