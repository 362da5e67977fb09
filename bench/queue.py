"""Queue throughput: jobs/s for enqueue + claim + complete, next to a bare-driver baseline.

Run: .venv/bin/python bench/queue.py [--jobs N]   (PostgreSQL at 127.0.0.1:5432, user postgres)
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is named like the stdlib `queue` module that aiosqlite imports: drop the script's
# own folder from the import path before anything else is imported.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import asyncio
import os
import signal
import sqlite3
import subprocess
import tempfile
import time
import uuid

import asyncpg
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from commonsnode.clock import SystemClock
from commonsnode.jobs import NewJob
from storage import migrate
from storage.db import Database
from storage.queue import SqlJobQueue

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
ENQUEUE_BATCH = 100


def baseline_sqlite(path: Path, jobs: int) -> float:
    """The ceiling: plain sqlite3, insert in batches, then select+delete in batches of 32."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("CREATE TABLE j (id INTEGER PRIMARY KEY, payload TEXT, state TEXT)")
    started = time.perf_counter()
    for _ in range(0, jobs, ENQUEUE_BATCH):
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(
            "INSERT INTO j (payload, state) VALUES (?, 'ready')", [("{}",)] * ENQUEUE_BATCH
        )
        connection.execute("COMMIT")
    done = 0
    while done < jobs:
        connection.execute("BEGIN IMMEDIATE")
        ids = connection.execute(
            "UPDATE j SET state='running' WHERE id IN (SELECT id FROM j WHERE state='ready'"
            " ORDER BY id LIMIT 32) RETURNING id"
        ).fetchall()
        connection.execute("COMMIT")
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany("DELETE FROM j WHERE id = ?", ids)
        connection.execute("COMMIT")
        done += len(ids)
    elapsed = time.perf_counter() - started
    connection.close()
    return jobs / elapsed


async def baseline_postgres(jobs: int) -> float:
    """The ceiling: asyncpg alone, one connection, the same statements shape."""
    name = f"cn_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(database="test", **PG)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        connection = await asyncpg.connect(database=name, **PG)
        await connection.execute(
            "CREATE TABLE j (id BIGSERIAL PRIMARY KEY, payload TEXT, state TEXT)"
        )
        started = time.perf_counter()
        for _ in range(0, jobs, ENQUEUE_BATCH):
            await connection.executemany(
                "INSERT INTO j (payload, state) VALUES ($1, 'ready')", [("{}",)] * ENQUEUE_BATCH
            )
        done = 0
        while done < jobs:
            rows = await connection.fetch(
                "UPDATE j SET state='running' WHERE id IN (SELECT id FROM j WHERE state='ready'"
                " ORDER BY id LIMIT 32 FOR UPDATE SKIP LOCKED) RETURNING id"
            )
            await connection.executemany("DELETE FROM j WHERE id = $1", [(r["id"],) for r in rows])
            done += len(rows)
        elapsed = time.perf_counter() - started
        await connection.close()
    finally:
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()
    return jobs / elapsed


def _spawn_workers(url: str, count: int) -> list[subprocess.Popen[str]]:
    processes = []
    for _ in range(count):
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "procs" / "queue_worker.py"), "--db", url],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
        process.stdout.close()
        processes.append(process)
    return processes


async def measure_queue(url: str, workers: int, jobs: int) -> float:
    """Workers idle and waiting; then enqueue `jobs` in batches and time until all are done."""
    db = Database(url, pool_size=2)
    await migrate.upgrade(db)
    queue = SqlJobQueue(db, SystemClock())
    processes = _spawn_workers(url, workers)
    try:
        started = time.perf_counter()
        for _ in range(0, jobs, ENQUEUE_BATCH):
            await queue.enqueue_many([NewJob("bench.noop")] * ENQUEUE_BATCH)
        while True:
            async with db.transaction(readonly=True) as connection:
                left = await connection.scalar(sa.text("SELECT count(*) FROM jobs"))
            if left == 0:
                break
            await asyncio.sleep(0.01)
        elapsed = time.perf_counter() - started
        counts = await queue.counts()
        assert counts["dead"] == 0, counts
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)
        await db.dispose()
    return jobs / elapsed


async def postgres_database() -> tuple[str, str]:
    name = f"cn_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(database="test", **PG)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    return name, f"postgresql+asyncpg://{PG['user']}@{PG['host']}:{PG['port']}/{name}"


async def drop_postgres(name: str) -> None:
    admin = await asyncpg.connect(database="test", **PG)
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.close()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=10_000)
    args = parser.parse_args()
    jobs = args.jobs
    print(f"jobs per run: {jobs}; enqueue batches of {ENQUEUE_BATCH}; cores: {os.cpu_count()}")
    with tempfile.TemporaryDirectory() as tmp:
        base = baseline_sqlite(Path(tmp) / "baseline.db", jobs)
        ours = await measure_queue(f"sqlite+aiosqlite:///{tmp}/queue.db", 1, jobs)
    print(f"SQLite      1 worker : {ours:8.0f} jobs/s   (bare sqlite3 baseline {base:8.0f} jobs/s)")
    base_pg = await baseline_postgres(jobs)
    for workers in (1, 4):
        name, url = await postgres_database()
        try:
            ours = await measure_queue(url, workers, jobs)
        finally:
            await drop_postgres(name)
        print(
            f"PostgreSQL  {workers} worker{'s' if workers > 1 else ' '}: {ours:8.0f} jobs/s"
            f"   (bare asyncpg baseline {base_pg:8.0f} jobs/s, one connection)"
        )


if __name__ == "__main__":
    asyncio.run(main())
