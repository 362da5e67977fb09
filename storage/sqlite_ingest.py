"""The inbox's group-committed writes on SQLite: one thread hop per batch, plain sqlite3.

Through aiosqlite every statement is a hop to its thread, and each hop waits for the GIL
while the event loop is busy serving requests: under load a batch of four statements took
tens of milliseconds. Here the whole batch — seen check, log rows, jobs, commit — runs as one
call in a dedicated writer thread, the way the bare-sqlite3 baseline writes.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from commonsnode.clock import Clock
from commonsnode.ports import InboxEntry
from storage.db import SQLITE_BUSY_TIMEOUT_MS

_INSERT_LOG = (
    "INSERT INTO inbox_log (activity_id, recipient, actor, received_at) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (activity_id, recipient) DO NOTHING"
)
_INSERT_JOB = (
    "INSERT INTO jobs (kind, payload, state, run_at, attempts, ordering_key, dedupe_key,"
    " created_at, updated_at) VALUES (?, ?, 'ready', ?, 0, ?, NULL, ?, ?)"
)


class SqliteInboxIngest:
    """Implements ports.InboxIngest for SQLite with its own connection and writer thread."""

    def __init__(self, path: str, clock: Clock, *, synchronous: str = "full") -> None:
        self._path = path
        self._clock = clock
        self._synchronous = synchronous
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="inbox-writer")
        self._connection: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            connection = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
            connection.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute(f"PRAGMA synchronous = {self._synchronous.upper()}")
            self._connection = connection
        return self._connection

    def _write(self, entries: Sequence[InboxEntry], now: float) -> list[bool]:
        connection = self._connect()
        connection.execute("BEGIN IMMEDIATE")
        try:
            ids = sorted({entry.activity_id for entry in entries})
            marks = ",".join("?" * len(ids))
            seen = set(
                connection.execute(
                    f"SELECT activity_id, recipient FROM inbox_log WHERE activity_id IN ({marks})",  # noqa: S608 - placeholders only
                    ids,
                ).fetchall()
            )
            fresh: list[bool] = []
            logs: list[tuple[object, ...]] = []
            jobs: list[tuple[object, ...]] = []
            for entry in entries:
                key = (entry.activity_id, entry.recipient)
                is_new = key not in seen
                fresh.append(is_new)
                if not is_new:
                    continue
                seen.add(key)
                job = entry.job
                if job.dedupe_key is not None:
                    raise ValueError("inbox jobs carry no dedupe key")
                logs.append((entry.activity_id, entry.recipient, entry.actor, now))
                payload = json.dumps(job.payload, separators=(",", ":"))
                run_at = now if job.run_at is None else job.run_at
                jobs.append((job.kind, payload, run_at, job.ordering_key, now, now))
            connection.executemany(_INSERT_LOG, logs)
            connection.executemany(_INSERT_JOB, jobs)
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        return fresh

    async def record_batch(self, entries: Sequence[InboxEntry]) -> list[bool]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._write, entries, self._clock.now())

    async def close(self) -> None:
        """Close the writer connection in its own thread, then the thread."""

        def close() -> None:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

        await asyncio.get_running_loop().run_in_executor(self._executor, close)
        self._executor.shutdown(wait=True)
