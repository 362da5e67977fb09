"""A commission step applied from another node's activity queues no commission event on the
node that applies it: the acting party's own node tells it, so a job there would only take
three transactions to find its actor is not local. A step made here queues exactly one."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
import sqlalchemy as sa

from commonsnode.commission_events import COMMISSION_EVENT_JOB
from tests.federation.cluster import Cluster, ClusterNode, cluster
from tests.federation.test_commission_story import (
    DAY,
    commission_network,
    day,
    directed_request,
    eur,
    request_body,
)
from tests.federation.test_contract_dispute_story import act, signed_contract
from tests.federation.test_listing_story import dead_errors

pytestmark = pytest.mark.cluster


async def record_events(node: ClusterNode) -> None:
    """Keep a copy of every commission event the node queues (the worker deletes the job)."""
    async with node.node.db.transaction() as connection:
        await connection.execute(sa.text("CREATE TABLE queued_events (payload TEXT)"))
        await connection.execute(
            sa.text(
                "CREATE TRIGGER keep_event AFTER INSERT ON jobs"
                f" WHEN new.kind = '{COMMISSION_EVENT_JOB}'"
                " BEGIN INSERT INTO queued_events VALUES (new.payload); END"
            )
        )


async def queued(node: ClusterNode) -> list[dict[str, Any]]:
    async with node.node.db.transaction(readonly=True) as connection:
        rows = await connection.execute(sa.text("SELECT payload FROM queued_events"))
        return [json.loads(row.payload) for row in rows]


def steps(events: list[dict[str, Any]]) -> Counter[str]:
    return Counter(f"{e['step']}:{e.get('action', '')}" for e in events)


async def public_request(c: Cluster) -> None:
    """beta's dev follows alpha's city, which posts a public request: beta mirrors it."""
    alpha, beta = c["alpha"], c["beta"]
    status, _ = await beta.api(
        "POST", "/api/v1/follows", as_="dev", json={"target": alpha.actor("city")}
    )
    assert status == 202
    await c.settle()
    body = request_body(c, [], title="A public portal")
    status, posted = await alpha.api("POST", "/api/v1/requests", as_="city", json=body)
    assert status == 201, posted
    await c.settle()


async def test_remote_steps_queue_no_event_and_local_ones_exactly_one(tmp_path: Any) -> None:
    async with cluster(tmp_path, "alpha", "beta", "gamma") as c:
        alpha, beta, gamma = c["alpha"], c["beta"], c["gamma"]
        for node in c.nodes.values():
            await record_events(node)
        await commission_network(c)
        await public_request(c)
        cid_a, cid_b = await signed_contract(c)
        await act(c, beta, cid_b, "dev", "milestones/1/deliver")
        await act(c, alpha, cid_a, "city", "milestones/1/accept")
        payment = {
            "milestone": 1,
            "amount": eur(1_000_000),
            "date": day(c.clock.now()),
            "reference": "TX-1",
        }
        status, paid = await alpha.api(
            "POST", f"/api/v1/contracts/{cid_a}/payments", as_="city", json=payment
        )
        assert status == 201, paid
        await c.settle()
        # a second request, cancelled: beta's and gamma's mirrors follow
        posted, on_beta, _ = await directed_request(c, title="A cancelled portal")
        status, cancelled = await alpha.api(
            "POST", f"/api/v1/requests/{posted['id']}/cancel", as_="city", json={"reason": "no"}
        )
        assert status == 200, cancelled
        await c.settle()
        _, mirror = await beta.api("GET", f"/api/v1/requests/{on_beta['id']}", as_="dev")
        assert mirror["state"] == "cancelled"
        c.clock.advance(DAY)
        await c.settle()

        for node in c.nodes.values():
            foreign = [e for e in await queued(node) if not e["actor"].startswith(node.origin)]
            assert foreign == [], node.name
            assert await dead_errors(node) == [], node.name
        assert steps(await queued(alpha)) == Counter(
            {
                "request-published:": 3,  # public, awarded, cancelled
                "bids-told:": 2,  # the award, the cancellation
                "request-updated:": 2,
                "contract-sent:": 1,
                "contract-told:sign": 1,
                "contract-told:accept": 1,
                "payment-recorded:": 1,
            }
        )
        assert steps(await queued(beta)) == Counter(
            {"bid-offered:": 1, "contract-told:sign": 1, "contract-told:deliver": 1}
        )
        assert await queued(gamma) == []
