"""Group commit: many concurrent callers, one transaction per batch, each caller gets its answer.

SQLite has one writer and every transaction costs several thread hops; batching the inbox's
durable writes is what lets one process accept thousands of activities per second.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


class GroupCommitter(Generic[Item, Result]):
    """Collects items from concurrent callers and flushes them together.

    A flush starts as soon as a flusher is free (no timer): under light load each item is
    written alone, under heavy load batches grow up to `max_batch` on their own. `flushers`
    above one lets a database with concurrent writers (PostgreSQL) commit a batch while the
    previous one is still in flight; SQLite has one writer and wants one.
    """

    def __init__(
        self,
        flush: Callable[[Sequence[Item]], Awaitable[Sequence[Result]]],
        *,
        max_batch: int = 256,
        flushers: int = 1,
    ) -> None:
        self._flush = flush
        self._max_batch = max_batch
        self._flushers = flushers
        self._pending: list[tuple[Item, asyncio.Future[Result]]] = []
        self._wakeup = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    async def submit(self, item: Item) -> Result:
        """Queue `item` and wait until the batch holding it is committed."""
        if not self._tasks or any(task.done() for task in self._tasks):
            for task in self._tasks:
                task.cancel()
            self._tasks = [asyncio.create_task(self._run()) for _ in range(self._flushers)]
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        self._wakeup.set()
        return await future

    async def _run(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            while self._pending:
                if len(self._pending) > self._max_batch:
                    self._wakeup.set()  # more than one batch waits: wake another flusher
                batch = self._pending[: self._max_batch]
                del self._pending[: self._max_batch]
                try:
                    results = await self._flush([item for item, _ in batch])
                except Exception as exc:  # noqa: BLE001 - every waiter learns of the failure
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                for (_, future), result in zip(batch, results, strict=True):
                    if not future.done():
                        future.set_result(result)

    async def close(self) -> None:
        """Stop the flushers."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
