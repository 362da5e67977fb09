"""The listing an object names (a rating, a credit): held here, or fetched from its origin.

A listing we do not hold is read from its origin within the caller's fetch budget and kept
only as the listing rules allow (one of our organisations follows its author, or our catalog
follows `via`, the catalog that sent it), so naming a listing never fills the catalog unasked.
"""

from __future__ import annotations

import logging

from commonsnode.model.listings import ToolListing
from federation.announce import keep_document
from federation.catalog import CatalogSettings
from federation.fetch import FetchBudget, FetchError
from federation.jsonld.loader import JsonLdRejected
from federation.jsonld.normalise import normalise
from federation.jsonld.shapes import id_of
from federation.runtime import Federation

log = logging.getLogger("commonsnode.inbox")


def _local_listing_id(fed: Federation, iri: str) -> str | None:
    prefix = fed.iris.listing("")
    rest = iri[len(prefix) :] if iri.startswith(prefix) else ""
    return rest if rest and "/" not in rest and "?" not in rest and "#" not in rest else None


async def _member(fed: Federation, via: str) -> bool:
    async with fed.uow(readonly=True) as tx:
        follow = await tx.catalog.get_follow("out", via)
    return follow is not None and follow.state == "accepted"


async def held_or_fetched_listing(
    fed: Federation, iri: str, via: str, budget: FetchBudget, settings: CatalogSettings
) -> ToolListing | None:
    """The listing `iri`: held here, or fetched and kept by the listing rules; else None.
    `settings`: the catalog's, so a hub re-shares a listing of a catalog it follows fetched
    this way as it would one that catalog announced (and relays its credits: it re-shares it)."""
    if fed.iris.is_local(iri):
        local_id = _local_listing_id(fed, iri)
        if local_id is None:
            return None
        async with fed.uow(readonly=True) as tx:
            found = await tx.listings.get_by_id(local_id)
        return found if found is not None and found.is_local else None
    async with fed.uow(readonly=True) as tx:
        found = await tx.listings.get_by_origin(iri)
    if found is not None:
        return found
    return await fetched_listing(fed, iri, via, budget, settings, member=await _member(fed, via))


async def fetched_listing(
    fed: Federation,
    iri: str,
    via: str,
    budget: FetchBudget,
    settings: CatalogSettings,
    *,
    member: bool,
) -> ToolListing | None:
    """The remote listing `iri`, which the caller found not held here: fetched from its origin
    and kept by the listing rules (`member`: our catalog follows `via`); else None."""
    try:
        result = await fed.fetcher.fetch_activity(iri, budget=budget)
        document = normalise(result.document or {})
    except (FetchError, JsonLdRejected) as exc:
        log.info("listing %s could not be read: %s", iri, exc)
        return None
    if id_of(document) != iri:
        return None
    async with fed.uow() as tx:
        outcome = await keep_document(tx, fed, settings, document, via, member=member)
    if outcome != "stored":
        log.info("listing %s not kept: %s", iri, outcome)
        return None
    async with fed.uow(readonly=True) as tx:
        return await tx.listings.get_by_origin(iri)
