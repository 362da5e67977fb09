"""Where to deliver to remote actors: one rule for every sender on this node.

A permanent failure leaves the actor out at once, logged: it is gone (410) or not found (404),
its domain is blocked, its address is refused by the network guard, its document is malformed
or names another id. Asking again will not help (security.md: "Peer returns 410/404 ⇒ no
retry"). A transient one (transport error, timeout, 5xx, 429) falls back on the inbox cached
from an earlier fetch (inboxes seldom move) and, without one, raises InboxUnavailable: a
caller that can retry does; one that cannot uses `inbox_or_none`.
"""

from __future__ import annotations

import logging

from federation.fetch import FetchBudget
from federation.resolve import ActorGoneError, ResolveError, resolve_actor
from federation.runtime import Federation

log = logging.getLogger("commonsnode.recipients")


class InboxUnavailable(Exception):
    """A remote actor's inbox cannot be resolved now (its node down?): try again later."""


async def inbox_of(fed: Federation, actor: str) -> str | None:
    """The remote actor's delivery inbox; None for a local actor or a permanent failure;
    InboxUnavailable for a transient one without a cached inbox."""
    if fed.iris.is_local(actor):
        return None
    try:
        found = await resolve_actor(fed, actor, FetchBudget())
    except ActorGoneError:
        log.info("no inbox for %s: the actor is gone", actor)
        return None
    except ResolveError as exc:
        if not exc.transient:
            log.warning("no inbox for %s: %s; left out", actor, exc)
            return None
        async with fed.uow(readonly=True) as tx:
            cached = await tx.actors.get(actor)
        if cached is not None and cached.gone_at is not None:
            log.info("no inbox for %s: the actor is gone", actor)
            return None
        if cached is None:
            raise InboxUnavailable(f"no inbox for {actor} now: {exc}") from exc
        return cached.delivery_inbox
    return found.delivery_inbox


async def inbox_or_none(fed: Federation, actor: str) -> str | None:
    """`inbox_of` for a sender that cannot wait: an actor unreachable now is left out."""
    try:
        return await inbox_of(fed, actor)
    except InboxUnavailable as exc:
        log.info("%s; left out", exc)
        return None
