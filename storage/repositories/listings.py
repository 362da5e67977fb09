"""Tool listings, local and remote (implements commonsnode.ports.ListingRepository)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from commonsnode.errors import ConflictError
from commonsnode.model.listings import (
    ListingFacts,
    ListingQuery,
    ListingText,
    Provenance,
    ToolListing,
)
from storage.tables import listings

_LIKE_ESCAPE = "\\"


def _tokens(values: tuple[str, ...]) -> str:
    """Space-delimited with a space at each end, so `LIKE '% token %'` matches whole entries."""
    return " " + " ".join(v.replace(" ", "_") for v in values) + " " if values else " "


def _search_text(facts: ListingFacts) -> str:
    parts = [facts.name, facts.repository, facts.license, *facts.categories, *facts.used_by]
    for text in facts.descriptions:
        parts += [text.short_description, text.long_description, *text.features]
    return "\n".join(parts).lower()


def _document(facts: ListingFacts) -> str:
    """Every fact except the per-language texts, which have their own column."""
    values = asdict(facts)
    values.pop("descriptions")
    return json.dumps(values, ensure_ascii=False)


def _values(listing: ToolListing) -> dict[str, Any]:
    facts, origin = listing.facts, listing.provenance
    return {
        "id": listing.id,
        "org_id": listing.org_id,
        "state": listing.state,
        "name": facts.name,
        "url": facts.repository,
        "repository_key": listing.repository_key,
        "summary": facts.text().short_description,
        "descriptions": json.dumps([asdict(d) for d in facts.descriptions], ensure_ascii=False),
        "categories": _tokens(facts.categories),
        "platforms": _tokens(facts.platforms),
        "license": facts.license,
        "development_status": facts.development_status,
        "software_type": facts.software_type,
        "document": _document(facts),
        "publiccode": listing.publiccode,
        "search_text": _search_text(facts),
        "published_at": listing.published_at,
        "updated_at": listing.updated_at,
        "withdrawn_at": listing.withdrawn_at,
        "origin_iri": origin.origin_iri if origin else None,
        "author_iri": origin.author_iri if origin else None,
        "node_host": origin.node_host if origin else None,
        "received_at": origin.received_at if origin else None,
        "via_iri": origin.via_iri if origin else None,
    }


def _record(row: Any) -> ToolListing:
    document = json.loads(row.document)
    texts = tuple(
        ListingText(**{**d, "features": tuple(d.get("features", ()))})
        for d in json.loads(row.descriptions)
    )
    facts = ListingFacts(
        descriptions=texts,
        **{k: tuple(v) if isinstance(v, list) else v for k, v in document.items()},
    )
    provenance = None
    if row.origin_iri is not None:
        provenance = Provenance(
            origin_iri=row.origin_iri,
            author_iri=row.author_iri,
            node_host=row.node_host,
            received_at=row.received_at,
            via_iri=row.via_iri,
        )
    return ToolListing(
        id=row.id,
        facts=facts,
        state=row.state,
        published_at=row.published_at,
        updated_at=row.updated_at,
        withdrawn_at=row.withdrawn_at,
        org_id=row.org_id,
        publiccode=row.publiccode,
        provenance=provenance,
    )


def _like(text: str, *, whole_token: bool = False) -> str:
    escaped = text.replace(_LIKE_ESCAPE, _LIKE_ESCAPE * 2).replace("%", "\\%").replace("_", "\\_")
    return f"% {escaped} %" if whole_token else f"%{escaped}%"


class SqlListingRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, listing: ToolListing) -> None:
        try:
            async with self._connection.begin_nested():
                await self._connection.execute(listings.insert().values(_values(listing)))
        except IntegrityError:
            raise ConflictError(
                "this organisation already lists that repository", field="url"
            ) from None

    async def update(self, listing: ToolListing) -> None:
        values = _values(listing)
        values.pop("id")
        try:
            async with self._connection.begin_nested():
                await self._connection.execute(
                    listings.update().where(listings.c.id == listing.id).values(values)
                )
        except IntegrityError:
            raise ConflictError(
                "this organisation already lists that repository", field="url"
            ) from None

    async def _one(self, *where: Any) -> ToolListing | None:
        row = (await self._connection.execute(sa.select(listings).where(*where))).first()
        return None if row is None else _record(row)

    async def get_by_id(self, listing_id: str) -> ToolListing | None:
        return await self._one(listings.c.id == listing_id)

    async def get_by_origin(self, origin_iri: str) -> ToolListing | None:
        return await self._one(listings.c.origin_iri == origin_iri)

    async def get_local_by_repository(self, org_id: str, key: str) -> ToolListing | None:
        return await self._one(
            listings.c.org_id == org_id,
            listings.c.repository_key == key,
            listings.c.state == "published",
        )

    async def delete(self, listing_id: str) -> bool:
        result = await self._connection.execute(
            listings.delete().where(listings.c.id == listing_id)
        )
        return bool(result.rowcount)

    async def search(self, query: ListingQuery) -> list[ToolListing]:
        statement = sa.select(listings).where(listings.c.state == "published")
        if query.q:
            for word in query.q.lower().split()[:8]:
                statement = statement.where(
                    listings.c.search_text.like(_like(word), escape=_LIKE_ESCAPE)
                )
        for column, value in (
            (listings.c.categories, query.category),
            (listings.c.platforms, query.platform),
        ):
            if value:
                statement = statement.where(
                    column.like(_like(value.replace(" ", "_"), whole_token=True), escape="\\")
                )
        for column, value in (
            (listings.c.license, query.license),
            (listings.c.development_status, query.development_status),
            (listings.c.software_type, query.software_type),
        ):
            if value:
                statement = statement.where(column == value)
        if query.origin == "local":
            statement = statement.where(listings.c.org_id.is_not(None))
        elif query.origin == "remote":
            statement = statement.where(listings.c.origin_iri.is_not(None))
        if query.after:
            statement = statement.where(listings.c.id < query.after)
        rows = await self._connection.execute(
            statement.order_by(listings.c.id.desc()).limit(query.limit)
        )
        return [_record(row) for row in rows]
