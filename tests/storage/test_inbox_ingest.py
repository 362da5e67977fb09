"""The inbox ingest on SQLite and PostgreSQL: dedupe, one job per new entry, all or nothing."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable

import asyncpg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from commonsnode.clock import FixedClock
from commonsnode.jobs import NewJob
from commonsnode.ports import InboxEntry, InboxIngest
from storage.db import Database
from storage.inbox_log import SqlInboxIngest
from storage.sqlite_ingest import SqliteInboxIngest
from storage.tables import inbox_log, jobs

IngestFactory = Callable[[], InboxIngest]


@pytest.fixture
async def make_ingest(database: Database, clock: FixedClock) -> AsyncIterator[IngestFactory]:
    """New ingests on the test database (several stand for several node processes)."""
    made: list[InboxIngest] = []

    def make() -> InboxIngest:
        ingest: InboxIngest
        if database.dialect == "sqlite":
            path = make_url(database.url).database or ""
            ingest = SqliteInboxIngest(path, clock, synchronous="normal")
        else:
            ingest = SqlInboxIngest(database, clock)
        made.append(ingest)
        return ingest

    yield make
    for ingest in made:
        await ingest.close()


def entry(n: int, recipient: str = "/inbox", kind: str = "inbox.process") -> InboxEntry:
    actor = f"https://peer.example/users/u{n % 3}"
    activity_id = f"https://peer.example/activities/{n}"
    payload = {"activity": {"id": activity_id, "type": "Follow"}, "recipient": recipient}
    return InboxEntry(activity_id, recipient, actor, NewJob(kind, payload, f"inbox:{actor}"))


async def logged(database: Database) -> list[tuple[str, str]]:
    async with database.transaction(readonly=True) as connection:
        rows = await connection.execute(
            sa.select(inbox_log.c.activity_id, inbox_log.c.recipient).order_by(
                inbox_log.c.activity_id, inbox_log.c.recipient
            )
        )
        return [(row.activity_id, row.recipient) for row in rows]


async def queued(database: Database) -> list[tuple[str, str]]:
    """(activity id, recipient) of every queued job, in job id order."""
    async with database.transaction(readonly=True) as connection:
        rows = await connection.execute(sa.select(jobs.c.payload).order_by(jobs.c.id))
        payloads = [json.loads(row.payload) for row in rows]
    return [(payload["activity"]["id"], payload["recipient"]) for payload in payloads]


async def test_a_duplicate_in_one_batch_and_across_batches_is_logged_and_queued_once(
    database: Database, make_ingest: IngestFactory
) -> None:
    ingest = make_ingest()
    a, b = entry(1), entry(2)
    assert await ingest.record_batch([a, b, entry(1)]) == [True, True, False]
    assert await ingest.record_batch([entry(2), entry(1)]) == [False, False]
    assert await ingest.record_batch([entry(3), entry(2)]) == [True, False]
    expected = [(e.activity_id, e.recipient) for e in (a, b, entry(3))]
    assert await logged(database) == expected
    assert await queued(database) == expected


async def test_one_activity_for_two_recipients_is_two_entries(
    database: Database, make_ingest: IngestFactory
) -> None:
    ingest = make_ingest()
    assert await ingest.record_batch([entry(1, "/inbox"), entry(1, "/orgs/city/inbox")]) == [
        True,
        True,
    ]
    assert len(await logged(database)) == 2
    assert len(await queued(database)) == 2


async def test_jobs_are_queued_in_arrival_order(
    database: Database, make_ingest: IngestFactory
) -> None:
    """Job ids order the jobs sharing an ordering key: a batch keeps the order it arrived in."""
    ingest = make_ingest()
    batch = [entry(n) for n in (9, 3, 7, 1, 8, 2)]
    await ingest.record_batch(batch)
    assert await queued(database) == [(e.activity_id, e.recipient) for e in batch]


async def test_a_failed_batch_leaves_neither_log_rows_nor_jobs(
    database: Database, make_ingest: IngestFactory
) -> None:
    ingest = make_ingest()
    broken = entry(2, kind=None)  # type: ignore[arg-type]  # NOT NULL violated by the job
    with pytest.raises(Exception):  # noqa: B017, PT011 - each driver raises its own type
        await ingest.record_batch([entry(1), broken])
    assert await logged(database) == []
    assert await queued(database) == []
    # Nothing was remembered: the sender's retry is accepted.
    assert await ingest.record_batch([entry(1), entry(2)]) == [True, True]
    assert len(await queued(database)) == 2


async def test_concurrent_ingests_with_overlapping_batches_queue_each_entry_once(
    database: Database, make_ingest: IngestFactory
) -> None:
    """Two node processes receiving the same deliveries at once: one job per entry."""
    first, second = make_ingest(), make_ingest()
    for round_ in range(5):
        numbers = range(round_ * 20, round_ * 20 + 20)
        results = await asyncio.gather(
            first.record_batch([entry(n) for n in numbers]),
            second.record_batch([entry(n) for n in reversed(numbers)]),
        )
        fresh_first, fresh_second = results[0], list(reversed(results[1]))
        assert all(a != b for a, b in zip(fresh_first, fresh_second, strict=True))
    assert len(await logged(database)) == 100
    assert sorted(await queued(database)) == await logged(database)


async def test_postgres_ingest_reconnects_after_losing_its_connection(
    database: Database, make_ingest: IngestFactory
) -> None:
    if database.dialect != "postgresql":
        pytest.skip("SQLite has no server connection to lose")
    ingest = make_ingest()
    assert await ingest.record_batch([entry(1)]) == [True]
    dsn = make_url(database.url).set(drivername="postgresql").render_as_string(False)
    admin = await asyncpg.connect(dsn)
    try:
        killed = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND application_name = 'commonsnode inbox'"
        )
    finally:
        await admin.close()
    assert killed >= 1
    assert await ingest.record_batch([entry(2), entry(1)]) == [True, False]
    assert await queued(database) == [(entry(n).activity_id, "/inbox") for n in (1, 2)]
