"""Job records shared by the queue port, its storage and the worker."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class LeaseLostError(Exception):
    """The job's lease expired and another worker holds it: this run's effect must not commit."""


@dataclass(frozen=True, slots=True)
class NewJob:
    """A job to enqueue.

    `ordering_key`: jobs sharing it run one at a time, in enqueue order (a Delete never
    overtakes its Create). `dedupe_key`: at most one live job per key; a second enqueue
    with the same key is dropped. `run_at`: not before this epoch time (None: now).
    """

    kind: str
    payload: dict[str, Any] = field(default_factory=dict)
    ordering_key: str | None = None
    dedupe_key: str | None = None
    run_at: float | None = None


@dataclass(frozen=True, slots=True)
class Job:
    """A claimed job: the lease (`id`, `lease_token`) must accompany every state change."""

    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int
    ordering_key: str | None
    lease_token: str
    created_at: float
    last_error: str | None = None


@dataclass(frozen=True, slots=True)
class JobFailure:
    """A failed run: retried at `retry_at`, or dead (kept with its reason) when that is None."""

    job: Job
    error: str
    retry_at: float | None


@dataclass(frozen=True, slots=True)
class DeadJob:
    """A job that will not run again, kept for the operator with why it died."""

    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int
    last_error: str | None
    created_at: float
