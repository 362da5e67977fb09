"""A worker process for bench/queue.py: a no-op handler, so the queue itself is measured."""

from __future__ import annotations

import argparse
import asyncio
import signal

from commonsnode.clock import SystemClock
from commonsnode.jobs import Job
from commonsnode.worker import HandlerRegistry, Worker
from storage.db import Database
from storage.queue import SqlJobQueue


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--batch", type=int, default=32)
    args = parser.parse_args()
    clock = SystemClock()
    db = Database(args.db, pool_size=4)

    async def noop(job: Job) -> None:
        return None

    registry = HandlerRegistry()
    registry.register("bench.noop", noop)
    worker = Worker(
        SqlJobQueue(db, clock),
        registry,
        clock,
        concurrency=args.concurrency,
        batch_size=args.batch,
        poll_interval=0.01,
    )
    stopping = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopping.set)
    print("ready", flush=True)
    try:
        await worker.run(stopping, grace=5)
    finally:
        await db.dispose()


if __name__ == "__main__":
    asyncio.run(main())
