"""Composition root: builds the database, repositories, queue, worker and the aiohttp app."""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from commonsnode.clock import Clock, SystemClock
from commonsnode.config import NodeConfig
from commonsnode.usecases.organisations import ensure_instance_keys
from commonsnode.worker import HandlerRegistry, Worker
from storage import migrate
from storage.db import Database, DatabaseError
from storage.queue import SqlJobQueue
from storage.unit_of_work import SqlUnitOfWorkFactory
from web import health
from web.api import openapi, organisations
from web.keys import CLOCK, CONFIG, PING, UOW
from web.middleware import make_middleware
from web.pages import home

__all__ = [
    "DatabaseError",
    "Node",
    "create_app",
    "initialise_database",
    "migrate_database",
    "open_node",
    "serve_node",
]
log = logging.getLogger("commonsnode.serve")


@dataclass(slots=True)
class Node:
    """Everything one node process holds: built once at start, closed once at exit."""

    config: NodeConfig
    clock: Clock
    db: Database
    uow: SqlUnitOfWorkFactory
    queue: SqlJobQueue
    registry: HandlerRegistry = field(default_factory=HandlerRegistry)

    def worker(self, *, concurrency: int | None = None, name: str | None = None) -> Worker:
        """A job worker over this node's queue, with the configured lease and batching."""
        settings = self.config.worker
        return Worker(
            self.queue,
            self.registry,
            self.clock,
            name=name,
            concurrency=concurrency or settings.concurrency,
            lease_seconds=settings.lease_seconds,
            poll_interval=settings.poll_interval,
            batch_size=settings.batch_size,
        )

    async def close(self) -> None:
        await self.db.dispose()


def build_node(config: NodeConfig, clock: Clock | None = None) -> Node:
    """Wire the node's parts without touching the database yet."""
    clock = clock or SystemClock()
    db = Database(
        config.database.url,
        pool_size=config.database.pool_size,
        sqlite_synchronous=config.database.sqlite_synchronous,
    )
    return Node(config, clock, db, SqlUnitOfWorkFactory(db, clock), SqlJobQueue(db, clock))


async def open_node(config: NodeConfig, clock: Clock | None = None) -> Node:
    """Build the node and check its database answers and is fully migrated."""
    node = build_node(config, clock)
    try:
        await node.db.ping()
        if not await migrate.is_migrated(node.db):
            raise DatabaseError(
                "the database is not migrated to this version: run `commonsnode migrate DIR`"
            )
    except BaseException:
        await node.close()
        raise
    return node


async def migrate_database(config: NodeConfig) -> None:
    """Apply pending migrations (idempotent)."""
    node = build_node(config)
    try:
        await node.db.ping()
        await migrate.upgrade(node.db)
    finally:
        await node.close()


async def initialise_database(config: NodeConfig) -> None:
    """Migrate a fresh database and give the instance actor its keys; refuse a used database."""
    node = build_node(config)
    try:
        await node.db.ping()
        if await migrate.current_revisions(node.db):
            raise DatabaseError(
                "the database already holds a commonsnode node; refusing to reuse it"
            )
        await migrate.upgrade(node.db)
        await ensure_instance_keys(node.uow)
    finally:
        await node.close()


def remove_new_directory(directory: Path) -> None:
    """Undo a failed `init`, so no half-made node is left behind."""
    shutil.rmtree(directory, ignore_errors=True)


def create_app(node: Node) -> web.Application:
    """The aiohttp application for one node."""
    config = node.config
    app = web.Application(
        middlewares=[make_middleware(config.server.max_body_bytes)],
        client_max_size=config.server.max_body_bytes,
    )
    app[CONFIG] = config
    app[CLOCK] = node.clock
    app[UOW] = node.uow
    app[PING] = node.db.ping
    health.setup(app)
    openapi.setup(app)
    organisations.setup(app)
    home.setup(app)
    return app


async def serve_node(
    node: Node,
    host: str,
    port: int,
    *,
    run_worker: bool,
    stopping: asyncio.Event,
    on_ready: Callable[[], None] = lambda: None,
) -> None:
    """Serve until `stopping` is set; then stop accepting, finish requests, settle jobs."""
    runner = web.AppRunner(
        create_app(node), access_log=None, handle_signals=False, shutdown_timeout=10
    )
    worker_task: asyncio.Task[None] | None = None
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        if run_worker:
            worker_task = asyncio.create_task(
                node.worker().run(stopping, grace=node.config.worker.shutdown_grace_seconds)
            )
        on_ready()
        await stopping.wait()
        log.info("stopping: no new requests; finishing in-flight requests and jobs")
    finally:
        stopping.set()
        await runner.cleanup()
        if worker_task is not None:
            await worker_task
