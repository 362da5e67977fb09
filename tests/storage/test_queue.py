"""The job queue's storage contract, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from commonsnode.clock import FixedClock
from commonsnode.jobs import JobFailure, LeaseLostError, NewJob
from storage.db import Database
from storage.queue import SqlJobQueue
from storage.unit_of_work import SqlUnitOfWorkFactory


async def _count(database: Database) -> int:
    async with database.transaction(readonly=True) as connection:
        return int(await connection.scalar(sa.text("SELECT count(*) FROM jobs")))


async def test_enqueued_job_is_claimed_with_payload_and_one_attempt(queue: SqlJobQueue) -> None:
    await queue.enqueue_many([NewJob("deliver", {"inbox": "https://a.example/inbox", "n": 1})])
    [job] = await queue.claim("w1", 10, 30)
    assert job.kind == "deliver"
    assert job.payload == {"inbox": "https://a.example/inbox", "n": 1}
    assert job.attempts == 1
    assert await queue.claim("w2", 10, 30) == []  # leased: nobody else gets it


async def test_completed_job_is_gone(queue: SqlJobQueue, database: Database) -> None:
    await queue.enqueue_many([NewJob("a"), NewJob("b")])
    jobs = await queue.claim("w1", 10, 30)
    await queue.settle(jobs, [])
    assert await _count(database) == 0


async def test_jobs_are_claimed_oldest_first_up_to_the_limit(queue: SqlJobQueue) -> None:
    await queue.enqueue_many([NewJob("k", {"i": i}) for i in range(5)])
    first = await queue.claim("w1", 3, 30)
    second = await queue.claim("w1", 3, 30)
    assert [job.payload["i"] for job in first] == [0, 1, 2]
    assert [job.payload["i"] for job in second] == [3, 4]


async def test_run_at_in_the_future_delays_the_job(queue: SqlJobQueue, clock: FixedClock) -> None:
    await queue.enqueue_many([NewJob("later", run_at=clock.now() + 60)])
    assert await queue.claim("w1", 10, 30) == []
    clock.advance(61)
    assert len(await queue.claim("w1", 10, 30)) == 1


async def test_expired_lease_makes_the_job_claimable_again(
    queue: SqlJobQueue, clock: FixedClock
) -> None:
    """A worker that died mid-job: after the lease, another worker runs it again."""
    await queue.enqueue_many([NewJob("k")])
    [first] = await queue.claim("dead-worker", 10, 30)
    clock.advance(29)
    assert await queue.claim("w2", 10, 30) == []
    clock.advance(2)
    [again] = await queue.claim("w2", 10, 30)
    assert again.id == first.id
    assert again.attempts == 2
    assert again.lease_token != first.lease_token


async def test_settle_with_a_lost_lease_changes_nothing(
    queue: SqlJobQueue, clock: FixedClock, database: Database
) -> None:
    await queue.enqueue_many([NewJob("k")])
    [stale] = await queue.claim("slow", 10, 30)
    clock.advance(31)
    [fresh] = await queue.claim("w2", 10, 30)
    await queue.settle([stale], [])  # the slow worker finally reports: ignored
    assert await _count(database) == 1
    await queue.settle([fresh], [])
    assert await _count(database) == 0


async def test_failed_job_is_retried_at_the_given_time_with_its_error(
    queue: SqlJobQueue, clock: FixedClock
) -> None:
    await queue.enqueue_many([NewJob("k")])
    [job] = await queue.claim("w1", 10, 30)
    await queue.settle([], [JobFailure(job, "boom", clock.now() + 100)])
    assert await queue.claim("w1", 10, 30) == []
    clock.advance(100)
    [again] = await queue.claim("w1", 10, 30)
    assert again.attempts == 2
    assert again.last_error == "boom"


async def test_dead_job_is_kept_with_its_reason(queue: SqlJobQueue, clock: FixedClock) -> None:
    await queue.enqueue_many([NewJob("k", {"x": 1})])
    [job] = await queue.claim("w1", 10, 30)
    await queue.settle([], [JobFailure(job, "peer answered 403", None)])
    clock.advance(10_000)
    assert await queue.claim("w1", 10, 30) == []
    [dead] = await queue.dead()
    assert (dead.id, dead.kind, dead.payload, dead.last_error) == (
        job.id,
        "k",
        {"x": 1},
        "peer answered 403",
    )
    assert (await queue.counts())["dead"] == 1


async def test_ordering_key_runs_one_at_a_time_in_order(queue: SqlJobQueue) -> None:
    await queue.enqueue_many(
        [
            NewJob("k", {"n": "create"}, ordering_key="inbox-1"),
            NewJob("k", {"n": "other"}, ordering_key="inbox-2"),
            NewJob("k", {"n": "delete"}, ordering_key="inbox-1"),
        ]
    )
    first = await queue.claim("w1", 10, 30)
    assert [job.payload["n"] for job in first] == ["create", "other"]
    assert await queue.claim("w2", 10, 30) == []  # "delete" waits for "create"
    await queue.settle(first, [])
    [last] = await queue.claim("w2", 10, 30)
    assert last.payload["n"] == "delete"


async def test_ordering_key_waits_for_an_earlier_job_in_retry(
    queue: SqlJobQueue, clock: FixedClock
) -> None:
    """A Delete never overtakes its Create, even while the Create waits to be retried."""
    await queue.enqueue_many(
        [
            NewJob("k", {"n": "create"}, ordering_key="o"),
            NewJob("k", {"n": "delete"}, ordering_key="o"),
        ]
    )
    [create] = await queue.claim("w1", 10, 30)
    await queue.settle([], [JobFailure(create, "503", clock.now() + 300)])
    assert await queue.claim("w1", 10, 30) == []
    clock.advance(300)
    [retried] = await queue.claim("w1", 10, 30)
    assert retried.payload["n"] == "create"


async def test_dead_job_no_longer_blocks_its_ordering_key(
    queue: SqlJobQueue,
) -> None:
    await queue.enqueue_many(
        [NewJob("k", {"n": 1}, ordering_key="o"), NewJob("k", {"n": 2}, ordering_key="o")]
    )
    [first] = await queue.claim("w1", 10, 30)
    await queue.settle([], [JobFailure(first, "gone", None)])
    [second] = await queue.claim("w1", 10, 30)
    assert second.payload["n"] == 2


async def test_dedupe_key_keeps_one_live_job(queue: SqlJobQueue, clock: FixedClock) -> None:
    await queue.enqueue_many(
        [NewJob("k", {"v": 1}, dedupe_key="d"), NewJob("k", {"v": 2}, dedupe_key="d")]
    )
    await queue.enqueue_many([NewJob("k", {"v": 3}, dedupe_key="d")])
    [job] = await queue.claim("w1", 10, 30)
    assert job.payload == {"v": 1}
    await queue.settle([job], [])
    await queue.enqueue_many([NewJob("k", {"v": 4}, dedupe_key="d")])  # done: a new one may come
    [later] = await queue.claim("w1", 10, 30)
    assert later.payload == {"v": 4}


async def test_release_gives_the_job_back_without_counting_the_attempt(
    queue: SqlJobQueue,
) -> None:
    await queue.enqueue_many([NewJob("k")])
    [job] = await queue.claim("w1", 10, 30)
    await queue.release([job])
    [again] = await queue.claim("w2", 10, 30)
    assert again.attempts == 1


async def test_extend_keeps_a_long_job_leased(queue: SqlJobQueue, clock: FixedClock) -> None:
    await queue.enqueue_many([NewJob("k")])
    [job] = await queue.claim("w1", 10, 30)
    clock.advance(20)
    await queue.extend([job], 30)
    clock.advance(20)
    assert await queue.claim("w2", 10, 30) == []


async def test_enqueue_in_a_rolled_back_unit_of_work_leaves_no_job(
    uow: SqlUnitOfWorkFactory, database: Database
) -> None:
    """The transactional outbox: a job exists exactly when the caller's transaction commits."""

    class Abort(Exception):
        pass

    async def enqueue_then_fail() -> None:
        async with uow() as tx:
            await tx.jobs.enqueue(NewJob("k"))
            raise Abort

    with pytest.raises(Abort):
        await enqueue_then_fail()
    assert await _count(database) == 0
    async with uow() as tx:
        await tx.jobs.enqueue(NewJob("k"))
    assert await _count(database) == 1


async def test_finish_inside_a_unit_of_work_is_atomic_with_the_effect(
    uow: SqlUnitOfWorkFactory, queue: SqlJobQueue, clock: FixedClock, database: Database
) -> None:
    await queue.enqueue_many([NewJob("k")])
    [stale] = await queue.claim("slow", 10, 30)
    clock.advance(31)
    [fresh] = await queue.claim("w2", 10, 30)
    with pytest.raises(LeaseLostError):
        async with uow() as tx:
            await tx.jobs.finish(stale)
    async with uow() as tx:
        await tx.jobs.finish(fresh)
    assert await _count(database) == 0


async def test_dead_jobs_are_purged_after_their_retention(
    queue: SqlJobQueue, uow: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    await queue.enqueue_many([NewJob("k"), NewJob("k")])
    first, second = await queue.claim("w", 10, 30)
    await queue.settle([], [JobFailure(first, "gone", None)])
    clock.advance(100)
    await queue.settle([], [JobFailure(second, "gone", None)])
    async with uow() as tx:
        assert await tx.jobs.purge_dead(before=clock.now() - 50) == 1
    assert [dead.id for dead in await queue.dead()] == [second.id]
