"""Inbox processing in the worker: one handler per activity type, behind a strict registry."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from commonsnode.jobs import Job
from commonsnode.worker import PermanentJobError
from federation.delivery import hosts
from federation.iris import host_of
from federation.jsonld.shapes import first
from federation.runtime import Federation

log = logging.getLogger("commonsnode.inbox")


@dataclass(frozen=True, slots=True)
class Incoming:
    """One authenticated activity taken from the inbox log, as a handler receives it."""

    activity: dict[str, Any]
    actor: str
    recipient: str
    deferred: int = 0  # times a handler put it off already (credit_objects.py: AwaitingAccept)


ActivityHandler = Callable[[Federation, Incoming], Awaitable[None]]


class HandlerError(PermanentJobError):
    """The activity is well-formed but refused (wrong owner, unknown object): not retried."""


@dataclass(slots=True)
class Dispatcher:
    """Maps an activity type to its handler; registering a type twice is a programming error."""

    fed: Federation
    _handlers: dict[str, ActivityHandler] = field(default_factory=dict)

    def register(self, activity_type: str, handler: ActivityHandler) -> None:
        if activity_type in self._handlers:
            raise ValueError(f"activity type {activity_type!r} already has a handler")
        self._handlers[activity_type] = handler

    async def handle_job(self, job: Job) -> None:
        """The `inbox.process` job: unsupported types are done and logged, never retried."""
        payload = job.payload
        incoming = Incoming(
            payload["activity"],
            payload["actor"],
            payload["recipient"],
            int(payload.get("deferred") or 0),
        )
        await self._heard_from(host_of(incoming.actor))
        activity_type = first(incoming.activity.get("type"))
        handler = self._handlers.get(activity_type) if isinstance(activity_type, str) else None
        if handler is None:
            log.info("inbox: %s from %s is not handled here", activity_type, incoming.actor)
            return
        await handler(self.fed, incoming)

    async def _heard_from(self, host: str) -> None:
        """An authenticated activity from a host clears its 'unavailable' mark for deliveries."""
        async with self.fed.uow() as tx:
            stored = await tx.hosts.get(host)
            if stored is None:
                return
            state = hosts.from_record(stored)
            if state.failing_since is None and state.unavailable_since is None:
                return
            fresh = hosts.on_inbound(state, self.fed.clock.now())
            await tx.hosts.put(host, hosts.to_record(fresh), fresh.expires_at)
