"""Ports: what the marketplace needs from persistence, as Protocols that storage implements."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from commonsnode.jobs import DeadJob, Job, JobFailure, NewJob
from commonsnode.keys import KeyPair, KeyType
from commonsnode.model.organisations import Organisation


class JobOutbox(Protocol):
    """Enqueue jobs inside the caller's transaction (the transactional outbox)."""

    async def enqueue(self, job: NewJob) -> None:
        """Add one job; committed or rolled back with the rest of the unit of work."""

    async def enqueue_many(self, jobs: Sequence[NewJob]) -> None:
        """Add several jobs in one statement."""

    async def finish(self, job: Job) -> None:
        """Complete `job` in this transaction, so its effect and its completion are atomic."""


class OrganisationRepository(Protocol):
    async def add(self, org: Organisation) -> None:
        """Insert; ConflictError when the handle is taken."""

    async def get_by_handle(self, handle: str) -> Organisation | None:
        """The organisation with this handle, or None."""

    async def get_by_id(self, org_id: str) -> Organisation | None:
        """The organisation with this id, or None."""

    async def list_all(self) -> list[Organisation]:
        """Every local organisation, oldest first."""

    async def update(self, org: Organisation) -> None:
        """Replace the mutable fields (name, summary, manual approval)."""


class KeyRepository(Protocol):
    async def add(self, owner: str, pair: KeyPair) -> None:
        """Store a key pair for an owner (`instance` or an organisation id)."""

    async def get(self, owner: str, key_type: KeyType) -> KeyPair | None:
        """The owner's key pair of this type, or None."""


class TokenRepository(Protocol):
    async def add(self, token_id: str, org_id: str, token_hash: str, created_at: float) -> None:
        """Store the hash of a new API token (never the token itself)."""

    async def get_org_id(self, token_hash: str) -> str | None:
        """The organisation a token acts for, or None when unknown or revoked."""


class UnitOfWork(Protocol):
    """The repositories bound to one database transaction."""

    organisations: OrganisationRepository
    keys: KeyRepository
    tokens: TokenRepository
    jobs: JobOutbox


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, readonly: bool = False) -> AbstractAsyncContextManager[UnitOfWork]:
        """Open a transaction that commits on clean exit; `readonly` skips SQLite's write lock."""


class JobQueue(Protocol):
    """The worker's view of the job table: leased claim and settle, each one transaction."""

    async def enqueue_many(self, jobs: Sequence[NewJob]) -> None:
        """Enqueue outside any other transaction (CLI, tests, benchmarks)."""

    async def claim(self, worker: str, limit: int, lease_seconds: float) -> list[Job]:
        """Lease up to `limit` runnable jobs, oldest first, at most one per ordering key."""

    async def settle(self, done: Sequence[Job], failed: Sequence[JobFailure]) -> None:
        """Delete finished jobs and reschedule or bury failed ones, in one transaction.

        A job whose lease was lost (expired and claimed again) is left alone.
        """

    async def extend(self, jobs: Sequence[Job], lease_seconds: float) -> None:
        """Push the lease of running jobs forward (heartbeat)."""

    async def release(self, jobs: Sequence[Job]) -> None:
        """Give jobs back unrun (shutdown): ready again at once, the attempt not counted."""

    async def dead(self, limit: int = 100) -> list[DeadJob]:
        """Dead jobs, newest first, for the operator."""

    async def counts(self) -> dict[str, int]:
        """Number of jobs per state."""
