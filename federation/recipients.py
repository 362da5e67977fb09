"""Where to deliver to remote actors: one rule for every sender on this node.

A permanent failure leaves the actor out at once, logged: it is gone (410) or not found (404),
its domain is blocked, its address is refused by the network guard, its document is malformed
or names another id. Asking again will not help (security.md: "Peer returns 410/404 ⇒ no
retry"). A transient one (transport error, timeout, 5xx, 408, 429) falls back on the inbox cached
from an earlier fetch (inboxes seldom move) and, without one, raises InboxUnavailable: a
caller that can retry does; one that cannot uses `inbox_or_none`.

Several recipients are resolved together (`inboxes_by_actor`), a few at a time and within
RESOLVE_SECONDS all told: black-holed nodes (each fetch may take 30 s) must not use up the
job's time (120 s) before it publishes to the others.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Final

from commonsnode.model.actors import RemoteActor
from federation.fetch import FetchBudget
from federation.resolve import ActorGoneError, ResolveError, resolve_actor
from federation.runtime import Federation

log = logging.getLogger("commonsnode.recipients")

# Fetches of one step's recipients at once, and how long they may take all together: one
# fetch's own deadline (30 s) fits, and at least half of the 120 s job timeout stays for
# shaping, signing and publishing.
PARALLEL: Final = 16
RESOLVE_SECONDS: Final = 45.0


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
        return await _cached_inbox(fed, actor, str(exc))
    return found.delivery_inbox


async def _cached_inbox(fed: Federation, actor: str, why: str) -> str | None:
    """The inbox of an earlier fetch when the actor cannot be fetched now (`why`)."""
    async with fed.uow(readonly=True) as tx:
        cached: RemoteActor | None = await tx.actors.get(actor)
    if cached is None:
        raise InboxUnavailable(f"no inbox for {actor} now: {why}")
    if cached.gone_at is not None:
        log.info("no inbox for %s: the actor is gone", actor)
        return None
    return cached.delivery_inbox


async def inbox_or_none(fed: Federation, actor: str) -> str | None:
    """`inbox_of` for a sender that cannot wait: an actor unreachable now is left out."""
    try:
        return await inbox_of(fed, actor)
    except InboxUnavailable as exc:
        log.info("%s; left out", exc)
        return None


async def inboxes_by_actor(
    fed: Federation, actors: Sequence[str], *, leave_out_unavailable: bool
) -> dict[str, str | None]:
    """Each actor's inbox (None: local or left out), resolved concurrently within
    RESOLVE_SECONDS; an actor not resolved by then counts as unavailable now. Unavailable
    actors are left out (logged) when `leave_out_unavailable`, else InboxUnavailable."""
    unique = list(dict.fromkeys(actors))
    if not unique:
        return {}
    slots = asyncio.Semaphore(PARALLEL)

    async def one(actor: str) -> str | None:
        async with slots:
            return await inbox_of(fed, actor)

    tasks = {actor: asyncio.ensure_future(one(actor)) for actor in unique}
    try:
        _, pending = await asyncio.wait(tasks.values(), timeout=RESOLVE_SECONDS)
    finally:  # also when the job itself is cancelled: no fetch outlives it
        for task in tasks.values():
            task.cancel()
        await asyncio.gather(*tasks.values(), return_exceptions=True)
    found: dict[str, str | None] = {}
    for actor, task in tasks.items():
        try:
            if task in pending:
                found[actor] = await _cached_inbox(
                    fed, actor, f"not resolved within {RESOLVE_SECONDS:g} s"
                )
            else:
                found[actor] = task.result()
        except InboxUnavailable as exc:
            if not leave_out_unavailable:
                raise
            log.warning("%s; left out", exc)
            found[actor] = None
    return found
