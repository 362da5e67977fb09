"""Where to deliver to remote actors: one rule for every sender on this node.

A permanent failure leaves the actor out at once, logged: it is gone (410) or not found (404),
its domain is blocked, its address is refused by the network guard, its document is malformed
or names another id. Asking again will not help (security.md: "Peer returns 410/404 ⇒ no
retry"). A transient one (transport error, timeout, 5xx, 408, 429) falls back on the inbox cached
from an earlier fetch (inboxes seldom move) and, without one, raises InboxUnavailable: a
caller that can retry does; one that cannot uses `inbox_or_none`.

Several recipients are resolved together (`inboxes_by_actor`): fresh cached actors first,
without a fetch; the rest a few at a time, one fetch per node at once and FETCH_SECONDS each,
within RESOLVE_SECONDS all told. Black-holed nodes must neither use up the job's time (120 s)
before it publishes to the others nor starve a healthy recipient queued behind them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Final

from commonsnode.model.actors import RemoteActor
from federation.fetch import FetchBudget
from federation.iris import origin_of
from federation.resolve import ActorGoneError, ResolveError, resolve_actor
from federation.runtime import Federation

log = logging.getLogger("commonsnode.recipients")

# Fetches of one step's recipients at once, and how long they may take all together: one
# fetch's own deadline (30 s) fits, and at least half of the 120 s job timeout stays for
# shaping, signing and publishing.
PARALLEL: Final = 16
RESOLVE_SECONDS: Final = 45.0
# How long one actor's fetch may hold its slot: a node that has not answered by then (a
# healthy one answers in well under a second) gives the slot up to the recipients queued
# behind it, so even many hanging nodes cannot use up the step's resolving time alone.
FETCH_SECONDS: Final = 10.0


class InboxUnavailable(Exception):
    """A remote actor's inbox cannot be resolved now (its node down?): try again later."""


async def inbox_of(fed: Federation, actor: str) -> str | None:
    """The remote actor's delivery inbox; None for a local actor or a permanent failure;
    InboxUnavailable for a transient one without a cached inbox."""
    if fed.iris.is_local(actor):
        return None
    try:
        return await _resolved_inbox(fed, actor)
    except ResolveError as exc:
        return await _cached_inbox(fed, actor, str(exc))


async def _resolved_inbox(fed: Federation, actor: str) -> str | None:
    """The inbox from cache or a fetch; None for a permanent failure (logged); a transient
    one raises its ResolveError (the caller falls back on the cache)."""
    try:
        found = await resolve_actor(fed, actor, FetchBudget())
    except ActorGoneError:
        log.info("no inbox for %s: the actor is gone", actor)
        return None
    except ResolveError as exc:
        if not exc.transient:
            log.warning("no inbox for %s: %s; left out", actor, exc)
            return None
        raise
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
    """Each actor's inbox (None: local or left out). Actors held fresh in the cache are
    answered first, without the network or a slot. The others are fetched concurrently,
    one at a time per origin: once an origin fails to answer, its other actors fall back on
    the cache at once, so a node that hangs holds one slot, not all of them, and for
    FETCH_SECONDS at most: a healthy recipient queued behind hanging ones is not starved.
    An actor not resolved within RESOLVE_SECONDS counts as unavailable now. Unavailable
    actors are left out (logged) when `leave_out_unavailable`, else InboxUnavailable."""
    unique = list(dict.fromkeys(actors))
    found: dict[str, str | InboxUnavailable | None] = {}
    by_origin: dict[str, list[str]] = {}
    async with fed.uow(readonly=True) as tx:
        for actor in unique:
            if fed.iris.is_local(actor):
                found[actor] = None
                continue
            cached = await tx.actors.get(actor)
            if cached is not None and cached.gone_at is not None:
                log.info("no inbox for %s: the actor is gone", actor)
                found[actor] = None
            elif cached is not None and _fresh(fed, cached):
                found[actor] = cached.delivery_inbox
            else:
                by_origin.setdefault(origin_of(actor), []).append(actor)
    slots = asyncio.Semaphore(PARALLEL)

    async def one_origin(queue: list[str]) -> None:
        silent = ""  # why the origin did not answer, once it did not
        for actor in queue:
            if not silent:
                async with slots:
                    try:
                        async with asyncio.timeout(FETCH_SECONDS):
                            found[actor] = await _resolved_inbox(fed, actor)
                        continue
                    except ResolveError as exc:
                        silent = f"its node did not answer ({exc})"
                    except TimeoutError:
                        silent = f"its node did not answer within {FETCH_SECONDS:g} s"
            found[actor] = await _cached_or_unavailable(fed, actor, silent)

    tasks = [asyncio.ensure_future(one_origin(queue)) for queue in by_origin.values()]
    try:
        if tasks:
            await asyncio.wait(tasks, timeout=RESOLVE_SECONDS)
    finally:  # also when the job itself is cancelled: no fetch outlives it
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    late = f"not resolved within {RESOLVE_SECONDS:g} s"
    result: dict[str, str | None] = {}
    for actor in unique:
        inbox = found.get(actor)
        if actor not in found:
            inbox = await _cached_or_unavailable(fed, actor, late)
        if isinstance(inbox, InboxUnavailable):
            if not leave_out_unavailable:
                raise inbox
            log.warning("%s; left out", inbox)
            inbox = None
        result[actor] = inbox
    return result


def _fresh(fed: Federation, cached: RemoteActor) -> bool:
    """Whether resolving would take the cached actor as it is (federation/resolve.py)."""
    return fed.clock.now() - cached.fetched_at < fed.settings.actor_refresh_seconds


async def _cached_or_unavailable(
    fed: Federation, actor: str, why: str
) -> str | InboxUnavailable | None:
    """`_cached_inbox`, its InboxUnavailable returned: decided on once every actor is in."""
    try:
        return await _cached_inbox(fed, actor, why)
    except InboxUnavailable as exc:
        return exc
