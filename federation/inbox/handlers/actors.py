"""Delete and Update of actors, and Block: what happens to an actor as a whole."""

from __future__ import annotations

from federation.fetch import FetchBudget
from federation.inbox.dispatch import HandlerError, Incoming
from federation.iris import origin_of
from federation.jsonld.shapes import first, id_of
from federation.resolve import ActorGoneError, ResolveError, fetch_actor
from federation.runtime import Federation


async def handle_delete(fed: Federation, incoming: Incoming) -> None:
    """Delete of the actor itself: stop delivering to it and drop its follows.

    Deletes of other objects are recorded as tombstones, so a replayed or late Create cannot
    bring the object back; the catalog handlers read them.
    """
    target = id_of(incoming.activity.get("object"))
    if target is not None and origin_of(target) != origin_of(incoming.actor):
        # Only the object's own server may delete it: a tombstone recorded for another
        # server's object (or ours) would keep its real Create out for good.
        raise HandlerError(f"{incoming.actor} cannot delete {target} (another origin)")
    now = fed.clock.now()
    async with fed.uow() as tx:
        if target == incoming.actor:
            await tx.actors.mark_gone(incoming.actor, now)
            await tx.follows.delete_remote(incoming.actor)
        elif target is not None:
            await tx.tombstones.add(target, incoming.actor, now)


async def handle_update(fed: Federation, incoming: Incoming) -> None:
    """Update of the actor: re-read it from its origin, never from the embedded copy."""
    inner = incoming.activity.get("object")
    if id_of(inner) != incoming.actor:
        return  # updates of objects belong to the catalog handlers
    if isinstance(inner, dict) and first(inner.get("type")) not in {
        "Person",
        "Organization",
        "Service",
        "Application",
        "Group",
    }:
        return
    try:
        await fetch_actor(fed, incoming.actor, FetchBudget())
    except ActorGoneError:
        return
    except ResolveError:
        raise


async def handle_block(fed: Federation, incoming: Incoming) -> None:
    """A remote actor blocks one of our organisations: both follow directions end."""
    handle = fed.iris.org_handle(id_of(incoming.activity.get("object")) or "")
    if handle is None:
        return
    async with fed.uow() as tx:
        org = await tx.organisations.get_by_handle(handle)
        if org is None:
            return
        await tx.follows.delete("in", org.id, incoming.actor)
        await tx.follows.delete("out", org.id, incoming.actor)
