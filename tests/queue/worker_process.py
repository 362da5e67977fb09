"""A worker process for the multi-process queue tests: real storage, test-only handlers."""

from __future__ import annotations

import argparse
import asyncio
import random
import signal
import time

import sqlalchemy as sa

from commonsnode.clock import SystemClock
from commonsnode.jobs import Job
from commonsnode.worker import HandlerRegistry, Worker
from storage.db import Database
from storage.queue import SqlJobOutbox, SqlJobQueue

SCHEMA = (
    "CREATE TABLE test_runs (job_id BIGINT NOT NULL, worker TEXT NOT NULL, attempt INT NOT NULL)",
    "CREATE TABLE test_effects"
    " (job_id BIGINT PRIMARY KEY, worker TEXT NOT NULL, attempt INT NOT NULL)",
    "CREATE TABLE test_ordered (okey TEXT NOT NULL, seq INT NOT NULL, worker TEXT NOT NULL,"
    " started DOUBLE PRECISION NOT NULL, finished DOUBLE PRECISION NOT NULL)",
)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--lease", type=float, default=30.0)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()

    clock = SystemClock()
    db = Database(args.db, pool_size=4, sqlite_synchronous="normal")
    registry = HandlerRegistry()

    async def record_run(job: Job) -> None:
        async with db.transaction() as connection:
            await connection.execute(
                sa.text("INSERT INTO test_runs VALUES (:id, :w, :a)"),
                {"id": job.id, "w": args.name, "a": job.attempts},
            )

    async def effect_and_finish(job: Job, statement: str, values: dict[str, object]) -> None:
        """The effect and the job's completion commit together, or neither does."""
        async with db.transaction() as connection:
            await connection.execute(sa.text(statement), values)
            await SqlJobOutbox(connection, db.dialect, clock).finish(job)

    async def effect(job: Job) -> None:
        await record_run(job)
        await effect_and_finish(
            job,
            "INSERT INTO test_effects VALUES (:id, :w, :a)",
            {"id": job.id, "w": args.name, "a": job.attempts},
        )

    async def crash_first(job: Job) -> None:
        """First attempt: announce itself, then hang until the process is killed."""
        await record_run(job)
        if job.attempts == 1:
            await asyncio.Event().wait()
        await effect_and_finish(
            job,
            "INSERT INTO test_effects VALUES (:id, :w, :a)",
            {"id": job.id, "w": args.name, "a": job.attempts},
        )

    async def ordered(job: Job) -> None:
        started = time.time()
        await asyncio.sleep(random.uniform(0, 0.003))
        await effect_and_finish(
            job,
            "INSERT INTO test_ordered VALUES (:k, :s, :w, :st, :fi)",
            {
                "k": job.ordering_key,
                "s": job.payload["seq"],
                "w": args.name,
                "st": started,
                "fi": time.time(),
            },
        )

    registry.register("test.effect", effect)
    registry.register("test.crash_first", crash_first)
    registry.register("test.ordered", ordered)
    worker = Worker(
        SqlJobQueue(db, clock),
        registry,
        clock,
        name=args.name,
        concurrency=args.concurrency,
        lease_seconds=args.lease,
        poll_interval=0.02,
        batch_size=32,
    )
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stopping.set)
    print("ready", flush=True)
    try:
        await worker.run(stopping, grace=5)
    finally:
        await db.dispose()


if __name__ == "__main__":
    asyncio.run(main())
