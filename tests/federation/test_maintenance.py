"""Housekeeping keeps per-host records, key failures and the inbox log bounded."""

from __future__ import annotations

from pathlib import Path

from federation import maintenance
from tests.federation.cluster import cluster


async def test_housekeeping_prunes_expired_state_and_reschedules_itself(tmp_path: Path) -> None:
    async with cluster(tmp_path, "alpha") as c:
        node = c["alpha"].node
        now = c.clock.now()
        async with node.uow() as tx:
            for i in range(1000):  # thousands of failing hosts leave bounded state
                await tx.hosts.put(f"h{i}.example", {"host": f"h{i}.example"}, expires_at=now + 10)
            await tx.actors.record_key_failure("k", until=now + 10, reason="410")
            await tx.inbox_log.record("https://a.example/1", "/inbox", "a", now)
        await maintenance.schedule(node.federation)
        await maintenance.schedule(node.federation)  # idempotent: one live job
        assert (await node.queue.counts())["ready"] == 1
        c.clock.advance(maintenance.INBOX_LOG_RETENTION + 1)
        assert await c.settle() == 1
        async with node.uow(readonly=True) as tx:
            assert await tx.hosts.get("h1.example") is None
            assert await tx.actors.key_failure("k", c.clock.now()) is None
            assert await tx.inbox_log.record("https://a.example/1", "/inbox", "a", 0.0)
        assert (await node.queue.counts())["ready"] == 1  # the next run is queued
        c.clock.advance(maintenance.PRUNE_EVERY)
        assert await c.settle() == 1
