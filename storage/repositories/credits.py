"""Credits: who funded, built or maintains a tool (implements ports.CreditRepository)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from commonsnode.errors import ConflictError
from commonsnode.model.records import Credit
from storage.record_tables import announced_credits, credit_replays, credits
from storage.tables import listings
from storage.upsert import upsert

_ROLE_ORDER = sa.case({"funder": 0, "builder": 1, "maintainer": 2}, value=credits.c.role, else_=3)


def _credit(row: Any) -> Credit:
    return Credit(**row._mapping)


class SqlCreditRepository:
    def __init__(self, connection: AsyncConnection, dialect: str) -> None:
        self._connection = connection
        self._dialect = dialect

    async def replace_declared(self, listing_id: str, declared: Sequence[Credit]) -> None:
        await self._connection.execute(
            credits.delete().where(
                credits.c.listing_id == listing_id, credits.c.source == "publiccode"
            )
        )
        if declared:
            await self._connection.execute(credits.insert(), [asdict(c) for c in declared])

    async def add(self, credit: Credit) -> None:
        try:
            async with self._connection.begin_nested():
                await self._connection.execute(credits.insert().values(asdict(credit)))
        except IntegrityError:
            raise ConflictError("this credit is already recorded") from None

    async def for_listings(self, listing_ids: Sequence[str]) -> list[Credit]:
        if not listing_ids:
            return []
        rows = await self._connection.execute(
            sa.select(credits)
            .where(credits.c.listing_id.in_(list(listing_ids)))
            .order_by(_ROLE_ORDER, credits.c.party_name, credits.c.id)
        )
        return [_credit(row) for row in rows]

    async def keep_announced(
        self, listing_id: str, contract_iri: str, document: str, now: float, via: str | None = None
    ) -> bool:
        try:
            async with self._connection.begin_nested():
                await self._connection.execute(
                    announced_credits.insert().values(
                        listing_id=listing_id,
                        contract_iri=contract_iri,
                        document=document,
                        announced_at=now,
                        via_iri=via,
                    )
                )
        except IntegrityError:
            # The key is taken (kept before: the first signed copy stays), or the listing's
            # row is gone meanwhile (its foreign key): either way nothing new is kept.
            return False
        return True

    async def kept_credits(
        self, org_id: str | None, after: tuple[str, str] | None, limit: int
    ) -> list[tuple[str, str, str, str | None]]:
        statement = (
            sa.select(
                announced_credits.c.listing_id,
                announced_credits.c.contract_iri,
                announced_credits.c.document,
                announced_credits.c.via_iri,
            )
            .join(listings, listings.c.id == announced_credits.c.listing_id)
            .where(listings.c.withdrawn_at.is_(None))
        )
        if org_id is not None:  # an organisation's own listings (a copy has no org_id)
            statement = statement.where(listings.c.org_id == org_id)
        if after is not None:
            listing_id, contract_iri = after
            statement = statement.where(
                sa.or_(
                    announced_credits.c.listing_id > listing_id,
                    sa.and_(
                        announced_credits.c.listing_id == listing_id,
                        announced_credits.c.contract_iri > contract_iri,
                    ),
                )
            )
        rows = await self._connection.execute(
            statement.order_by(
                announced_credits.c.listing_id, announced_credits.c.contract_iri
            ).limit(limit)
        )
        return [(row.listing_id, row.contract_iri, row.document, row.via_iri) for row in rows]

    async def start_replay(self, scope: str, follower: str, now: float, cooldown: float) -> bool:
        last = await self._connection.scalar(
            sa.select(credit_replays.c.replayed_at).where(
                credit_replays.c.scope == scope, credit_replays.c.follower_iri == follower
            )
        )
        if last is not None and now - last < cooldown:
            return False
        values = {"scope": scope, "follower_iri": follower, "replayed_at": now}
        await self._connection.execute(
            upsert(
                self._dialect, credit_replays, values, ["scope", "follower_iri"], ["replayed_at"]
            )
        )
        return True
