"""The publisher signs its credit before it opens the transaction that announces and keeps it:
reading the organisation's key inside that transaction opened a second one while the first
held SQLite's write lock (and a second pooled connection on PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from commonsnode.credit_events import CREDIT_EVENT_JOB, CreditEvent
from commonsnode.ports import UnitOfWork
from federation.credits import handle_credit_event
from tests.federation.cluster import cluster
from tests.federation.test_catalog_story import publish_many

pytestmark = pytest.mark.cluster

CONTRACT = "https://a.example/contracts/1"


async def test_the_credit_is_signed_outside_the_write_transaction(tmp_path: Any) -> None:
    async with cluster(tmp_path, "delta") as c:
        delta = c["delta"]
        pub = await delta.org("pub")
        (listing_iri,) = await publish_many(delta, pub, 1)
        await c.settle()
        listing_id = listing_iri.rsplit("/", 1)[1]
        document = {"id": CONTRACT, "scope": {"listing": listing_iri}}
        evidence = {"document": document, "signatures": []}
        event = CreditEvent(listing_id, CONTRACT, evidence, c.clock.now())
        async with delta.node.uow() as tx:
            await tx.jobs.enqueue(event.to_job())
        (job,) = await delta.node.queue.claim("test", 10, 60.0)
        assert job.kind == CREDIT_EVENT_JOB

        fed = delta.node.federation
        fed._org_keys.clear()  # so signing reads the key from the database
        real = fed.uow
        writing = 0
        nested: list[bool] = []

        @asynccontextmanager
        async def watched(*, readonly: bool = False) -> AsyncIterator[UnitOfWork]:
            nonlocal writing
            if writing:
                nested.append(readonly)
            async with real(readonly=readonly) as tx:
                writing += not readonly
                try:
                    yield tx
                finally:
                    writing -= not readonly

        fed.uow = watched
        try:
            await handle_credit_event(fed, job)
        finally:
            fed.uow = real
        assert nested == []
        async with delta.node.uow(readonly=True) as tx:
            kept = await tx.credits.kept_credits(pub.id, None, 10)
        assert [(row[0], row[1]) for row in kept] == [(listing_id, CONTRACT)]
