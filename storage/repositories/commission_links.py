"""IRI ↔ local row links and received refusals (implements
commonsnode.ports.CommissionLinkRepository)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.commission_link_tables import commission_links as links
from storage.commission_link_tables import commission_refusals as refusals


class SqlCommissionLinkRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def link(self, iri: str, kind: str, local_id: str, now: float) -> bool:
        """False when the IRI is linked as this kind already (the first link stays)."""
        try:
            async with self._connection.begin_nested():
                await self._connection.execute(
                    links.insert().values(iri=iri, kind=kind, local_id=local_id, created_at=now)
                )
        except IntegrityError:
            return False
        return True

    async def local_id(self, iri: str, kind: str) -> str | None:
        value = await self._connection.scalar(
            sa.select(links.c.local_id).where(links.c.iri == iri, links.c.kind == kind)
        )
        return None if value is None else str(value)

    async def iri_of(self, local_id: str, kind: str) -> str | None:
        value = await self._connection.scalar(
            sa.select(links.c.iri)
            .where(links.c.local_id == local_id, links.c.kind == kind)
            .order_by(links.c.created_at)
            .limit(1)
        )
        return None if value is None else str(value)

    async def iris_of(self, local_ids: Sequence[str], kind: str) -> dict[str, str]:
        if not local_ids:
            return {}
        rows = await self._connection.execute(
            sa.select(links.c.local_id, links.c.iri)
            .where(links.c.local_id.in_(list(local_ids)), links.c.kind == kind)
            .order_by(links.c.created_at.desc())
        )
        # the first link of each row wins, as in iri_of: later rows overwrite earlier ones
        return {str(row.local_id): str(row.iri) for row in rows}

    async def add_refusal(self, bid_iri: str, summary: str, content: str, now: float) -> None:
        try:
            async with self._connection.begin_nested():
                await self._connection.execute(
                    refusals.insert().values(
                        bid_iri=bid_iri, summary=summary, content=content, received_at=now
                    )
                )
        except IntegrityError:
            return

    async def refusal(self, bid_iri: str) -> tuple[str, str] | None:
        row = (
            await self._connection.execute(
                sa.select(refusals.c.summary, refusals.c.content).where(
                    refusals.c.bid_iri == bid_iri
                )
            )
        ).first()
        return None if row is None else (row.summary, row.content)
