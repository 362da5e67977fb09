"""Received activity ids per recipient inbox, and tombstones of deleted remote objects."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

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
