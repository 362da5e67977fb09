"""Follows in both directions (implements ports.FollowRepository)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from commonsnode.model.follows import Follow, FollowDirection, FollowState
from storage.tables import follows, remote_actors
from storage.upsert import upsert


def _follow(row: Any) -> Follow:
    return Follow(**row._mapping)


class SqlFollowRepository:
    def __init__(self, connection: AsyncConnection, dialect: str) -> None:
        self._connection = connection
        self._dialect = dialect

    async def get(self, direction: FollowDirection, org_id: str, remote_iri: str) -> Follow | None:
        row = (
            await self._connection.execute(
                sa.select(follows).where(
                    follows.c.direction == direction,
                    follows.c.org_id == org_id,
                    follows.c.remote_iri == remote_iri,
                )
            )
        ).first()
        return None if row is None else _follow(row)

    async def get_by_activity(self, activity_iri: str) -> Follow | None:
        row = (
            await self._connection.execute(
                sa.select(follows).where(follows.c.activity_iri == activity_iri).limit(1)
            )
        ).first()
        return None if row is None else _follow(row)

    async def save(self, follow: Follow) -> None:
        await self._connection.execute(
            upsert(
                self._dialect,
                follows,
                asdict(follow),
                ["direction", "org_id", "remote_iri"],
                ["state", "activity_iri", "updated_at"],
            )
        )

    async def delete(self, direction: FollowDirection, org_id: str, remote_iri: str) -> bool:
        result = await self._connection.execute(
            follows.delete().where(
                follows.c.direction == direction,
                follows.c.org_id == org_id,
                follows.c.remote_iri == remote_iri,
            )
        )
        return bool(result.rowcount)

    async def list(
        self,
        direction: FollowDirection,
        org_id: str,
        state: FollowState | None,
        limit: int,
        after: str | None = None,
    ) -> list[Follow]:
        statement = sa.select(follows).where(
            follows.c.direction == direction, follows.c.org_id == org_id
        )
        if state is not None:
            statement = statement.where(follows.c.state == state)
        if after is not None:
            statement = statement.where(follows.c.id > after)
        rows = await self._connection.execute(statement.order_by(follows.c.id).limit(limit))
        return [_follow(row) for row in rows]

    async def count(self, direction: FollowDirection, org_id: str, state: FollowState) -> int:
        return int(
            await self._connection.scalar(
                sa.select(sa.func.count()).where(
                    follows.c.direction == direction,
                    follows.c.org_id == org_id,
                    follows.c.state == state,
                )
            )
            or 0
        )

    async def follower_inboxes(self, org_id: str) -> list[str]:
        inbox = sa.func.coalesce(remote_actors.c.shared_inbox, remote_actors.c.inbox)
        rows = await self._connection.execute(
            sa.select(inbox)
            .distinct()
            .select_from(follows.join(remote_actors, remote_actors.c.iri == follows.c.remote_iri))
            .where(
                follows.c.direction == "in",
                follows.c.org_id == org_id,
                follows.c.state == "accepted",
                remote_actors.c.gone_at.is_(None),
            )
        )
        return sorted(row[0] for row in rows)

    async def delete_remote(self, remote_iri: str) -> int:
        result = await self._connection.execute(
            follows.delete().where(follows.c.remote_iri == remote_iri)
        )
        return int(result.rowcount)

    async def is_followed(self, remote_iri: str, state: FollowState = "accepted") -> bool:
        found = await self._connection.scalar(
            sa.select(follows.c.id)
            .where(
                follows.c.direction == "out",
                follows.c.remote_iri == remote_iri,
                follows.c.state == state,
            )
            .limit(1)
        )
        return found is not None
