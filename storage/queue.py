"""The job queue in the main database: transactional enqueue, leased claim, settle in batches."""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from commonsnode.clock import Clock
from commonsnode.jobs import DeadJob, Job, JobFailure, LeaseLostError, NewJob
from storage.db import Database
from storage.tables import jobs

# A job is runnable when ready and due, or running under an expired lease (its worker
# died). A job with an ordering key waits while an older live job shares the key, so
# jobs with one key run one at a time, in enqueue order, even across retries.
_RUNNABLE = """
    SELECT j.id FROM jobs j
    WHERE j.state IN ('ready', 'running')
      AND ((j.state = 'ready' AND j.run_at <= :now)
           OR (j.state = 'running' AND j.locked_until < :now))
      AND (j.ordering_key IS NULL OR NOT EXISTS (
            SELECT 1 FROM jobs e
            WHERE e.ordering_key = j.ordering_key AND e.id < j.id
              AND e.state IN ('ready', 'running')))
    ORDER BY j.id
    LIMIT :limit
"""
_SET_RUNNING = """
    SET state = 'running', lease_token = :token, locked_by = :worker,
        locked_until = :until, attempts = attempts + 1, updated_at = :now
"""
_COLUMNS = ("id", "kind", "payload", "attempts", "ordering_key", "created_at", "last_error")
_RETURNING = "RETURNING " + ", ".join(_COLUMNS)
_RETURNING_JOBS = "RETURNING " + ", ".join(f"jobs.{column}" for column in _COLUMNS)

CLAIM_SQLITE = sa.text(f"UPDATE jobs {_SET_RUNNING} WHERE id IN ({_RUNNABLE}) {_RETURNING}")
# SKIP LOCKED lets several workers claim at once without waiting on each other's rows.
CLAIM_POSTGRESQL = sa.text(
    f"WITH picked AS ({_RUNNABLE} FOR UPDATE OF j SKIP LOCKED) "
    f"UPDATE jobs {_SET_RUNNING} FROM picked WHERE jobs.id = picked.id "
    f"{_RETURNING_JOBS}"
)
DELETE_LEASED = sa.text("DELETE FROM jobs WHERE id = :id AND lease_token = :token")
RETRY_LEASED = sa.text(
    "UPDATE jobs SET state = 'ready', run_at = :run_at, last_error = :error,"
    " lease_token = NULL, locked_by = NULL, locked_until = NULL, updated_at = :now"
    " WHERE id = :id AND lease_token = :token"
)
BURY_LEASED = sa.text(
    "UPDATE jobs SET state = 'dead', last_error = :error,"
    " lease_token = NULL, locked_by = NULL, locked_until = NULL, updated_at = :now"
    " WHERE id = :id AND lease_token = :token"
)
EXTEND_LEASED = sa.text(
    "UPDATE jobs SET locked_until = :until WHERE id = :id AND lease_token = :token"
)
RELEASE_LEASED = sa.text(
    "UPDATE jobs SET state = 'ready', attempts = attempts - 1, lease_token = NULL,"
    " locked_by = NULL, locked_until = NULL, updated_at = :now"
    " WHERE id = :id AND lease_token = :token"
)


def _rows(new_jobs: Sequence[NewJob], now: float) -> list[dict[str, Any]]:
    return [
        {
            "kind": job.kind,
            "payload": json.dumps(job.payload, separators=(",", ":")),
            "state": "ready",
            "run_at": now if job.run_at is None else job.run_at,
            "attempts": 0,
            "ordering_key": job.ordering_key,
            "dedupe_key": job.dedupe_key,
            "created_at": now,
            "updated_at": now,
        }
        for job in new_jobs
    ]


async def insert_jobs(
    connection: AsyncConnection, dialect: str, new_jobs: Sequence[NewJob], now: float
) -> None:
    """Insert jobs on `connection`; a job whose dedupe key is live already is dropped."""
    if not new_jobs:
        return
    plain = [row for row in _rows(new_jobs, now) if row["dedupe_key"] is None]
    keyed = [row for row in _rows(new_jobs, now) if row["dedupe_key"] is not None]
    if plain:
        await connection.execute(jobs.insert(), plain)
    if keyed:
        insert = postgresql.insert(jobs) if dialect == "postgresql" else sqlite.insert(jobs)
        statement = insert.on_conflict_do_nothing(
            index_elements=["dedupe_key"],
            index_where=sa.text("dedupe_key IS NOT NULL AND state <> 'dead'"),
        )
        for row in keyed:  # one by one: a conflict inside a batch must not drop the batch
            await connection.execute(statement, row)


def _lease(job: Job) -> dict[str, Any]:
    return {"id": job.id, "token": job.lease_token}


class SqlJobOutbox:
    """Enqueue and finish jobs inside a unit of work's transaction."""

    def __init__(self, connection: AsyncConnection, dialect: str, clock: Clock) -> None:
        self._connection = connection
        self._dialect = dialect
        self._clock = clock

    async def enqueue(self, job: NewJob) -> None:
        await insert_jobs(self._connection, self._dialect, [job], self._clock.now())

    async def enqueue_many(self, jobs_: Sequence[NewJob]) -> None:
        await insert_jobs(self._connection, self._dialect, jobs_, self._clock.now())

    async def finish(self, job: Job) -> None:
        result = await self._connection.execute(DELETE_LEASED, _lease(job))
        if result.rowcount != 1:
            raise LeaseLostError(f"job {job.id}: lease lost before it finished")

    async def purge_dead(self, before: float) -> int:
        result = await self._connection.execute(
            jobs.delete().where(jobs.c.state == "dead", jobs.c.updated_at < before)
        )
        return int(result.rowcount)


class SqlJobQueue:
    """The worker's side of the queue; each call is one short transaction."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        self._claim = CLAIM_POSTGRESQL if db.dialect == "postgresql" else CLAIM_SQLITE

    async def enqueue_many(self, new_jobs: Sequence[NewJob]) -> None:
        async with self._db.transaction() as connection:
            await insert_jobs(connection, self._db.dialect, new_jobs, self._clock.now())

    async def claim(self, worker: str, limit: int, lease_seconds: float) -> list[Job]:
        now = self._clock.now()
        token = secrets.token_hex(16)
        params = {
            "now": now,
            "until": now + lease_seconds,
            "token": token,
            "worker": worker,
            "limit": limit,
        }
        async with self._db.transaction() as connection:
            rows = (await connection.execute(self._claim, params)).all()
        claimed = [
            Job(
                id=row.id,
                kind=row.kind,
                payload=json.loads(row.payload),
                attempts=row.attempts,
                ordering_key=row.ordering_key,
                lease_token=token,
                created_at=row.created_at,
                last_error=row.last_error,
            )
            for row in rows
        ]
        claimed.sort(key=lambda job: job.id)
        return claimed

    async def settle(self, done: Sequence[Job], failed: Sequence[JobFailure]) -> None:
        if not done and not failed:
            return
        now = self._clock.now()
        retry = [
            {**_lease(f.job), "run_at": f.retry_at, "error": f.error[:4000], "now": now}
            for f in failed
            if f.retry_at is not None
        ]
        bury = [
            {**_lease(f.job), "error": f.error[:4000], "now": now}
            for f in failed
            if f.retry_at is None
        ]
        async with self._db.transaction() as connection:
            if done:
                await connection.execute(DELETE_LEASED, [_lease(job) for job in done])
            if retry:
                await connection.execute(RETRY_LEASED, retry)
            if bury:
                await connection.execute(BURY_LEASED, bury)

    async def extend(self, running: Sequence[Job], lease_seconds: float) -> None:
        if not running:
            return
        until = self._clock.now() + lease_seconds
        async with self._db.transaction() as connection:
            await connection.execute(
                EXTEND_LEASED, [{**_lease(job), "until": until} for job in running]
            )

    async def release(self, running: Sequence[Job]) -> None:
        if not running:
            return
        now = self._clock.now()
        async with self._db.transaction() as connection:
            await connection.execute(
                RELEASE_LEASED, [{**_lease(job), "now": now} for job in running]
            )

    async def dead(self, limit: int = 100) -> list[DeadJob]:
        statement = (
            sa.select(jobs)
            .where(jobs.c.state == "dead")
            .order_by(jobs.c.updated_at.desc(), jobs.c.id.desc())
            .limit(limit)
        )
        async with self._db.transaction(readonly=True) as connection:
            rows = (await connection.execute(statement)).all()
        return [
            DeadJob(
                id=row.id,
                kind=row.kind,
                payload=json.loads(row.payload),
                attempts=row.attempts,
                last_error=row.last_error,
                created_at=row.created_at,
            )
            for row in rows
        ]

    async def counts(self) -> dict[str, int]:
        statement = sa.select(jobs.c.state, sa.func.count()).group_by(jobs.c.state)
        async with self._db.transaction(readonly=True) as connection:
            rows = (await connection.execute(statement)).all()
        counts = {"ready": 0, "running": 0, "dead": 0}
        counts.update({state: count for state, count in rows})
        return counts
