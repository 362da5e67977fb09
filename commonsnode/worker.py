"""The job runner: claims leased jobs, runs their handlers, settles results in batches."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from commonsnode.clock import Clock
from commonsnode.jobs import Job, JobFailure, LeaseLostError
from commonsnode.ports import JobQueue

log = logging.getLogger("commonsnode.worker")

Handler = Callable[[Job], Awaitable[None]]


class PermanentJobError(Exception):
    """The job can never succeed (bad payload, refused by the peer): dead now, not retried."""


class RetryJobError(Exception):
    """Try again after `delay` seconds (e.g. a peer's Retry-After), counting as an attempt."""

    def __init__(self, message: str, *, delay: float) -> None:
        super().__init__(message)
        self.delay = delay


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with jitter: delay = min(base * 2**(attempt-1), cap) ± jitter."""

    max_attempts: int = 8
    base_delay: float = 5.0
    max_delay: float = 3600.0
    jitter: float = 0.25

    def delay(self, attempt: int, rng: random.Random) -> float:
        raw = min(self.base_delay * (2 ** max(attempt - 1, 0)), self.max_delay)
        return raw * (1 + rng.uniform(-self.jitter, self.jitter))


@dataclass(frozen=True, slots=True)
class JobSpec:
    handler: Handler
    retry: RetryPolicy
    timeout: float | None


@dataclass(slots=True)
class HandlerRegistry:
    """Maps job kinds to handlers; registering a kind twice is a programming error."""

    _specs: dict[str, JobSpec] = field(default_factory=dict)

    def register(
        self,
        kind: str,
        handler: Handler,
        *,
        retry: RetryPolicy | None = None,
        timeout: float | None = 300.0,
    ) -> None:
        if kind in self._specs:
            raise ValueError(f"job kind {kind!r} already has a handler")
        self._specs[kind] = JobSpec(handler, retry or RetryPolicy(), timeout)

    def get(self, kind: str) -> JobSpec | None:
        return self._specs.get(kind)


def default_worker_name() -> str:
    """host:pid, so an operator can tell which process holds a lease."""
    return f"{socket.gethostname()}:{os.getpid()}"


class Worker:
    """Runs jobs with at most `concurrency` in flight; finished ones are settled together."""

    def __init__(
        self,
        queue: JobQueue,
        registry: HandlerRegistry,
        clock: Clock,
        *,
        name: str | None = None,
        concurrency: int = 8,
        lease_seconds: float = 60.0,
        poll_interval: float = 0.25,
        batch_size: int = 32,
        rng: random.Random | None = None,
    ) -> None:
        self.queue = queue
        self.registry = registry
        self.clock = clock
        self.name = name or default_worker_name()
        self.concurrency = concurrency
        self.lease_seconds = lease_seconds
        self.poll_interval = poll_interval
        self.batch_size = batch_size
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not secrets
        self._done: list[Job] = []
        self._failed: list[JobFailure] = []
        self._running: dict[asyncio.Task[None], Job] = {}

    async def _execute(self, job: Job) -> None:
        spec = self.registry.get(job.kind)
        if spec is None:
            self._fail(job, f"no handler for job kind {job.kind!r}", None)
            return
        if job.attempts > spec.retry.max_attempts:
            self._fail(job, f"gave up after {job.attempts - 1} attempts; {job.last_error}", None)
            return
        try:
            if spec.timeout is None:
                await spec.handler(job)
            else:
                await asyncio.wait_for(spec.handler(job), spec.timeout)
        except LeaseLostError:
            log.warning("job %s (%s): lease lost, result dropped", job.id, job.kind)
        except PermanentJobError as exc:
            self._fail(job, f"{type(exc).__name__}: {exc}", None)
        except RetryJobError as exc:
            retry_at = self.clock.now() + exc.delay
            last = job.attempts >= spec.retry.max_attempts
            self._fail(job, f"RetryJobError: {exc}", None if last else retry_at)
        except Exception as exc:  # noqa: BLE001 - any handler failure is recorded, never lost
            delay = spec.retry.delay(job.attempts, self._rng)
            last = job.attempts >= spec.retry.max_attempts
            self._fail(
                job, f"{type(exc).__name__}: {exc}", None if last else self.clock.now() + delay
            )
        else:
            self._done.append(job)

    def _fail(self, job: Job, error: str, retry_at: float | None) -> None:
        level = logging.WARNING if retry_at is not None else logging.ERROR
        log.log(
            level,
            "job %s (%s) attempt %s failed: %s%s",
            job.id,
            job.kind,
            job.attempts,
            error,
            "" if retry_at is not None else " (dead)",
        )
        self._failed.append(JobFailure(job, error, retry_at))

    async def _settle(self) -> None:
        if self._done or self._failed:
            done, failed = self._done, self._failed
            self._done, self._failed = [], []
            await self.queue.settle(done, failed)

    async def _fill(self) -> int:
        free = self.concurrency - len(self._running)
        if free <= 0:
            return 0
        claimed = await self.queue.claim(self.name, min(free, self.batch_size), self.lease_seconds)
        for job in claimed:
            task = asyncio.create_task(self._execute(job), name=f"job-{job.id}")
            self._running[task] = job
        return len(claimed)

    async def _reap(self, timeout: float | None) -> None:  # noqa: ASYNC109
        if not self._running:
            return
        finished, _ = await asyncio.wait(
            self._running, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
        for task in finished:
            del self._running[task]

    async def run_once(self) -> int:
        """Claim one batch, run it to the end and settle it: the deterministic step for tests."""
        claimed = await self._fill()
        while self._running:
            await self._reap(None)
        await self._settle()
        return claimed

    async def drain(self, max_rounds: int = 10_000) -> int:
        """Run until no job is runnable now; returns how many jobs ran."""
        total = 0
        for _ in range(max_rounds):
            ran = await self.run_once()
            if ran == 0:
                return total
            total += ran
        raise RuntimeError(f"queue still busy after {max_rounds} rounds")

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            with contextlib.suppress(Exception):
                await self.queue.extend(list(self._running.values()), self.lease_seconds)

    async def run(self, stopping: asyncio.Event, *, grace: float = 10.0) -> None:
        """Work until `stopping` is set, then finish in-flight jobs for `grace` seconds and
        give the rest back to the queue, so nothing is lost and nothing waits for a lease."""
        heartbeat = asyncio.create_task(self._heartbeat())
        stop_wait = asyncio.create_task(stopping.wait())
        try:
            while not stopping.is_set():
                try:
                    await self._settle()
                    claimed = await self._fill()
                except Exception:
                    log.exception("worker %s: queue access failed; retrying", self.name)
                    claimed = 0
                    await asyncio.wait({stop_wait}, timeout=self.poll_interval * 4)
                if claimed and len(self._running) < self.concurrency:
                    await self._reap(0)
                    continue
                waiters = {*self._running, stop_wait}
                await asyncio.wait(
                    waiters, timeout=self.poll_interval, return_when=asyncio.FIRST_COMPLETED
                )
                await self._reap(0)
        finally:
            stop_wait.cancel()
            await self._shutdown(grace)
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat

    async def _shutdown(self, grace: float) -> None:
        if self._running:
            await asyncio.wait(self._running, timeout=grace)
        unfinished = [job for task, job in self._running.items() if not task.done()]
        for task in self._running:
            task.cancel()
        if self._running:
            await asyncio.wait(self._running)
        self._running.clear()
        await self._settle()
        if unfinished:
            await self.queue.release(unfinished)
            log.info("worker %s released %d unfinished jobs", self.name, len(unfinished))
