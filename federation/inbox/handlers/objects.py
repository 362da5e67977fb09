"""Create, Update and Delete of objects: tool listings are kept, anything else is left alone.

Update and Delete of the actor itself go on to handlers/actors.py. A listing is accepted
only from its owner: the Article's `attributedTo` is the activity's actor, on the actor's
origin. An object receive.py reduced to its id is fetched from its origin, never trusted.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from commonsnode.errors import DomainError, ForbiddenError
from commonsnode.model.listings import Provenance
from commonsnode.usecases.remote_listings import remove_remote_listing, store_remote_listing
from federation.actors import ACTOR_TYPES
from federation.convert.listings import ListingDocumentError, from_ap, is_listing, published_of
from federation.fetch import FetchBudget, FetchError
from federation.inbox.dispatch import HandlerError, Incoming
from federation.inbox.handlers import actors
from federation.iris import origin_of
from federation.jsonld.loader import JsonLdRejected
from federation.jsonld.normalise import normalise
from federation.jsonld.shapes import first, id_of
from federation.runtime import Federation

log = logging.getLogger("commonsnode.inbox")


async def _fetch_object(fed: Federation, iri: str) -> dict[str, Any] | None:
    """The object as its origin serves it; None when it is gone (and remembered as gone)."""
    try:
        result = await fed.fetcher.fetch_activity(iri, budget=FetchBudget())
    except FetchError as exc:
        if exc.status == 410:
            return None
        if exc.status is not None and 400 <= exc.status < 500:
            raise HandlerError(f"{iri}: its origin answered {exc.status}") from exc
        raise  # network trouble and 5xx: the worker retries later
    try:
        return normalise(result.document or {})
    except JsonLdRejected as exc:
        raise HandlerError(f"{iri}: json-ld: {exc}") from exc


async def _owned_object(fed: Federation, incoming: Incoming) -> dict[str, Any] | None:
    """The activity's object when it is the actor's own; fetched when only its id came.

    None for an object of another origin (it cannot be the actor's) or one gone at its origin.
    """
    inner = incoming.activity.get("object")
    iri = id_of(inner)
    if iri is None or origin_of(iri) != origin_of(incoming.actor):
        return None
    document = inner if isinstance(inner, dict) and "type" in inner else None
    if document is None:
        document = await _fetch_object(fed, iri)
        if document is None or id_of(document) != iri:
            return None
    if id_of(document.get("attributedTo")) != incoming.actor and is_listing(document):
        raise HandlerError(f"{incoming.actor} is not the author of {iri}")
    return document


async def _store_listing(fed: Federation, incoming: Incoming, document: dict[str, Any]) -> None:
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


async def handle_create(fed: Federation, incoming: Incoming) -> None:
    """Create{Article} of a tool listing: keep it with its provenance; other objects: ignored."""
    inner = incoming.activity.get("object")
    if isinstance(inner, dict) and "type" in inner and not is_listing(inner):
        return  # a Note from Mastodon and the like: not a catalog matter
    document = await _owned_object(fed, incoming)
    if document is not None and is_listing(document):
        await _store_listing(fed, incoming, document)


async def handle_update(fed: Federation, incoming: Incoming) -> None:
    """Update of the actor (re-read from its origin) or of one of its listings."""
    inner = incoming.activity.get("object")
    if id_of(inner) == incoming.actor or (
        isinstance(inner, dict) and first(inner.get("type")) in ACTOR_TYPES
    ):
        await actors.handle_update(fed, incoming)
        return
    if isinstance(inner, dict) and "type" in inner and not is_listing(inner):
        return
    iri = id_of(inner)
    if iri is not None and origin_of(iri) != origin_of(incoming.actor):
        raise HandlerError(f"{incoming.actor} cannot update {iri} (another origin)")
    document = await _owned_object(fed, incoming)
    if document is not None and is_listing(document):
        await _store_listing(fed, incoming, document)


async def handle_delete(fed: Federation, incoming: Incoming) -> None:
    """Delete of the actor, or of an object: a listing we hold goes, and only by its author.

    Either way the object's IRI is remembered, so a late or replayed Create cannot bring it
    back; an object of another origin is refused by the actor handler.
    """
    target = id_of(incoming.activity.get("object"))
    if target is None or target == incoming.actor or origin_of(target) != origin_of(incoming.actor):
        await actors.handle_delete(fed, incoming)
        return
    try:
        await remove_remote_listing(fed.uow, fed.clock, target, incoming.actor)
    except ForbiddenError as exc:
        raise HandlerError(exc.detail) from exc
