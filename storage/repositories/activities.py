"""Activities this node published, kept so their ids dereference (ports.ActivityRepository)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.tables import activities


class SqlActivityRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(
        self,
        activity_id: str,
        org_id: str | None,
        type_: str,
        document: str,
        now: float,
        *,
        public: bool,
    ) -> None:
        await self._connection.execute(
            activities.insert().values(
                id=activity_id,
                org_id=org_id,
                type=type_,
                public=public,
                document=document,
                created_at=now,
            )
        )

    async def get(self, activity_id: str) -> tuple[str | None, str, bool] | None:
        row = (
            await self._connection.execute(
                sa.select(activities.c.org_id, activities.c.document, activities.c.public).where(
                    activities.c.id == activity_id
                )
            )
        ).first()
        return None if row is None else (row.org_id, row.document, bool(row.public))

    async def list_by_org(
        self, org_id: str, limit: int, before: str | None = None
    ) -> list[tuple[str, str]]:
        statement = sa.select(activities.c.id, activities.c.document).where(
            activities.c.org_id == org_id, activities.c.public.is_(True)
        )
        if before is not None:
            statement = statement.where(activities.c.id < before)
        rows = await self._connection.execute(
            statement.order_by(activities.c.id.desc()).limit(limit)
        )
        return [(row.id, row.document) for row in rows]

    async def count_by_org(self, org_id: str) -> int:
        return int(
            await self._connection.scalar(
                sa.select(sa.func.count()).where(
                    activities.c.org_id == org_id, activities.c.public.is_(True)
                )
            )
            or 0
        )
