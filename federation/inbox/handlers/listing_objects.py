"""Tool listings (`Article` with our listing terms) as an inbox object kind."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from commonsnode.errors import DomainError
from commonsnode.model.listings import Provenance
from commonsnode.usecases.remote_listings import remove_remote_listing, store_remote_listing
from federation.convert.listings import ListingDocumentError, from_ap, is_listing, published_of
from federation.inbox.dispatch import HandlerError, Incoming
from federation.inbox.object_kinds import ObjectKind
from federation.jsonld.shapes import id_of
from federation.runtime import Federation

log = logging.getLogger("commonsnode.inbox")


async def keep_listing(fed: Federation, incoming: Incoming, document: dict[str, Any]) -> None:
    """Store the listing with where it came from; a refused one is a permanent HandlerError."""
    iri = id_of(document) or ""
    try:
        facts = from_ap(document)
    except ListingDocumentError as exc:
        raise HandlerError(f"{iri}: {exc}") from exc
    now = fed.clock.now()
    provenance = Provenance(
        origin_iri=iri,
        author_iri=incoming.actor,
        node_host=urlsplit(iri).netloc.lower(),
        received_at=now,
        via_iri=incoming.actor,
    )
    try:
        stored = await store_remote_listing(
            fed.uow, fed.clock, facts, provenance, published_of(document, now)
        )
    except DomainError as exc:  # not the author, or facts out of bounds: refused for good
        raise HandlerError(f"{iri}: {exc.detail}") from exc
    if stored is None:
        log.info(
            "listing %s from %s: not kept (deleted, or author not followed)", iri, incoming.actor
        )


async def remove_listing(fed: Federation, iri: str, actor: str) -> bool:
    """The author's Delete of a listing we hold."""
    return await remove_remote_listing(fed.uow, fed.clock, iri, actor)


LISTINGS = ObjectKind("listing", is_listing, keep_listing, remove_listing)
