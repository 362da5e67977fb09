"""Commission steps taken from the browser pages travel between nodes exactly as the same steps
taken through the JSON API do: a bid from the bid form, the award button, signing, delivering
and accepting milestones and recording a payment from the contract page."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from tests.federation.cluster import ClusterNode, cluster
from tests.federation.test_commission_story import DAY, day, eur, mirror_of, request_body
from tests.federation.test_listing_story import dead_errors

pytestmark = pytest.mark.cluster


async def form_post(node: ClusterNode, path: str, who: str, data: dict[str, str]) -> str:
    """A browser's same-origin form POST, signed in with HTTP Basic (token as the password);
    a success answers with a redirect, whose target is returned."""
    token = base64.b64encode(f"{who}:{node.tokens[who]}".encode()).decode()
    headers = {"Authorization": f"Basic {token}", "Origin": node.origin}
    async with node.http.post(
        node.origin + path, data=data, headers=headers, allow_redirects=False
    ) as response:
        assert response.status == 303, await response.text()
        return response.headers["Location"]


def form_bid(c: Any) -> dict[str, str]:
    return {
        "price": "30000.00",
        "currency": "EUR",
        "timeline_days": "90",
        "approach": "Build it in the open, upstream everything.",
        "team": "lead developer",
        "m1_title": "Prototype",
        "m1_due": day(c.clock.now() + 40 * DAY),
        "m1_amount": "10000",
        "m2_title": "Release",
        "m2_due": day(c.clock.now() + 90 * DAY),
        "m2_amount": "20000.00",
    }


async def test_steps_taken_from_the_pages_reach_the_other_node(tmp_path: Any) -> None:
    async with cluster(tmp_path, "alpha", "beta") as c:
        alpha, beta = c["alpha"], c["beta"]
        await alpha.org("city", name="City of Alpha")
        await beta.org("dev", kind="developer", name="Dev Co-op")
        title = "A permit portal"
        body = request_body(c, [beta.actor("dev")], title=title)
        status, posted = await alpha.api("POST", "/api/v1/requests", as_="city", json=body)
        assert status == 201, posted
        await c.settle()
        on_beta = await mirror_of(beta, "dev", title)

        # dev bids from the bid form on its own node; the bid reaches the requester on alpha.
        await form_post(beta, f"/requests/{on_beta['id']}/bids", "dev", form_bid(c))
        await c.settle()
        status, seen = await alpha.api("GET", f"/api/v1/requests/{posted['id']}", as_="city")
        assert status == 200, seen
        (bid,) = seen["bids"]
        assert bid["bidder"]["id"] == beta.actor("dev")
        assert bid["price"] == eur(3_000_000)

        # city awards from the request page; dev is told and receives the contract.
        c.clock.advance(11 * DAY)
        where = await form_post(
            alpha, f"/requests/{posted['id']}/award", "city", {"bid": bid["id"]}
        )
        cid_a = where.removeprefix("/contracts/")
        await c.settle()
        _, mine = await beta.api("GET", f"/api/v1/requests/{on_beta['id']}", as_="dev")
        assert [b["status"] for b in mine["my_bids"]] == ["awarded"]
        status, listed = await beta.api("GET", "/api/v1/contracts", as_="dev")
        assert status == 200, listed
        (copy,) = listed["items"]
        cid_b = copy["id"]

        # Each party signs from the contract page on its own node; each signature shows on
        # the other node.
        await form_post(beta, f"/contracts/{cid_b}/sign", "dev", {})
        await c.settle()
        _, on_alpha = await alpha.api("GET", f"/api/v1/contracts/{cid_a}", as_="city")
        signed = {s["role"]: (s["signed"], s["valid"]) for s in on_alpha["signatures"]}
        assert signed["supplier"] == (True, True)
        assert signed["buyer"][0] is False
        await form_post(alpha, f"/contracts/{cid_a}/sign", "city", {})
        await c.settle()
        for node, cid, who in ((alpha, cid_a, "city"), (beta, cid_b, "dev")):
            _, shown = await node.api("GET", f"/api/v1/contracts/{cid}", as_=who)
            assert shown["state"] == "signed", node.name
            assert shown["in_force"] is True, node.name

        # Milestones delivered on beta's page and accepted on alpha's page; a payment recorded
        # on alpha's page reaches beta's ledger.
        for n in (1, 2):
            await form_post(beta, f"/contracts/{cid_b}/milestones/{n}/deliver", "dev", {})
            await c.settle()
            await form_post(alpha, f"/contracts/{cid_a}/milestones/{n}/accept", "city", {})
            await c.settle()
        _, done = await beta.api("GET", f"/api/v1/contracts/{cid_b}", as_="dev")
        assert done["state"] == "completed"
        payment = {
            "milestone": "1",
            "amount": "10000.00",
            "date": day(c.clock.now()),
            "reference": "TX-1",
        }
        await form_post(alpha, f"/contracts/{cid_a}/payments", "city", payment)
        await c.settle()
        _, paid_alpha = await alpha.api("GET", f"/api/v1/contracts/{cid_a}/ledger", as_="city")
        _, paid_beta = await beta.api("GET", f"/api/v1/contracts/{cid_b}/ledger", as_="dev")
        assert len(paid_beta["entries"]) == 1
        assert paid_alpha["entries"] == paid_beta["entries"]
        for node in (alpha, beta):
            assert await dead_errors(node) == [], node.name
