"""The operator's moderation queue of flags (implements commonsnode.ports.FlagRepository)."""

from __future__ import annotations

import json
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncConnection

from commonsnode.model.flags import Flag, FlagSource, FlagState
from storage.report_tables import flags


def _flag(row: Any) -> Flag:
    return Flag(
        id=row.id,
        source=cast(FlagSource, row.source),
        reporter_iri=row.reporter_iri,
        object_iris=tuple(json.loads(row.object_iris)),
        reason=row.reason,
        state=cast(FlagState, row.state),
        created_at=row.created_at,
        activity_iri=row.activity_iri,
        decided_at=row.decided_at,
        note=row.note,
    )


class SqlFlagRepository:
    """Implements ports.FlagRepository."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, flag: Flag) -> None:
        await self._connection.execute(
            flags.insert().values(
                id=flag.id,
                source=flag.source,
                reporter_iri=flag.reporter_iri,
                object_iris=json.dumps(list(flag.object_iris)),
                reason=flag.reason,
                state=flag.state,
                created_at=flag.created_at,
                activity_iri=flag.activity_iri,
                decided_at=flag.decided_at,
                note=flag.note,
            )
        )

    async def get(self, flag_id: str) -> Flag | None:
        row = (await self._connection.execute(flags.select().where(flags.c.id == flag_id))).first()
        return None if row is None else _flag(row)

    async def get_by_activity(self, activity_iri: str) -> Flag | None:
        row = (
            await self._connection.execute(
                flags.select().where(flags.c.activity_iri == activity_iri).limit(1)
            )
        ).first()
        return None if row is None else _flag(row)

    async def update(self, flag: Flag) -> None:
        await self._connection.execute(
            flags.update()
            .where(flags.c.id == flag.id)
            .values(state=flag.state, decided_at=flag.decided_at, note=flag.note)
        )

    async def list(
        self, state: FlagState | None, limit: int, before: str | None = None
    ) -> list[Flag]:
        statement = flags.select()
        if state is not None:
            statement = statement.where(flags.c.state == state)
        if before is not None:
            statement = statement.where(flags.c.id < before)
        rows = await self._connection.execute(statement.order_by(flags.c.id.desc()).limit(limit))
        return [_flag(row) for row in rows]
