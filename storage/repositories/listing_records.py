"""Deployments and support offers, local and remote (implements ports.ListingRecordRepository).

Both kinds share one table shape; each kind's terms are stored as JSON in `terms`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import Any, Generic

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from commonsnode.errors import ConflictError
from commonsnode.model.listings import Provenance
from commonsnode.model.records import (
    DeploymentTerms,
    ListingRecord,
    OfferTerms,
    RecordKind,
    RecordT,
)
from storage.record_tables import deployments, support_offers


def _deployment_terms(data: dict[str, Any]) -> DeploymentTerms:
    return DeploymentTerms(**data)


def _offer_terms(data: dict[str, Any]) -> OfferTerms:
    return OfferTerms(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items()})


class SqlListingRecordRepository(Generic[RecordT]):
    def __init__(
        self,
        connection: AsyncConnection,
        table: sa.Table,
        kind: RecordKind,
        terms: Callable[[dict[str, Any]], RecordT],
    ) -> None:
        self._connection = connection
        self._table = table
        self._kind = kind
        self._terms = terms

    def _values(self, record: ListingRecord[RecordT]) -> dict[str, Any]:
        origin = record.provenance
        return {
            "id": record.id,
            "listing_id": record.listing_id,
            "org_id": record.org_id,
            "terms": json.dumps(asdict(record.terms), ensure_ascii=False),
            "declarer_name": record.declarer_name,
            "declared_at": record.declared_at,
            "updated_at": record.updated_at,
            "origin_iri": origin.origin_iri if origin else None,
            "author_iri": origin.author_iri if origin else None,
            "node_host": origin.node_host if origin else None,
            "received_at": origin.received_at if origin else None,
            "via_iri": origin.via_iri if origin else None,
        }

    def _record(self, row: Any) -> ListingRecord[RecordT]:
        provenance = None
        if row.origin_iri is not None:
            provenance = Provenance(
                origin_iri=row.origin_iri,
                author_iri=row.author_iri,
                node_host=row.node_host,
                received_at=row.received_at,
                via_iri=row.via_iri,
            )
        return ListingRecord(
            id=row.id,
            kind=self._kind,
            listing_id=row.listing_id,
            terms=self._terms(json.loads(row.terms)),
            declarer_name=row.declarer_name,
            declared_at=row.declared_at,
            updated_at=row.updated_at,
            org_id=row.org_id,
            provenance=provenance,
        )

    async def save(self, record: ListingRecord[RecordT]) -> None:
        values = self._values(record)
        table = self._table
        try:
            async with self._connection.begin_nested():
                exists = await self._connection.scalar(
                    sa.select(table.c.id).where(table.c.id == record.id)
                )
                if exists is None:
                    await self._connection.execute(table.insert().values(values))
                else:
                    values.pop("id")
                    await self._connection.execute(
                        table.update().where(table.c.id == record.id).values(values)
                    )
        except IntegrityError:
            raise ConflictError(f"this organisation already has a {self._kind} here") from None

    async def _one(self, *where: Any) -> ListingRecord[RecordT] | None:
        row = (await self._connection.execute(sa.select(self._table).where(*where))).first()
        return None if row is None else self._record(row)

    async def get_by_id(self, record_id: str) -> ListingRecord[RecordT] | None:
        return await self._one(self._table.c.id == record_id)

    async def get_by_origin(self, origin_iri: str) -> ListingRecord[RecordT] | None:
        return await self._one(self._table.c.origin_iri == origin_iri)

    async def get_local(self, listing_id: str, org_id: str) -> ListingRecord[RecordT] | None:
        table = self._table
        return await self._one(table.c.listing_id == listing_id, table.c.org_id == org_id)

    async def get_remote(self, listing_id: str, author_iri: str) -> ListingRecord[RecordT] | None:
        table = self._table
        return await self._one(table.c.listing_id == listing_id, table.c.author_iri == author_iri)

    async def delete(self, record_id: str) -> bool:
        result = await self._connection.execute(
            self._table.delete().where(self._table.c.id == record_id)
        )
        return bool(result.rowcount)

    async def for_listings(self, listing_ids: Sequence[str]) -> list[ListingRecord[RecordT]]:
        if not listing_ids:
            return []
        table = self._table
        rows = await self._connection.execute(
            sa.select(table)
            .where(table.c.listing_id.in_(list(listing_ids)))
            .order_by(table.c.declared_at, table.c.id)
        )
        return [self._record(row) for row in rows]

    async def counts(self, listing_ids: Sequence[str]) -> dict[str, int]:
        if not listing_ids:
            return {}
        table = self._table
        rows = await self._connection.execute(
            sa.select(table.c.listing_id, sa.func.count())
            .where(table.c.listing_id.in_(list(listing_ids)))
            .group_by(table.c.listing_id)
        )
        return {listing_id: count for listing_id, count in rows}


def deployment_repository(
    connection: AsyncConnection,
) -> SqlListingRecordRepository[DeploymentTerms]:
    return SqlListingRecordRepository(connection, deployments, "deployment", _deployment_terms)


def support_offer_repository(connection: AsyncConnection) -> SqlListingRecordRepository[OfferTerms]:
    return SqlListingRecordRepository(connection, support_offers, "support", _offer_terms)
