"""Received activity ids per recipient inbox, and tombstones of deleted remote objects."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from commonsnode.clock import Clock
from commonsnode.jobs import NewJob
from commonsnode.ports import InboxEntry
from storage.db import Database
from storage.queue import insert_jobs
from storage.tables import inbox_log, tombstones
from storage.upsert import upsert


class SqlInboxLog:
    """Implements ports.InboxLog; the key includes the recipient (Fedify #441)."""

    def __init__(self, connection: AsyncConnection, dialect: str) -> None:
        self._connection = connection
        self._dialect = dialect

    async def record(self, activity_id: str, recipient: str, actor: str, now: float) -> bool:
        result = await self._connection.execute(
            upsert(
                self._dialect,
                inbox_log,
                {
                    "activity_id": activity_id,
                    "recipient": recipient,
                    "actor": actor,
                    "received_at": now,
                },
                ["activity_id", "recipient"],
            )
        )
        return bool(result.rowcount == 1)

    async def prune(self, before: float) -> int:
        result = await self._connection.execute(
            inbox_log.delete().where(inbox_log.c.received_at < before)
        )
        return int(result.rowcount)


class SqlTombstoneRepository:
    """Implements ports.TombstoneRepository."""

    def __init__(self, connection: AsyncConnection, dialect: str) -> None:
        self._connection = connection
        self._dialect = dialect

    async def add(self, iri: str, actor: str, now: float) -> None:
        await self._connection.execute(
            upsert(
                self._dialect, tombstones, {"iri": iri, "actor": actor, "deleted_at": now}, ["iri"]
            )
        )

    async def exists(self, iri: str) -> bool:
        found = await self._connection.scalar(
            sa.select(sa.func.count()).where(tombstones.c.iri == iri)
        )
        return bool(found)


_SEEN = sa.select(inbox_log.c.activity_id, inbox_log.c.recipient).where(
    inbox_log.c.activity_id.in_(sa.bindparam("ids", expanding=True))
)


class SqlInboxIngest:
    """Implements ports.InboxIngest: the inbox's durable writes for a whole batch at once."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        dialect = postgresql if db.dialect == "postgresql" else sqlite
        self._insert = dialect.insert(inbox_log).on_conflict_do_nothing(
            index_elements=["activity_id", "recipient"]
        )

    async def record_batch(self, entries: Sequence[InboxEntry]) -> list[bool]:
        now = self._clock.now()
        keys = {(entry.activity_id, entry.recipient) for entry in entries}
        async with self._db.transaction() as connection:
            # Cached statements only (a multi-row VALUES would be compiled per batch size):
            # find which entries were seen before, then insert the rest and their jobs.
            seen = {
                (row.activity_id, row.recipient)
                for row in await connection.execute(
                    _SEEN, {"ids": sorted({activity for activity, _ in keys})}
                )
            }
            fresh: list[bool] = []
            rows: list[dict[str, object]] = []
            jobs: list[NewJob] = []
            for entry in entries:
                key = (entry.activity_id, entry.recipient)
                is_new = key not in seen
                fresh.append(is_new)
                if is_new:
                    seen.add(key)  # the same activity twice in one batch: the first one wins
                    rows.append(
                        {
                            "activity_id": entry.activity_id,
                            "recipient": entry.recipient,
                            "actor": entry.actor,
                            "received_at": now,
                        }
                    )
                    jobs.append(entry.job)
            if rows:
                # Another process may have logged one of them meanwhile (PostgreSQL): skip it
                # there; its job is then queued twice, which idempotent handlers tolerate.
                await connection.execute(self._insert, rows)
                await insert_jobs(connection, self._db.dialect, jobs, now)
        return fresh

    async def close(self) -> None:
        """Nothing of its own to release: it writes through the node's engine."""
