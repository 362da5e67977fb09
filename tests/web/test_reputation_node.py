"""Reputation through the node: seeds from [reputation] trusted, ratings as the node stores
them (local through the API, federated through store_remote_rating), the debounced recompute
job, GET /api/v1/reputation and the /reputation page.

Sybil resistance: 200 fresh actors on one newly seen node, one of them followed by the node's
own organisation, all rating a tool 1 star move its reputation less than 5 ratings from the 5
organisations the operator trusts move another tool's.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from aiohttp.test_utils import TestClient, TestServer

from commonsnode.clock import FixedClock
from commonsnode.model.follows import Follow
from commonsnode.reputation_events import REPUTATION_JOB
from commonsnode.usecases.organisations import create_organisation, create_token
from commonsnode.usecases.ratings import store_remote_rating
from commonsnode.usecases.reputation import (
    ON_DEMAND_MAX_AGE,
    ReputationService,
    ReputationSettings,
)
from tests.databases import upgrade
from tests.web.conftest import node_config
from tests.web.test_listings_api import VALID, YAML, auth
from web.app import Node, build_node, create_app, moderate

ORIGIN = "http://127.0.0.1:8080"
TRUSTED = [f"https://trusted-{i}.example/orgs/council-{i}" for i in range(5)]
SYBIL_NODE = "sybil.example"
SYBILS = [f"https://{SYBIL_NODE}/users/u{i}" for i in range(200)]


@pytest.fixture
async def rnode(tmp_path: Path, db_url: str) -> AsyncIterator[Node]:
    config = node_config(tmp_path, db_url, reputation={"trusted": TRUSTED})
    built = build_node(config, FixedClock())
    await upgrade(built.db)
    try:
        yield built
    finally:
        await built.close()


@pytest.fixture
async def rclient(rnode: Node) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(create_app(rnode))) as test_client:
        yield test_client


async def publish_tool(client: TestClient, token: str, repository: str) -> dict[str, Any]:
    text = (VALID / "valid.yml").read_text(encoding="utf-8")
    lines = [
        f'url: "{repository}"' if line.startswith("url:") else line for line in text.splitlines()
    ]
    response = await client.post(
        "/api/v1/listings", data="\n".join(lines) + "\n", headers=auth(token, **YAML)
    )
    assert response.status == 201, await response.text()
    return await response.json()  # type: ignore[no-any-return]


async def rate_remotely(node: Node, listing_id: str, author: str, stars: int) -> None:
    async with node.uow(readonly=True) as tx:
        listing = await tx.listings.get_by_id(listing_id)
    assert listing is not None
    host = author.split("/")[2]
    await store_remote_rating(
        node.uow,
        node.clock,
        listing,
        origin_iri=f"{author}/ratings/{listing_id}",
        author_iri=author,
        node_host=host,
        via_iri=author,
        scores={"overall": stars},
        text="",
        published_at=node.clock.now(),
    )


async def reputation(client: TestClient, **query: str) -> dict[str, Any]:
    response = await client.get("/api/v1/reputation", params=query)
    assert response.status == 200, await response.text()
    return await response.json()  # type: ignore[no-any-return]


async def recompute_jobs(node: Node) -> int:
    async with node.db.transaction(readonly=True) as connection:
        rows = await connection.execute(
            sa.text("SELECT count(*) FROM jobs WHERE kind = :kind"), {"kind": REPUTATION_JOB}
        )
        return int(rows.scalar_one())


async def stored(node: Node, subject: str) -> dict[str, Any] | None:
    async with node.uow(readonly=True) as tx:
        found = await tx.reputation.stored(subject)
    return None if found is None else dict(found.document)


async def run_due_jobs(node: Node) -> None:
    await node.worker(concurrency=1).drain()


def assert_explained(document: dict[str, Any]) -> None:
    total = sum(item["contribution"] for item in document["inputs"])
    assert total == pytest.approx(document["score"], abs=1e-6)
    assert document["inputs"][0]["kind"] == "prior"


async def test_sybils_move_a_tool_less_than_five_trusted_organisations(
    rnode: Node, rclient: TestClient
) -> None:
    await create_organisation(
        rnode.uow, rnode.clock, handle="alderney", name="Alderney", kind="developer"
    )
    token = await create_token(rnode.uow, rnode.clock, handle="alderney")
    attacked = await publish_tool(rclient, token, "https://git.example/alderney/attacked")
    praised = await publish_tool(rclient, token, "https://git.example/alderney/praised")
    # A foothold: the node's own organisation (a seed) follows one of the fresh accounts.
    async with rnode.uow() as tx:
        org = await tx.organisations.get_by_handle("alderney")
        assert org is not None
        now = rnode.clock.now()
        await tx.follows.save(
            Follow("f1", "out", org.id, SYBILS[0], "accepted", f"{ORIGIN}/f1", now, now)
        )
    for sybil in SYBILS:
        await rate_remotely(rnode, attacked["id"], sybil, 1)
    for trusted in TRUSTED:
        await rate_remotely(rnode, praised["id"], trusted, 5)
    assert await recompute_jobs(rnode) == 1  # 205 changes, one queued job

    await run_due_jobs(rnode)
    attacked_doc = await stored(rnode, f"{ORIGIN}/tools/git.example/alderney/attacked")
    praised_doc = await stored(rnode, f"{ORIGIN}/tools/git.example/alderney/praised")
    assert attacked_doc is not None
    assert praised_doc is not None
    assert await reputation(rclient, tool="git.example/alderney/attacked") == attacked_doc

    sybil_move = 3.0 - attacked_doc["score"]
    trusted_move = praised_doc["score"] - 3.0
    assert 0 < sybil_move < trusted_move
    assert trusted_move > 1.0  # five seeds at full weight: (2×3 + 5×5) / 7
    assert len(attacked_doc["inputs"]) == 1 + len(SYBILS)
    sybil_weight = sum(i["weight"] for i in attacked_doc["inputs"] if i["kind"] == "rating")
    assert sybil_weight <= 1.0 + 1e-9  # the whole new node weighs at most one trusted org
    assert_explained(attacked_doc)
    assert_explained(praised_doc)
    by_actor = await reputation(rclient, actor=f"{ORIGIN}/tools/git.example/alderney/praised")
    assert by_actor == praised_doc
    # The maintainer's reputation gathers its tools' ratings, explained the same way.
    maintainer = await reputation(rclient, actor=f"{ORIGIN}/orgs/alderney")
    assert {i["kind"] for i in maintainer["inputs"]} == {"prior", "tool-rating"}
    assert_explained(maintainer)


async def test_a_new_rating_triggers_recomputation_and_moves_the_score(
    rnode: Node, rclient: TestClient
) -> None:
    await create_organisation(
        rnode.uow, rnode.clock, handle="alderney", name="Alderney", kind="developer"
    )
    token = await create_token(rnode.uow, rnode.clock, handle="alderney")
    await create_organisation(
        rnode.uow, rnode.clock, handle="bramble", name="Bramble", kind="government"
    )
    rater = await create_token(rnode.uow, rnode.clock, handle="bramble")
    listing = await publish_tool(rclient, token, "https://git.example/alderney/tool")
    subject = f"{ORIGIN}/tools/git.example/alderney/tool"
    await rate_remotely(rnode, listing["id"], TRUSTED[0], 4)
    await run_due_jobs(rnode)
    before = await stored(rnode, subject)
    assert before is not None
    assert before["score"] == pytest.approx((2 * 3 + 4) / 3)

    path = f"/api/v1/listings/{listing['id']}/ratings"
    response = await rclient.post(path, json={"scores": {"overall": 1}}, headers=auth(rater))
    assert response.status == 201
    assert await recompute_jobs(rnode) == 1
    assert await reputation(rclient, tool="git.example/alderney/tool") == before  # not yet
    await run_due_jobs(rnode)
    after = await reputation(rclient, tool="git.example/alderney/tool")
    assert after["score"] == pytest.approx((2 * 3 + 4 + 1) / 4)
    assert {i["source"] for i in after["inputs"]} == {None, TRUSTED[0], f"{ORIGIN}/orgs/bramble"}
    assert_explained(after)
    # Withdrawing is a change too.
    response = await rclient.delete(path, headers=auth(rater))
    assert response.status == 204
    await run_due_jobs(rnode)
    assert (await reputation(rclient, tool="git.example/alderney/tool"))["score"] == (
        pytest.approx(before["score"])
    )

    page = await rclient.get("/reputation", params={"tool": "git.example/alderney/tool"})
    html = await page.text()
    assert page.status == 200
    assert TRUSTED[0] in html
    assert "Contribution" in html
    tool_page = await (await rclient.get("/tools/git.example/alderney/tool")).text()
    assert "/reputation?tool=git.example%2Falderney%2Ftool" in tool_page


async def test_unknown_and_malformed_subjects(rnode: Node, rclient: TestClient) -> None:
    response = await rclient.get(
        "/api/v1/reputation", params={"actor": "https://nowhere.example/orgs/x"}
    )
    assert response.status == 404
    assert response.content_type == "application/problem+json"
    for query in ({}, {"actor": "not-an-iri"}, {"tool": "a b"}, {"actor": ORIGIN, "tool": "x"}):
        response = await rclient.get("/api/v1/reputation", params=query)
        assert response.status == 422, query
        assert response.content_type == "application/problem+json"
    assert (await rclient.get("/reputation", params={"tool": "git.example/no/tool"})).status == 404
    assert (await rclient.get("/reputation")).status == 422
    # An organisation of this node is known before any job ran: computed on demand (by an
    # engine refreshed at most once per ON_DEMAND_MAX_AGE, so the clock moves past it first).
    await create_organisation(
        rnode.uow, rnode.clock, handle="alderney", name="Alderney", kind="developer"
    )
    assert isinstance(rnode.clock, FixedClock)
    rnode.clock.advance(ON_DEMAND_MAX_AGE + 1)
    body = await reputation(rclient, actor=f"{ORIGIN}/orgs/alderney")
    assert body["score"] == 3.0
    assert body["kind"] == "developer"
    assert json.loads(json.dumps(body)) == body


async def test_recomputation_is_incremental_and_equals_a_full_one(
    rnode: Node, rclient: TestClient
) -> None:
    await create_organisation(
        rnode.uow, rnode.clock, handle="alderney", name="Alderney", kind="developer"
    )
    token = await create_token(rnode.uow, rnode.clock, handle="alderney")
    listing = await publish_tool(rclient, token, "https://git.example/alderney/tool")
    subject = f"{ORIGIN}/tools/git.example/alderney/tool"
    service = rnode.reputation
    assert service is not None
    for i, trusted in enumerate(TRUSTED):
        await rate_remotely(rnode, listing["id"], trusted, 1 + i % 5)
    first = await service.recompute()
    assert first.full
    await rate_remotely(rnode, listing["id"], TRUSTED[0], 5)  # replaces its 1-star rating
    await rate_remotely(rnode, listing["id"], SYBILS[0], 1)
    second = await service.recompute()
    assert not second.full  # warm: only the changes were handed to the engine
    assert second.written >= 1
    incremental = await stored(rnode, subject)
    fresh = ReputationService(rnode.uow, rnode.clock, ReputationSettings.of(rnode.config))
    engine, full = await fresh.refresh()
    assert full
    assert incremental is not None
    assert incremental["score"] == pytest.approx(engine.score(subject).score, abs=1e-6)
    assert incremental["score"] == pytest.approx((2 * 3 + 5 + 2 + 3 + 4 + 5) / 7)


async def test_a_blocked_domain_drops_out_of_reputation(rnode: Node, rclient: TestClient) -> None:
    await create_organisation(
        rnode.uow, rnode.clock, handle="alderney", name="Alderney", kind="developer"
    )
    token = await create_token(rnode.uow, rnode.clock, handle="alderney")
    listing = await publish_tool(rclient, token, "https://git.example/alderney/tool")
    await rate_remotely(rnode, listing["id"], TRUSTED[0], 5)
    await run_due_jobs(rnode)
    assert (await reputation(rclient, tool="git.example/alderney/tool"))["score"] > 3.5
    await moderate(rnode, "block", "trusted-0.example", "spam")
    # A rule change queues nothing (it applies from the next run: a change, or the daily one).
    assert rnode.reputation is not None
    await rnode.reputation.recompute()
    after = await reputation(rclient, tool="git.example/alderney/tool")
    assert after["score"] == 3.0
    assert [i["kind"] for i in after["inputs"]] == ["prior"]
