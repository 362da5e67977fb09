"""A commission step made while the other party's node is down still reaches it: the step is
answered (2xx) as soon as it is committed here, with its event queued in the same transaction,
and the worker tells the other node once it is back — retrying the event while that node's
actor cannot be resolved, and the delivery while its inbox does not answer."""

from __future__ import annotations

import json
from typing import Any
from unittest.mock import ANY

import pytest
import sqlalchemy as sa

from commonsnode.commission_events import COMMISSION_EVENT_JOB, CommissionEvent
from commonsnode.jobs import NewJob
from commonsnode.model.contracts import Party
from commonsnode.usecases.requests import create_request
from federation.fetch import FetchBudget
from federation.jobs import COMMISSION_RETRY
from federation.outbox import SEND_JOB
from federation.resolve import resolve_actor
from tests.federation.cluster import ClusterNode, bind, cluster
from tests.federation.test_commission_story import DAY, bid_body, mirror_of, request_body
from tests.federation.test_listing_story import dead_errors
from tests.federation.test_report_story import operator

pytestmark = pytest.mark.cluster

MINUTE = 60.0


async def queued_events(node: ClusterNode) -> list[dict[str, Any]]:
    """The node's commission events not yet told: step, attempts, last error."""
    async with node.node.db.transaction(readonly=True) as connection:
        rows = await connection.execute(
            sa.text(
                "SELECT payload, attempts, last_error, state FROM jobs"
                " WHERE kind = :kind ORDER BY id"
            ),
            {"kind": COMMISSION_EVENT_JOB},
        )
        return [
            {
                "step": json.loads(row.payload)["step"],
                "attempts": row.attempts,
                "error": row.last_error or "",
                "state": row.state,
            }
            for row in rows
        ]


async def failed_deliveries(node: ClusterNode) -> int:
    """Deliveries that failed and wait for their retry."""
    async with node.node.db.transaction(readonly=True) as connection:
        found = await connection.execute(
            sa.text(
                "SELECT count(*) FROM jobs WHERE kind = :kind AND last_error IS NOT NULL"
                " AND state != 'dead'"
            ),
            {"kind": SEND_JOB},
        )
        return int(found.scalar_one())


async def board_titles(node: ClusterNode, handle: str) -> list[str]:
    """The request board on `node`, read from its database (its HTTP may be down)."""
    async with node.node.uow(readonly=True) as tx:
        return [r.terms.title for r in await tx.commission_requests.visible(node.actor(handle), 50)]


async def test_steps_made_while_the_other_node_is_down_arrive_once_it_is_back(
    tmp_path: Any,
) -> None:
    async with cluster(tmp_path, "alpha", "beta") as c:
        alpha, beta = c["alpha"], c["beta"]
        await alpha.org("city", name="City of Alpha")
        await beta.org("dev", kind="developer", name="Dev Co-op")

        # beta is down when alpha's city directs a request to beta's dev (by IRI: alpha has
        # never fetched that actor). The request is made all the same; telling waits.
        await beta.go_down()
        body = request_body(c, [beta.actor("dev")])
        status, posted = await alpha.api("POST", "/api/v1/requests", as_="city", json=body)
        assert status == 201, posted
        await c.settle()
        (event,) = await queued_events(alpha)
        assert event["step"] == "request-published"
        assert event["attempts"] == 1
        assert "no inbox for" in event["error"]
        assert event["state"] != "dead"
        assert await board_titles(beta, "dev") == []

        # beta is back: the event's retry resolves beta's dev and the Offer arrives.
        await beta.come_back()
        c.clock.advance(MINUTE)
        await c.settle()
        assert await queued_events(alpha) == []
        mirror = await mirror_of(beta, "dev", body["title"])
        assert mirror["state"] == "open"

        # Now alpha is down, a day later (beta's copy of alpha's actor is stale, so it cannot
        # refresh it), when beta's dev bids: the bid is taken at once, and the Offer{Bid}
        # reaches alpha once alpha answers again.
        c.clock.advance(DAY + MINUTE)
        await alpha.go_down()
        status, bid = await beta.api(
            "POST", f"/api/v1/requests/{mirror['id']}/bids", as_="dev", json=bid_body(c)
        )
        assert status == 201, bid
        await c.settle()
        assert await queued_events(beta) == []  # told: the delivery retries from here
        assert await failed_deliveries(beta) == 1
        async with alpha.node.uow(readonly=True) as tx:
            assert await tx.bids.for_request(posted["id"]) == []
        await alpha.come_back()
        c.clock.advance(5 * MINUTE)
        await c.settle()
        status, seen = await alpha.api("GET", f"/api/v1/requests/{posted['id']}", as_="city")
        assert status == 200, seen
        assert [b["bidder"]["id"] for b in seen["bids"]] == [beta.actor("dev")]
        for node in (alpha, beta):
            assert await dead_errors(node) == [], node.name


async def test_a_recipient_that_never_answers_is_left_out_on_the_last_attempt(
    tmp_path: Any,
) -> None:
    """One broken recipient holds the step back while it is retried, not for good."""
    async with cluster(tmp_path, "alpha", "beta") as c:
        alpha, beta = c["alpha"], c["beta"]
        await alpha.org("city", name="City of Alpha")
        await beta.org("dev", kind="developer", name="Dev Co-op")
        nowhere = "http://127.0.0.9:9/orgs/nobody"  # nothing listens there
        body = request_body(c, [beta.actor("dev"), nowhere])
        status, posted = await alpha.api("POST", "/api/v1/requests", as_="city", json=body)
        assert status == 201, posted
        attempts = []
        for _ in range(COMMISSION_RETRY.max_attempts):
            await c.settle()
            attempts += [e["attempts"] for e in await queued_events(alpha)]
            c.clock.advance(COMMISSION_RETRY.max_delay * 2)
        assert attempts == list(range(1, COMMISSION_RETRY.max_attempts))
        assert await queued_events(alpha) == []
        mirror = await mirror_of(beta, "dev", body["title"])
        assert mirror["state"] == "open"
        for node in (alpha, beta):
            assert await dead_errors(node) == [], node.name


async def test_the_last_attempt_tells_the_reachable_even_when_others_hang(
    tmp_path: Any,
) -> None:
    """Recipients whose node accepts connections and never answers, more of them than the
    job's time allows one after another, do not keep the last attempt from telling the one
    that answers: they are resolved together, and left out."""
    async with cluster(tmp_path, "alpha", "beta") as c:
        alpha, beta = c["alpha"], c["beta"]
        await alpha.org("city", name="City of Alpha")
        await beta.org("dev", kind="developer", name="Dev Co-op")
        with bind("127.0.0.9") as silent:  # listens, never accepts: every read hangs
            port = silent.getsockname()[1]
            hanging = [f"http://127.0.0.9:{port}/orgs/n{i}" for i in range(13)]
            body = request_body(c, [beta.actor("dev"), *hanging])
            status, posted = await alpha.api("POST", "/api/v1/requests", as_="city", json=body)
            assert status == 201, posted  # told by the worker, on its last attempt here:
            async with alpha.node.db.transaction() as connection:
                await connection.execute(
                    sa.text("UPDATE jobs SET attempts = :n WHERE kind = :kind"),
                    {"n": COMMISSION_RETRY.max_attempts - 1, "kind": COMMISSION_EVENT_JOB},
                )
            await c.settle()
        assert await queued_events(alpha) == []
        mirror = await mirror_of(beta, "dev", body["title"])
        assert mirror["state"] == "open"
        for node in (alpha, beta):
            assert await dead_errors(node) == [], node.name


async def test_recipients_that_cannot_ever_be_told_are_left_out_at_once(
    tmp_path: Any,
) -> None:
    """An actor its node says does not exist (404), one on a blocked domain and one that is
    known gone are no reason to retry: the step reaches the others on its first attempt."""
    async with cluster(tmp_path, "alpha", "beta") as c:
        alpha, beta = c["alpha"], c["beta"]
        await alpha.org("city", name="City of Alpha")
        await beta.org("dev", kind="developer", name="Dev Co-op")
        op = await operator(alpha, "city")
        status, _ = await alpha.api(
            "POST", "/api/v1/admin/domains", as_=op, json={"domain": "127.0.0.9"}
        )
        assert status == 201
        gone = f"{beta.origin}/orgs/gone"
        await beta.org("gone", kind="developer")
        await resolve_actor(alpha.node.federation, gone, FetchBudget())
        async with alpha.node.uow() as tx:
            await tx.actors.mark_gone(gone, c.clock.now())
        missing = beta.actor("nobody")
        blocked = "http://127.0.0.9:9/orgs/blocked"
        body = request_body(c, [beta.actor("dev"), missing, blocked, gone])
        status, posted = await alpha.api("POST", "/api/v1/requests", as_="city", json=body)
        assert status == 201, posted
        await c.settle()
        assert await queued_events(alpha) == []
        mirror = await mirror_of(beta, "dev", body["title"])
        assert mirror["state"] == "open"
        for node in (alpha, beta):
            assert await dead_errors(node) == [], node.name


async def test_a_malformed_event_is_dead_and_another_nodes_step_is_not_echoed(
    tmp_path: Any,
) -> None:
    async with cluster(tmp_path, "alpha", "beta") as c:
        alpha, beta = c["alpha"], c["beta"]
        await alpha.org("city", name="City of Alpha")
        await beta.org("dev", kind="developer", name="Dev Co-op")
        async with alpha.node.uow() as tx:
            await tx.jobs.enqueue(NewJob(COMMISSION_EVENT_JOB, {"step": "request-published"}))
            gone = CommissionEvent("request-published", alpha.actor("city"), "no-such-request")
            await tx.jobs.enqueue(gone.to_job())
        # A public request of beta's dev mirrored here (as the inbox does on its Create) queues
        # its event too, naming beta's actor: it is not told again by this node.
        dev = Party(beta.actor("dev"), "Dev Co-op")
        body = request_body(c, [])
        await create_request(alpha.node.uow, c.clock, dev, body, request_id="mirror")
        assert len(await queued_events(alpha)) == 3
        await c.settle()
        assert await queued_events(alpha) == [
            {"step": "request-published", "attempts": 1, "error": ANY, "state": "dead"}
        ]
        assert "malformed commission event" in (await dead_errors(alpha))[0]
        async with alpha.node.db.transaction(readonly=True) as connection:
            published = await connection.execute(sa.text("SELECT count(*) FROM activities"))
            assert published.scalar_one() == 0  # nothing told for the mirror or the gone request
        assert await dead_errors(beta) == []
