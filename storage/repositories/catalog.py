"""The catalog actor's follows, announced objects and backfill cursors (ports.CatalogRepository)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from commonsnode.model.follows import FollowDirection
from commonsnode.ports import AnnouncedObject, BackfillCursor, CatalogFollow
from storage.tables import (
    catalog_announced,
    catalog_backfills,
    catalog_follows,
    listings,
    remote_actors,
    tombstones,
)
from storage.upsert import upsert


def _follow(row: Any) -> CatalogFollow:
    return CatalogFollow(**row._mapping)


def _announced(row: Any) -> AnnouncedObject:
    return AnnouncedObject(**row._mapping)


class SqlCatalogRepository:
    def __init__(self, connection: AsyncConnection, dialect: str) -> None:
        self._connection = connection
        self._dialect = dialect

    async def save_follow(self, follow: CatalogFollow) -> None:
        await self._connection.execute(
            upsert(
                self._dialect,
                catalog_follows,
                asdict(follow),
                ["direction", "remote_iri"],
                ["state", "activity_iri", "inbox", "updated_at"],
            )
        )

    async def get_follow(self, direction: FollowDirection, remote_iri: str) -> CatalogFollow | None:
        row = (
            await self._connection.execute(
                sa.select(catalog_follows).where(
                    catalog_follows.c.direction == direction,
                    catalog_follows.c.remote_iri == remote_iri,
                )
            )
        ).first()
        return None if row is None else _follow(row)

    async def follow_by_activity(self, activity_iri: str) -> CatalogFollow | None:
        row = (
            await self._connection.execute(
                sa.select(catalog_follows)
                .where(catalog_follows.c.activity_iri == activity_iri)
                .limit(1)
            )
        ).first()
        return None if row is None else _follow(row)

    async def delete_follow(self, direction: FollowDirection, remote_iri: str) -> bool:
        result = await self._connection.execute(
            catalog_follows.delete().where(
                catalog_follows.c.direction == direction,
                catalog_follows.c.remote_iri == remote_iri,
            )
        )
        return bool(result.rowcount)

    async def list_follows(
        self, direction: FollowDirection, limit: int, after: str | None = None
    ) -> list[CatalogFollow]:
        query = sa.select(catalog_follows).where(
            catalog_follows.c.direction == direction, catalog_follows.c.state == "accepted"
        )
        if after is not None:
            query = query.where(catalog_follows.c.remote_iri > after)
        rows = await self._connection.execute(
            query.order_by(catalog_follows.c.remote_iri).limit(limit)
        )
        return [_follow(row) for row in rows]

    async def count_follows(self, direction: FollowDirection) -> int:
        count = await self._connection.scalar(
            sa.select(sa.func.count()).where(
                catalog_follows.c.direction == direction, catalog_follows.c.state == "accepted"
            )
        )
        return int(count or 0)

    async def follower_inboxes(self) -> list[str]:
        """Followers that were deleted or whose inbox answered 410 are left out."""
        joined = catalog_follows.outerjoin(
            remote_actors, remote_actors.c.iri == catalog_follows.c.remote_iri
        )
        rows = await self._connection.execute(
            sa.select(catalog_follows.c.inbox)
            .select_from(joined)
            .where(
                catalog_follows.c.direction == "in",
                catalog_follows.c.state == "accepted",
                remote_actors.c.gone_at.is_(None),
            )
            .distinct()
        )
        return [row[0] for row in rows]

    async def announced(self, object_iri: str) -> AnnouncedObject | None:
        row = (
            await self._connection.execute(
                sa.select(catalog_announced).where(catalog_announced.c.object_iri == object_iri)
            )
        ).first()
        return None if row is None else _announced(row)

    async def record_announce(self, entry: AnnouncedObject) -> None:
        await self._connection.execute(
            upsert(
                self._dialect,
                catalog_announced,
                asdict(entry),
                ["object_iri"],
                ["version", "listing_id", "activity_id", "live", "announced_at"],
            )
        )

    async def outbox(
        self, limit: int, before: tuple[float, str] | None = None
    ) -> list[AnnouncedObject]:
        table = catalog_announced
        query = sa.select(table).where(table.c.live.is_(True))
        if before is not None:
            at, iri = before
            query = query.where(
                sa.or_(
                    table.c.announced_at < at,
                    sa.and_(table.c.announced_at == at, table.c.object_iri < iri),
                )
            )
        rows = await self._connection.execute(
            query.order_by(table.c.announced_at.desc(), table.c.object_iri.desc()).limit(limit)
        )
        return [_announced(row) for row in rows]

    async def count_live(self) -> int:
        count = await self._connection.scalar(
            sa.select(sa.func.count()).where(catalog_announced.c.live.is_(True))
        )
        return int(count or 0)

    async def backfill(self, remote_iri: str) -> BackfillCursor | None:
        row = (
            await self._connection.execute(
                sa.select(catalog_backfills).where(catalog_backfills.c.remote_iri == remote_iri)
            )
        ).first()
        return None if row is None else BackfillCursor(**row._mapping)

    async def save_backfill(self, cursor: BackfillCursor) -> None:
        await self._connection.execute(
            upsert(
                self._dialect,
                catalog_backfills,
                asdict(cursor),
                ["remote_iri"],
                ["next_url", "pages", "items", "started_at", "finished_at"],
            )
        )

    async def origins_seen(self, iris: list[str]) -> set[str]:
        held = await self._connection.execute(
            sa.select(listings.c.origin_iri).where(listings.c.origin_iri.in_(iris))
        )
        gone = await self._connection.execute(
            sa.select(tombstones.c.iri).where(tombstones.c.iri.in_(iris))
        )
        return {row[0] for row in held} | {row[0] for row in gone}
