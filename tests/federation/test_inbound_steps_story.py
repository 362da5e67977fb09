"""A commission step applied from another node's activity queues no commission event on the
node that applies it: the acting party's own node tells it, so a job there would only take
three transactions to find its actor is not local. A step made here queues exactly one. The
row kept for another node's object is linked to its IRI in the same transaction, so a crash
and the inbox job's replay make no second row."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
import sqlalchemy as sa

from commonsnode.commission_events import COMMISSION_EVENT_JOB
from federation.commission_delivery import OFFER_LINK, REQUEST_LINK
from federation.contract_delivery import CONTRACT_LINK
from storage.repositories.commission_links import SqlCommissionLinkRepository
from tests.federation.cluster import Cluster, ClusterNode, cluster
from tests.federation.test_commission_story import (
    DAY,
    bid_body,
    commission_network,
    day,
    directed_request,
    eur,
    mirror_of,
    request_body,
)
from tests.federation.test_contract_dispute_story import act, seen_by, signed_contract
from tests.federation.test_listing_story import dead_errors

pytestmark = pytest.mark.cluster

MINUTE = 60.0


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


def crash_at_link(monkeypatch: pytest.MonkeyPatch, kinds: set[str]) -> set[str]:
    """The next link of each kind in `kinds` fails as if the node died there; returns the
    kinds not yet failed (the test checks each crash happened)."""
    original = SqlCommissionLinkRepository.link

    async def crash_once(
        self: SqlCommissionLinkRepository, iri: str, kind: str, local_id: str, now: float
    ) -> bool:
        if kind in kinds:
            kinds.discard(kind)
            raise RuntimeError(f"the node died while linking {iri}")
        return await original(self, iri, kind, local_id, now)

    monkeypatch.setattr(SqlCommissionLinkRepository, "link", crash_once)
    return kinds


async def settle_with_retries(c: Cluster) -> None:
    """Settle, then again once the failed inbox jobs are due for their retry."""
    await c.settle()
    c.clock.advance(5 * MINUTE)
    await c.settle()


async def test_a_crash_before_the_link_then_the_replay_keeps_one_row(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The node dies while linking another node's request, bid or contract to the row it keeps:
    the inbox job's replay of the same activity makes no second mirror, bid or contract, and
    the bid it took is not refused as a duplicate."""
    async with cluster(tmp_path, "alpha", "beta", "gamma") as c:
        alpha, beta = c["alpha"], c["beta"]
        await commission_network(c)
        pending = crash_at_link(monkeypatch, {REQUEST_LINK, OFFER_LINK, CONTRACT_LINK})

        # the public request's Create: beta's mirror
        status, _ = await beta.api(
            "POST", "/api/v1/follows", as_="dev", json={"target": alpha.actor("city")}
        )
        assert status == 202
        await c.settle()
        body = request_body(c, [], title="A public portal")
        status, public = await alpha.api("POST", "/api/v1/requests", as_="city", json=body)
        assert status == 201, public
        await settle_with_retries(c)
        assert REQUEST_LINK not in pending
        await mirror_of(beta, "dev", "A public portal")  # exactly one

        # the directed request's Offer, the bid's Offer, the award's contract
        pending.update({REQUEST_LINK})
        body = request_body(c, [beta.actor("dev")])
        status, posted = await alpha.api("POST", "/api/v1/requests", as_="city", json=body)
        assert status == 201, posted
        await settle_with_retries(c)
        on_beta = await mirror_of(beta, "dev", body["title"])
        status, bid = await beta.api(
            "POST", f"/api/v1/requests/{on_beta['id']}/bids", as_="dev", json=bid_body(c)
        )
        assert status == 201, bid
        await settle_with_retries(c)
        _, seen = await alpha.api("GET", f"/api/v1/requests/{posted['id']}", as_="city")
        assert len(seen["bids"]) == 1, seen["bids"]
        _, own = await beta.api("GET", f"/api/v1/requests/{on_beta['id']}", as_="dev")
        assert [b["status"] for b in own["my_bids"]] == ["submitted"], own
        c.clock.advance(11 * DAY)
        status, contract = await alpha.api(
            "POST",
            f"/api/v1/requests/{posted['id']}/award",
            as_="city",
            json={"bid": seen["bids"][0]["id"]},
        )
        assert status == 201, contract
        await settle_with_retries(c)
        assert pending == set()
        _, listed = await beta.api("GET", "/api/v1/contracts", as_="dev")
        assert len(listed["items"]) == 1, listed
        # the copy is linked: alpha's signature reaches it
        status, signed = await alpha.api(
            "POST", f"/api/v1/contracts/{contract['id']}/sign", as_="city"
        )
        assert status == 200, signed
        await c.settle()
        seen_b = await seen_by(beta, listed["items"][0]["id"], "dev")
        assert [(s["role"], s["signed"], s["valid"]) for s in seen_b["signatures"]] == [
            ("buyer", True, True),
            ("supplier", False, False),
        ], seen_b
        async with alpha.node.uow(readonly=True) as tx:
            assert len(await tx.bids.for_request(posted["id"])) == 1
