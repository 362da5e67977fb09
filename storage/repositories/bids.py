"""Bids on commission requests (implements commonsnode.ports.BidRepository)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from commonsnode.errors import ConflictError
from commonsnode.model.bids import Bid, parse_bid_terms, terms_to_json
from storage.commission_tables import commission_bids as bids_table


def _to_bid(row: Any) -> Bid:
    return Bid(
        id=row.id,
        request_id=row.request_id,
        bidder=row.bidder,
        terms=parse_bid_terms(json.loads(row.terms)),
        submitted_at=row.submitted_at,
        status=row.status,
    )


class SqlBidRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, bid: Bid, bidder_name: str, iri: str) -> None:
        values = {
            "id": bid.id,
            "iri": iri,
            "request_id": bid.request_id,
            "bidder": bid.bidder,
            "bidder_name": bidder_name,
            "terms": json.dumps(terms_to_json(bid.terms)),
            "currency": bid.terms.price.currency,
            "price": bid.terms.price.amount,
            "submitted_at": bid.submitted_at,
            "status": bid.status,
        }
        try:
            async with self._connection.begin_nested():
                await self._connection.execute(bids_table.insert().values(values))
        except IntegrityError:
            raise ConflictError(f"bid {iri} is already recorded") from None

    async def get(self, bid_id: str) -> Bid | None:
        row = (
            await self._connection.execute(sa.select(bids_table).where(bids_table.c.id == bid_id))
        ).first()
        return None if row is None else _to_bid(row)

    async def iri_of(self, bid_id: str) -> str | None:
        value = await self._connection.scalar(
            sa.select(bids_table.c.iri).where(bids_table.c.id == bid_id)
        )
        return None if value is None else str(value)

    async def iris_for_request(self, request_id: str) -> dict[str, str]:
        rows = await self._connection.execute(
            sa.select(bids_table.c.id, bids_table.c.iri).where(
                bids_table.c.request_id == request_id
            )
        )
        return {str(row.id): str(row.iri) for row in rows if row.iri is not None}

    async def for_request(self, request_id: str) -> list[Bid]:
        rows = await self._connection.execute(
            sa.select(bids_table)
            .where(bids_table.c.request_id == request_id)
            .order_by(bids_table.c.submitted_at, bids_table.c.id)
        )
        return [_to_bid(row) for row in rows]

    async def names(self, request_id: str) -> dict[str, str]:
        rows = await self._connection.execute(
            sa.select(bids_table.c.bidder, bids_table.c.bidder_name).where(
                bids_table.c.request_id == request_id
            )
        )
        return {row.bidder: row.bidder_name for row in rows}

    async def set_status(self, bids: Sequence[Bid]) -> None:
        for bid in bids:
            await self._connection.execute(
                bids_table.update().where(bids_table.c.id == bid.id).values(status=bid.status)
            )

    async def set_mark(self, bid_id: str, mark: int) -> None:
        await self._connection.execute(
            bids_table.update().where(bids_table.c.id == bid_id).values(approach_mark=mark)
        )

    async def marks(self, request_id: str) -> dict[str, int]:
        rows = await self._connection.execute(
            sa.select(bids_table.c.id, bids_table.c.approach_mark).where(
                bids_table.c.request_id == request_id, bids_table.c.approach_mark.is_not(None)
            )
        )
        return {row.id: int(row.approach_mark) for row in rows}
