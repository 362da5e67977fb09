"""A node under attack (one cluster node with an organisation) and a peer we fully control."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.federation.cluster import Cluster, ClusterNode, cluster
from tests.federation.fakepeer import FakePeer, fake_peer


@dataclass
class Target:
    """The node under attack, its organisation's inbox, and the attacker's server."""

    cluster: Cluster
    node: ClusterNode
    peer: FakePeer

    @property
    def inbox(self) -> str:
        return self.node.actor("city") + "/inbox"

    @property
    def org(self) -> str:
        return self.node.actor("city")

    async def count(self, table: str) -> int:
        async with self.node.node.db.transaction(readonly=True) as connection:
            return int(await connection.scalar(sa.text(f"SELECT count(*) FROM {table}")) or 0)

    async def nothing_stored(self) -> None:
        """The side effects an accepted activity has: none of them happened."""
        assert await self.count("jobs") == 0
        assert await self.count("inbox_log") == 0
        assert await self.count("follows") == 0


@pytest.fixture
async def target(tmp_path: Path) -> AsyncIterator[Target]:
    async with cluster(tmp_path, "alpha") as c, fake_peer() as peer:
        await c["alpha"].org("city")
        yield Target(c, c["alpha"], peer)
