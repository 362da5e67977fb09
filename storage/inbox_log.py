"""Received activity ids per recipient inbox, and tombstones of deleted remote objects."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence

import asyncpg
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection

from commonsnode.clock import Clock
from commonsnode.ports import InboxEntry
from storage.db import Database
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


# One statement per batch: in autocommit it is its own transaction, so the log rows and
# their jobs commit together (or not at all) in a single round trip — no BEGIN, no COMMIT,
# no SELECT first. Log rows go in key order, so two processes inserting overlapping batches
# cannot deadlock; a row another transaction logged first is skipped (ON CONFLICT waits for
# that transaction) and gets no job. Jobs are inserted in arrival order (their ids order
# the jobs that share an ordering key). The text is constant: prepared once per connection.
_RECORD_BATCH = """
WITH entries AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                         $6::text[], $7::float8[])
        WITH ORDINALITY AS e(activity_id, recipient, actor, kind, payload, ordering_key,
                             run_at, n)
), logged AS (
    INSERT INTO inbox_log (activity_id, recipient, actor, received_at)
    SELECT activity_id, recipient, actor, $8 FROM entries ORDER BY activity_id, recipient
    ON CONFLICT (activity_id, recipient) DO NOTHING
    RETURNING activity_id, recipient
), queued AS (
    INSERT INTO jobs (kind, payload, state, run_at, attempts, ordering_key, dedupe_key,
                      created_at, updated_at)
    SELECT e.kind, e.payload, 'ready', e.run_at, 0, e.ordering_key, NULL, $8, $8
    FROM entries e JOIN logged USING (activity_id, recipient)
    ORDER BY e.n
)
SELECT activity_id, recipient FROM logged
"""

# The connection is gone or unusable: drop it, the next batch connects again.
# (The server's notice that it ended the session may arrive mid-call: InternalClientError.)
_CONNECTION_ERRORS = (
    OSError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    asyncpg.PostgresConnectionError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.CannotConnectNowError,
)


class SqlInboxIngest:
    """Implements ports.InboxIngest on PostgreSQL: one statement, one round trip per batch.

    It writes through a dedicated asyncpg connection rather than the SQLAlchemy engine (the
    way the SQLite ingest keeps its own sqlite3 connection): measured per batch of one, the
    same statement took 0.6-0.7 ms through the engine (checkout ping, BEGIN, COMMIT) against
    0.27 ms on the bare driver, and the engine's Python overhead runs on the event loop that
    serves requests.
    Group commit calls it one batch at a time; the lock keeps any other caller in line.
    """

    def __init__(self, db: Database, clock: Clock) -> None:
        if db.dialect != "postgresql":
            raise ValueError("SqlInboxIngest is for PostgreSQL; SQLite uses SqliteInboxIngest")
        self._dsn = make_url(db.url).set(drivername="postgresql").render_as_string(False)
        self._clock = clock
        self._connection: asyncpg.Connection | None = None
        self._lock = asyncio.Lock()

    async def _connect(self) -> asyncpg.Connection:
        if self._connection is None or self._connection.is_closed():
            self._connection = await asyncpg.connect(
                self._dsn, server_settings={"application_name": "commonsnode inbox"}
            )
        return self._connection

    async def record_batch(self, entries: Sequence[InboxEntry]) -> list[bool]:
        now = self._clock.now()
        first: dict[tuple[str, str], InboxEntry] = {}
        for entry in entries:  # the same activity twice in one batch: the first one wins
            if entry.job.dedupe_key is not None:
                raise ValueError("inbox jobs carry no dedupe key")
            first.setdefault((entry.activity_id, entry.recipient), entry)
        unique = list(first.values())
        arguments = (
            [entry.activity_id for entry in unique],
            [entry.recipient for entry in unique],
            [entry.actor for entry in unique],
            [entry.job.kind for entry in unique],
            [json.dumps(entry.job.payload, separators=(",", ":")) for entry in unique],
            [entry.job.ordering_key for entry in unique],
            [now if entry.job.run_at is None else entry.job.run_at for entry in unique],
            now,
        )
        async with self._lock:
            try:
                rows = await (await self._connect()).fetch(_RECORD_BATCH, *arguments)
            except _CONNECTION_ERRORS:
                # The server restarted or dropped us: one more try on a new connection. Safe
                # even if the lost statement did commit: its entries then read as replays.
                self._drop()
                rows = await (await self._connect()).fetch(_RECORD_BATCH, *arguments)
        logged = {(row[0], row[1]) for row in rows}
        return [
            first[(entry.activity_id, entry.recipient)] is entry
            and (entry.activity_id, entry.recipient) in logged
            for entry in entries
        ]

    def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.terminate()

    async def close(self) -> None:
        """Close the dedicated connection."""
        async with self._lock:
            connection, self._connection = self._connection, None
            if connection is not None and not connection.is_closed():
                await connection.close()
