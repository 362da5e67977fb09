"""Local organisations (implements commonsnode.ports.OrganisationRepository)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from commonsnode.errors import ConflictError
from commonsnode.model.organisations import Organisation
from storage.tables import organisations


def _to_record(row: Any) -> Organisation:
    return Organisation(
        id=row.id,
        handle=row.handle,
        name=row.name,
        kind=row.kind,
        summary=row.summary,
        manually_approves_followers=bool(row.manually_approves_followers),
        created_at=row.created_at,
    )


class SqlOrganisationRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, org: Organisation) -> None:
        values = {
            "id": org.id,
            "handle": org.handle,
            "name": org.name,
            "kind": org.kind,
            "summary": org.summary,
            "manually_approves_followers": org.manually_approves_followers,
            "created_at": org.created_at,
        }
        exists = await self._connection.scalar(
            sa.select(sa.func.count()).where(organisations.c.handle == org.handle)
        )
        if exists:
            raise ConflictError(f"handle {org.handle!r} is already taken", field="handle")
        try:
            async with self._connection.begin_nested():
                await self._connection.execute(organisations.insert().values(values))
        except IntegrityError:
            raise ConflictError(f"handle {org.handle!r} is already taken", field="handle") from None

    async def get_by_handle(self, handle: str) -> Organisation | None:
        row = (
            await self._connection.execute(
                sa.select(organisations).where(organisations.c.handle == handle)
            )
        ).first()
        return None if row is None else _to_record(row)

    async def get_by_id(self, org_id: str) -> Organisation | None:
        row = (
            await self._connection.execute(
                sa.select(organisations).where(organisations.c.id == org_id)
            )
        ).first()
        return None if row is None else _to_record(row)

    async def list_all(self) -> list[Organisation]:
        rows = await self._connection.execute(
            sa.select(organisations).order_by(organisations.c.created_at, organisations.c.id)
        )
        return [_to_record(row) for row in rows]

    async def update(self, org: Organisation) -> None:
        await self._connection.execute(
            organisations.update()
            .where(organisations.c.id == org.id)
            .values(
                name=org.name,
                summary=org.summary,
                manually_approves_followers=org.manually_approves_followers,
            )
        )
