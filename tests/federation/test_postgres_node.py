"""A node on PostgreSQL federating with a node on SQLite: the same story, both back ends."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import postgres_or_skip
from tests.databases import create_postgres_database, drop_postgres_database
from tests.federation.cluster import cluster

pytestmark = [pytest.mark.cluster, pytest.mark.postgres]


async def test_follow_and_unfollow_between_a_postgres_and_a_sqlite_node(tmp_path: Path) -> None:
    await postgres_or_skip()
    name, url = await create_postgres_database()
    try:
        settings = {"alpha": {"database": {"url": url}}}
        async with cluster(tmp_path, "alpha", "beta", settings=settings) as c:
            alpha, beta = c["alpha"], c["beta"]
            assert alpha.node.db.dialect == "postgresql"
            await alpha.org("city")
            await beta.org("devs", kind="developer")
            status, _ = await alpha.api(
                "POST", "/api/v1/follows", as_="city", json={"target": f"acct:devs@{beta.host}"}
            )
            assert status == 202
            await c.settle()
            _, following = await alpha.api("GET", "/api/v1/follows", as_="city")
            assert [(f["actor"], f["state"]) for f in following["items"]] == [
                (beta.actor("devs"), "accepted")
            ]
            status, _ = await beta.api(
                "POST", "/api/v1/follows", as_="devs", json={"target": alpha.actor("city")}
            )
            await c.settle()
            _, followers = await alpha.api("GET", "/api/v1/followers", as_="city")
            assert [(f["actor"], f["state"]) for f in followers["items"]] == [
                (beta.actor("devs"), "accepted")
            ]
            await alpha.api("DELETE", f"/api/v1/follows?actor={beta.actor('devs')}", as_="city")
            await c.settle()
            _, beta_followers = await beta.api("GET", "/api/v1/followers", as_="devs")
            assert beta_followers["items"] == []
    finally:
        await drop_postgres_database(name)
