"""Follows between real nodes: WebFinger, signed delivery both ways, Accept/Reject/Undo."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.federation.cluster import cluster

pytestmark = pytest.mark.cluster


async def test_follow_by_acct_is_accepted_and_listed_on_both_sides(tmp_path: Path) -> None:
    async with cluster(tmp_path, "alpha", "beta") as c:
        alpha, beta = c["alpha"], c["beta"]
        await alpha.org("city")
        await beta.org("devs", kind="developer")
        status, body = await alpha.api(
            "POST", "/api/v1/follows", as_="city", json={"target": f"acct:devs@{beta.host}"}
        )
        assert status == 202, body
        assert body["state"] == "pending"
        await c.settle()
        _, following = await alpha.api("GET", "/api/v1/follows", as_="city")
        assert following["items"] == [
            {**following["items"][0], "actor": beta.actor("devs"), "state": "accepted"}
        ]
        _, followers = await beta.api("GET", "/api/v1/followers", as_="devs")
        assert [(f["actor"], f["state"]) for f in followers["items"]] == [
            (alpha.actor("city"), "accepted")
        ]


async def test_manual_approval_holds_then_rejects(tmp_path: Path) -> None:
    async with cluster(tmp_path, "alpha", "beta") as c:
        alpha, beta = c["alpha"], c["beta"]
        await alpha.org("city")
        await beta.org("devs", kind="developer")
        await beta.api(
            "PATCH", "/api/v1/me", as_="devs", json={"manually_approves_followers": True}
        )
        await alpha.api("POST", "/api/v1/follows", as_="city", json={"target": beta.actor("devs")})
        await c.settle()
        _, pending = await beta.api("GET", "/api/v1/followers?state=pending", as_="devs")
        assert [f["actor"] for f in pending["items"]] == [alpha.actor("city")]
        _, following = await alpha.api("GET", "/api/v1/follows", as_="city")
        assert following["items"][0]["state"] == "pending"
        status, _ = await beta.api(
            "POST", "/api/v1/followers/reject", as_="devs", json={"actor": alpha.actor("city")}
        )
        assert status == 200
        await c.settle()
        _, following = await alpha.api("GET", "/api/v1/follows", as_="city")
        assert following["items"][0]["state"] == "rejected"


async def test_unfollow_removes_the_follower_on_the_other_node(tmp_path: Path) -> None:
    async with cluster(tmp_path, "alpha", "beta") as c:
        alpha, beta = c["alpha"], c["beta"]
        await alpha.org("city")
        await beta.org("devs", kind="developer")
        await alpha.api("POST", "/api/v1/follows", as_="city", json={"target": beta.actor("devs")})
        await c.settle()
        status, _ = await alpha.api(
            "DELETE", f"/api/v1/follows?actor={beta.actor('devs')}", as_="city"
        )
        assert status == 204
        await c.settle()
        _, followers = await beta.api("GET", "/api/v1/followers", as_="devs")
        assert followers["items"] == []


async def test_followers_collection_is_paged_and_counts_accepted(tmp_path: Path) -> None:
    async with cluster(tmp_path, "alpha", "beta", "gamma") as c:
        await c["alpha"].org("city")
        await c["gamma"].org("ngo", kind="civil-society")
        await c["beta"].org("devs", kind="developer")
        for name, handle in (("alpha", "city"), ("gamma", "ngo")):
            await c[name].api(
                "POST", "/api/v1/follows", as_=handle, json={"target": c["beta"].actor("devs")}
            )
        await c.settle()
        http = c["beta"].http
        headers = {"Accept": "application/activity+json"}
        async with http.get(c["beta"].actor("devs") + "/followers", headers=headers) as r:
            front = await r.json(content_type=None)
        assert front["type"] == "OrderedCollection"
        assert front["totalItems"] == 2
        async with http.get(front["first"], headers=headers) as r:
            first = await r.json(content_type=None)
        assert sorted(first["orderedItems"]) == sorted(
            [c["alpha"].actor("city"), c["gamma"].actor("ngo")]
        )


async def test_a_blocked_actor_is_rejected_until_the_block_is_lifted(tmp_path: Path) -> None:
    async with cluster(tmp_path, "alpha", "beta") as c:
        alpha, beta = c["alpha"], c["beta"]
        await alpha.org("city")
        await beta.org("devs", kind="developer")
        status, _ = await beta.api(
            "POST", "/api/v1/blocks", as_="devs", json={"actor": alpha.actor("city")}
        )
        assert status == 204
        await alpha.api("POST", "/api/v1/follows", as_="city", json={"target": beta.actor("devs")})
        await c.settle()
        _, following = await alpha.api("GET", "/api/v1/follows", as_="city")
        assert following["items"][0]["state"] == "rejected"
        path = f"/api/v1/blocks?actor={alpha.actor('city')}"
        assert (await beta.api("DELETE", path, as_="devs"))[0] == 204
        assert (await beta.api("DELETE", path, as_="devs"))[0] == 404
        await alpha.api("POST", "/api/v1/follows", as_="city", json={"target": beta.actor("devs")})
        await c.settle()
        _, following = await alpha.api("GET", "/api/v1/follows", as_="city")
        assert following["items"][0]["state"] == "accepted"
