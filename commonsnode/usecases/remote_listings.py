"""Listings other nodes publish: kept with provenance, changed and removed only by their author."""

from __future__ import annotations

from commonsnode.clock import Clock
from commonsnode.errors import ForbiddenError
from commonsnode.ids import new_id
from commonsnode.model.listings import (
    ListingFacts,
    Provenance,
    ToolListing,
    remote_listing,
    revise_remote,
)
from commonsnode.ports import UnitOfWorkFactory
from commonsnode.usecases.records import record_declared_credits


async def store_remote_listing(
    uow: UnitOfWorkFactory,
    clock: Clock,
    facts: ListingFacts,
    provenance: Provenance,
    published_at: float,
) -> ToolListing | None:
    """Keep (or refresh) a listing its author sent us; None when it is not wanted here.

    A deleted listing is never brought back (the tombstone wins over a replayed Create), and a
    new listing is kept only from an author one of our organisations follows: nobody can fill
    the catalog by sending listings unasked. A known listing changes only by its own author.
    """
    now = clock.now()
    async with uow() as tx:
        if await tx.tombstones.exists(provenance.origin_iri):
            return None
        existing = await tx.listings.get_by_origin(provenance.origin_iri)
        if existing is None:
            if not await tx.follows.is_followed(provenance.author_iri):
                return None
            listing = remote_listing(new_id(now), facts, provenance, published_at)
            await tx.listings.add(listing)
            await record_declared_credits(tx, listing, now)
            return listing
        listing = revise_remote(
            existing, provenance.author_iri, facts, provenance.received_at, provenance.via_iri
        )
        await tx.listings.update(listing)
        await record_declared_credits(tx, listing, now)
        return listing


async def remove_remote_listing(
    uow: UnitOfWorkFactory, clock: Clock, origin_iri: str, actor: str
) -> bool:
    """The author deleted its listing: remove it. ForbiddenError when `actor` is not its
    author; False when we did not hold it.

    The caller remembers the IRI (a tombstone), once for whatever kind the Delete named:
    federation/inbox/handlers/objects.py handle_delete.
    """
    async with uow() as tx:
        existing = await tx.listings.get_by_origin(origin_iri)
        if existing is not None:
            if existing.provenance is None or existing.provenance.author_iri != actor:
                raise ForbiddenError(f"{actor} is not the author of {origin_iri}")
            await tx.listings.delete(existing.id)
    return existing is not None
