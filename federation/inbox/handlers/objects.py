"""Create, Update and Delete of objects: the kinds in KINDS are kept, anything else is left alone.

Update and Delete of the actor itself go on to handlers/actors.py. An object is accepted only
from its owner: it shares the actor's origin and (for attributed kinds) its `attributedTo` is
the activity's actor. An object receive.py reduced to its id is fetched from its origin, never
trusted. Each kind's own rules live with it (object_kinds.py, handlers/listing_objects.py).
"""

from __future__ import annotations

import logging
from typing import Any

from commonsnode.errors import ForbiddenError
from federation.actors import ACTOR_TYPES
from federation.fetch import FetchBudget, FetchError
from federation.inbox.dispatch import HandlerError, Incoming
from federation.inbox.handlers import actors
from federation.inbox.handlers.listing_objects import LISTINGS
from federation.inbox.handlers.rating_objects import RATINGS
from federation.inbox.handlers.record_objects import DEPLOYMENTS, SUPPORT_OFFERS
from federation.inbox.handlers.report_objects import COMMENTS, REPORTS
from federation.inbox.object_kinds import ObjectKind
from federation.inbox.signed_objects import prove_author
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
    kind = kind_of(document)
    author = id_of(document.get("attributedTo"))
    if kind is not None and kind.attributed and author != incoming.actor:
        raise HandlerError(f"{incoming.actor} is not the author of {iri}")
    return document


def kind_of(document: Any) -> ObjectKind | None:
    """The kind a document is one of, None for anything else (a plain Note, say)."""
    if not isinstance(document, dict):
        return None
    return next((kind for kind in KINDS if kind.recognises(document)), None)


def _ignored(inner: Any) -> bool:
    """An embedded object of no kind we keep: a Mastodon post and the like, left alone."""
    return isinstance(inner, dict) and "type" in inner and kind_of(inner) is None


async def _keep(fed: Federation, incoming: Incoming) -> None:
    document = await _owned_object(fed, incoming)
    kind = kind_of(document)
    if document is None or kind is None:
        return
    if kind.signed and not await prove_author(fed, document, incoming.actor):
        return
    await kind.keep(fed, incoming, document)


async def handle_create(fed: Federation, incoming: Incoming) -> None:
    """Create of an object of one of our kinds: kept by that kind's rules; others: ignored."""
    if _ignored(incoming.activity.get("object")):
        return
    await _keep(fed, incoming)


async def handle_update(fed: Federation, incoming: Incoming) -> None:
    """Update of the actor (re-read from its origin) or of one of its objects."""
    inner = incoming.activity.get("object")
    if id_of(inner) == incoming.actor or (
        isinstance(inner, dict) and first(inner.get("type")) in ACTOR_TYPES
    ):
        await actors.handle_update(fed, incoming)
        return
    if _ignored(inner):
        return
    iri = id_of(inner)
    if iri is not None and origin_of(iri) != origin_of(incoming.actor):
        raise HandlerError(f"{incoming.actor} cannot update {iri} (another origin)")
    await _keep(fed, incoming)


async def handle_delete(fed: Federation, incoming: Incoming) -> None:
    """Delete of the actor, or of an object: what we hold goes, and only by its author.

    Either way the object's IRI is remembered, so a late or replayed Create cannot bring it
    back; an object of another origin is refused by the actor handler. The tombstone is
    written here only: the kinds' `remove` leave it to this one place.
    """
    target = id_of(incoming.activity.get("object"))
    if target is None or target == incoming.actor or origin_of(target) != origin_of(incoming.actor):
        await actors.handle_delete(fed, incoming)
        return
    try:
        for kind in KINDS:
            if await kind.remove(fed, target, incoming.actor):
                break
    except ForbiddenError as exc:
        raise HandlerError(exc.detail) from exc
    async with fed.uow() as tx:
        await tx.tombstones.add(target, incoming.actor, fed.clock.now())


# Every object kind the inbox keeps; a document is the first kind that recognises it.
# COMMENTS (any Note replying to something) stays last: it must not shadow other Note kinds.
KINDS: tuple[ObjectKind, ...] = (
    LISTINGS,
    RATINGS,
    DEPLOYMENTS,
    SUPPORT_OFFERS,
    REPORTS,
    COMMENTS,
)
