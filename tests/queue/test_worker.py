"""The worker over the real queue: results, retries, dead jobs, shutdown."""

from __future__ import annotations

import asyncio
import random

import pytest

from commonsnode.clock import FixedClock
from commonsnode.jobs import Job, NewJob
from commonsnode.worker import (
    HandlerRegistry,
    PermanentJobError,
    RetryJobError,
    RetryPolicy,
    Worker,
)
from storage.queue import SqlJobQueue


def _worker(queue: SqlJobQueue, registry: HandlerRegistry, clock: FixedClock) -> Worker:
    return Worker(queue, registry, clock, name="t", concurrency=4, rng=random.Random(1))


async def test_handler_runs_once_and_the_job_is_removed(
    queue: SqlJobQueue, clock: FixedClock
) -> None:
    seen: list[dict[str, object]] = []

    async def handle(job: Job) -> None:
        seen.append(job.payload)

    registry = HandlerRegistry()
    registry.register("note", handle)
    await queue.enqueue_many([NewJob("note", {"i": i}) for i in range(10)])
    assert await _worker(queue, registry, clock).drain() == 10
    assert sorted(p["i"] for p in seen) == list(range(10))  # type: ignore[type-var]
    assert await queue.counts() == {"ready": 0, "running": 0, "dead": 0}


async def test_failing_handler_is_retried_with_growing_delays_then_dies(
    queue: SqlJobQueue, clock: FixedClock
) -> None:
    attempts: list[int] = []

    async def handle(job: Job) -> None:
        attempts.append(job.attempts)
        raise ConnectionError("peer down")

    registry = HandlerRegistry()
    registry.register("send", handle, retry=RetryPolicy(max_attempts=3, base_delay=10, jitter=0))
    await queue.enqueue_many([NewJob("send")])
    worker = _worker(queue, registry, clock)
    await worker.drain()
    assert attempts == [1]
    clock.advance(9)
    assert await worker.drain() == 0  # first retry after 10 s
    clock.advance(1)
    await worker.drain()
    clock.advance(20)  # second retry after 20 s
    await worker.drain()
    assert attempts == [1, 2, 3]
    [dead] = await queue.dead()
    assert dead.last_error == "ConnectionError: peer down"
    clock.advance(10_000)
    assert await worker.drain() == 0


async def test_permanent_error_buries_at_once(queue: SqlJobQueue, clock: FixedClock) -> None:
    async def handle(job: Job) -> None:
        raise PermanentJobError("peer answered 403")

    registry = HandlerRegistry()
    registry.register("send", handle)
    await queue.enqueue_many([NewJob("send")])
    await _worker(queue, registry, clock).drain()
    [dead] = await queue.dead()
    assert dead.attempts == 1
    assert "peer answered 403" in (dead.last_error or "")


async def test_retry_error_uses_the_requested_delay(queue: SqlJobQueue, clock: FixedClock) -> None:
    calls = 0

    async def handle(job: Job) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RetryJobError("429", delay=120)

    registry = HandlerRegistry()
    registry.register("send", handle)
    await queue.enqueue_many([NewJob("send")])
    worker = _worker(queue, registry, clock)
    await worker.drain()
    clock.advance(119)
    assert await worker.drain() == 0
    clock.advance(1)
    assert await worker.drain() == 1
    assert calls == 2


async def test_job_without_handler_is_dead_with_the_reason(
    queue: SqlJobQueue, clock: FixedClock
) -> None:
    await queue.enqueue_many([NewJob("unknown.kind")])
    await _worker(queue, HandlerRegistry(), clock).drain()
    [dead] = await queue.dead()
    assert "no handler" in (dead.last_error or "")


def test_registering_a_kind_twice_is_refused() -> None:
    async def handle(job: Job) -> None:
        return None

    registry = HandlerRegistry()
    registry.register("k", handle)
    with pytest.raises(ValueError, match="already has a handler"):
        registry.register("k", handle)


async def test_stop_finishes_in_flight_jobs_within_grace(
    queue: SqlJobQueue, clock: FixedClock
) -> None:
    started = asyncio.Event()
    finished: list[int] = []

    async def handle(job: Job) -> None:
        started.set()
        await asyncio.sleep(0.05)
        finished.append(job.id)

    registry = HandlerRegistry()
    registry.register("k", handle)
    await queue.enqueue_many([NewJob("k")])
    stopping = asyncio.Event()
    task = asyncio.create_task(_worker(queue, registry, clock).run(stopping, grace=5))
    await started.wait()
    stopping.set()
    await task
    assert len(finished) == 1
    assert await queue.counts() == {"ready": 0, "running": 0, "dead": 0}


async def test_stop_releases_jobs_that_outlive_the_grace(
    queue: SqlJobQueue, clock: FixedClock
) -> None:
    """SIGTERM with a stuck job: the job goes back to the queue at once, not after the lease."""
    started = asyncio.Event()

    async def handle(job: Job) -> None:
        started.set()
        await asyncio.Event().wait()  # never finishes

    registry = HandlerRegistry()
    registry.register("k", handle)
    await queue.enqueue_many([NewJob("k")])
    stopping = asyncio.Event()
    task = asyncio.create_task(_worker(queue, registry, clock).run(stopping, grace=0.01))
    await started.wait()
    stopping.set()
    await task
    [job] = await queue.claim("other", 10, 30)  # no lease wait
    assert job.attempts == 1
