"""Remote actors, their keys and failed key fetches (implements ports.RemoteActorRepository)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from commonsnode.model.actors import RemoteActor, RemoteKey
from storage.tables import key_fetch_failures, remote_actors, remote_keys
from storage.upsert import upsert


def _actor(row: Any) -> RemoteActor:
    values = dict(row._mapping)
    values["manually_approves_followers"] = bool(values["manually_approves_followers"])
    return RemoteActor(**values)


class SqlRemoteActorRepository:
    def __init__(self, connection: AsyncConnection, dialect: str) -> None:
        self._connection = connection
        self._dialect = dialect

    async def upsert(self, actor: RemoteActor, keys: Sequence[RemoteKey]) -> None:
        values = asdict(actor)
        columns = [name for name in values if name != "iri"]
        await self._connection.execute(
            upsert(self._dialect, remote_actors, values, ["iri"], columns)
        )
        await self._connection.execute(
            remote_keys.delete().where(remote_keys.c.actor_iri == actor.iri)
        )
        for key in keys:
            # A key id moving to another actor is a takeover attempt unless the old owner
            # is the same actor: replace by id so that the newest actor document wins.
            await self._connection.execute(
                upsert(
                    self._dialect,
                    remote_keys,
                    asdict(key),
                    ["key_id"],
                    ["actor_iri", "type", "public_pem"],
                )
            )
            await self._connection.execute(
                key_fetch_failures.delete().where(key_fetch_failures.c.key_id == key.key_id)
            )

    async def get(self, iri: str) -> RemoteActor | None:
        row = (
            await self._connection.execute(
                sa.select(remote_actors).where(remote_actors.c.iri == iri)
            )
        ).first()
        return None if row is None else _actor(row)

    async def get_key(self, key_id: str) -> RemoteKey | None:
        row = (
            await self._connection.execute(
                sa.select(remote_keys).where(remote_keys.c.key_id == key_id)
            )
        ).first()
        return None if row is None else RemoteKey(**row._mapping)

    async def mark_gone(self, iri: str, now: float) -> None:
        await self._connection.execute(
            remote_actors.update().where(remote_actors.c.iri == iri).values(gone_at=now)
        )
        await self._connection.execute(remote_keys.delete().where(remote_keys.c.actor_iri == iri))

    async def with_inbox(self, inbox: str) -> list[str]:
        rows = await self._connection.execute(
            sa.select(remote_actors.c.iri).where(
                sa.or_(remote_actors.c.inbox == inbox, remote_actors.c.shared_inbox == inbox),
                remote_actors.c.gone_at.is_(None),
            )
        )
        return [row.iri for row in rows]

    async def record_key_failure(self, key_id: str, until: float, reason: str) -> None:
        await self._connection.execute(
            upsert(
                self._dialect,
                key_fetch_failures,
                {"key_id": key_id, "until": until, "reason": reason[:500]},
                ["key_id"],
                ["until", "reason"],
            )
        )

    async def key_failure(self, key_id: str, now: float) -> str | None:
        return await self._connection.scalar(
            sa.select(key_fetch_failures.c.reason).where(
                key_fetch_failures.c.key_id == key_id, key_fetch_failures.c.until > now
            )
        )

    async def prune_key_failures(self, now: float) -> int:
        result = await self._connection.execute(
            key_fetch_failures.delete().where(key_fetch_failures.c.until <= now)
        )
        return int(result.rowcount)
