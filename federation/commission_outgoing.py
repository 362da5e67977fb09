"""Commission activities ready to go: addressed, their remote inboxes resolved, published
together in the transaction that finishes the job that made them.

Everything that needs the network (actor documents, signing) happens before that transaction.
A recipient that can never be told (federation/recipients.py: 404/410, blocked, ...) is left
out at once; one that cannot be resolved now raises InboxUnavailable, so the job retries
rather than tell only some. Only the job's last attempt (`last_attempt`) commits a step with
the recipients still unreachable left out, so one broken node does not keep it from the
others for good.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from commonsnode.model.organisations import Organisation
from commonsnode.ports import UnitOfWork
from federation import recipients
from federation.announce import announce_signed
from federation.outbox import publish
from federation.runtime import Federation

# Set for a job's last attempt: an actor that still cannot be resolved is left out, so one
# broken recipient does not keep the step from everybody else for good.
_LAST_ATTEMPT: ContextVar[bool] = ContextVar("commission_last_attempt", default=False)


@contextmanager
def last_attempt(final: bool) -> Iterator[None]:
    """Within: when `final`, unresolvable actors are logged and left out instead of raising."""
    token = _LAST_ATTEMPT.set(final)
    try:
        yield
    finally:
        _LAST_ATTEMPT.reset(token)


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One activity of `org`: to `inboxes` (and its followers when `followers`); `announced`
    is a public request's signed Article the catalog announces embedded; `links` are
    commission_links rows (iri, kind, local id) written with it."""

    org: Organisation
    activity: dict[str, Any]
    inboxes: tuple[str, ...] = ()
    followers: bool = False
    announced: dict[str, Any] | None = None
    links: tuple[tuple[str, str, str], ...] = ()


def giving_up() -> bool:
    """Whether this is the job's last attempt (see `last_attempt`)."""
    return _LAST_ATTEMPT.get()


async def inboxes_by_actor(fed: Federation, actors: Sequence[str]) -> dict[str, str | None]:
    """Each remote actor's inbox (federation/recipients.py decides what is permanent):
    InboxUnavailable while one cannot be resolved now; on a last attempt it is left out."""
    return await recipients.inboxes_by_actor(fed, actors, leave_out_unavailable=giving_up())


async def inboxes_of(fed: Federation, actors: Sequence[str]) -> tuple[str, ...]:
    """The remote actors' inboxes, each once (local, gone and left-out actors have none)."""
    found = await inboxes_by_actor(fed, actors)
    return tuple(dict.fromkeys(inbox for inbox in found.values() if inbox))


async def publish_all(
    tx: UnitOfWork, fed: Federation, outgoing: Sequence[Outgoing], now: float
) -> None:
    """Store each activity and queue its delivery, in the caller's transaction."""
    for item in outgoing:
        for iri, kind, local_id in item.links:
            await tx.commission_links.link(iri, kind, local_id, now)
        await publish(
            tx,
            fed.iris,
            item.org,
            item.activity,
            now,
            followers=item.followers,
            inboxes=item.inboxes,
        )
        if item.announced is not None:
            await announce_signed(tx, fed, str(item.announced["id"]), item.announced, live=True)
