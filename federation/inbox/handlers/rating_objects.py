"""Ratings (`Note` replying to a listing, with our `scores`) as an inbox object kind.

A rating is kept when its proof shows its author (the activity's actor, or whoever a relay
names, checked by the caller), its author's domain is not blocked, and the rated listing is
held here; a listing we do not hold is fetched from its origin within the activity's fetch
budget and kept only as the listing rules allow, else the rating is dropped (logged, nothing
stored).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from commonsnode.errors import DomainError
from commonsnode.usecases.ratings import remove_remote_rating, store_remote_rating
from federation.catalog import CatalogSettings
from federation.convert.ratings import RatingDocumentError, from_ap, is_rating
from federation.fetch import FetchBudget
from federation.inbox.dispatch import HandlerError, Incoming
from federation.inbox.listing_fetch import held_or_fetched_listing
from federation.inbox.object_kinds import ObjectKind
from federation.iris import host_of
from federation.jsonld.shapes import id_of
from federation.runtime import Federation

log = logging.getLogger("commonsnode.inbox")


async def keep_rating(fed: Federation, incoming: Incoming, document: dict[str, Any]) -> None:
    """Store a rating by `incoming.actor` (its proven author); refused ones raise HandlerError."""
    iri = id_of(document) or ""
    author = incoming.actor
    via = id_of(incoming.activity.get("actor")) or author
    if not (await fed.policy()).permits(host_of(author)):
        log.info("rating %s: %s is blocked", iri, author)
        return
    budget = FetchBudget()  # its proof was checked before (federation/inbox/signed_objects.py)
    try:
        rating = from_ap(document, fed.clock.now())
    except RatingDocumentError as exc:
        raise HandlerError(f"{iri}: {exc}") from exc
    # No catalog settings reach the object kinds: a listing a rating brings is kept, never
    # re-shared by a hub (its backfill or the member catalog's Announce re-shares it).
    listing = await held_or_fetched_listing(fed, rating.listing_iri, via, budget, CatalogSettings())
    if listing is None or listing.state != "published":
        log.info("rating %s of %s dropped: the listing is not held here", iri, rating.listing_iri)
        return
    try:
        stored = await store_remote_rating(
            fed.uow,
            fed.clock,
            listing,
            origin_iri=iri,
            author_iri=author,
            node_host=urlsplit(iri).netloc.lower(),
            via_iri=via,
            scores=rating.scores,
            text=rating.text,
            published_at=rating.published_at,
            authored_at=rating.updated_at,
        )
    except DomainError as exc:  # the author maintains the tool, or not the Note's author
        raise HandlerError(f"{iri}: {exc.detail}") from exc
    if stored is None:
        log.info("rating %s: deleted before, not kept", iri)


async def remove_rating(fed: Federation, iri: str, actor: str) -> bool:
    """The author's Delete of a rating we hold."""
    return await remove_remote_rating(fed.uow, fed.clock, iri, actor)


async def forget_rating(fed: Federation, iri: str) -> bool:
    """The rating's origin answers 410: whoever relayed it, it is gone."""
    async with fed.uow() as tx:
        existing = await tx.ratings.get_by_origin(iri)
        if existing is None:
            return False
        await tx.ratings.delete(existing.id)
    return True


RATINGS = ObjectKind(
    "rating", is_rating, keep_rating, remove_rating, signed=True, forget=forget_rating
)
