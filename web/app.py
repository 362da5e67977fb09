"""Composition root: builds the database, repositories, queue, worker and the aiohttp app."""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy.engine import make_url

from commonsnode.clock import Clock, OffsetClock, SystemClock
from commonsnode.config import NodeConfig
from commonsnode.demo_commissions import CommissionWiring, commission_demo
from commonsnode.errors import NotFoundError
from commonsnode.model.follows import Follow
from commonsnode.model.moderation import check_domain
from commonsnode.model.organisations import Organisation
from commonsnode.ports import InboxIngest
from commonsnode.usecases.organisations import ensure_instance_keys
from commonsnode.usecases.reputation import (
    ReputationService,
    ReputationSettings,
    register_reputation_jobs,
    schedule_reputation,
)
from commonsnode.worker import HandlerRegistry, Worker
from federation import maintenance
from federation.catalog import catalog_settings, ensure_catalog_keys, follow_catalog
from federation.commissions import CommissionIris, contract_verifiers, sign_contract_document
from federation.delivery.send import Sender
from federation.fetch import Fetcher
from federation.follows import follow
from federation.iris import LocalIris
from federation.jobs import register_jobs
from federation.netguard import AddressPolicy
from federation.runtime import Federation, FederationSettings
from storage import migrate
from storage.db import Database, DatabaseError
from storage.inbox_log import SqlInboxIngest
from storage.queue import SqlJobQueue
from storage.sqlite_ingest import SqliteInboxIngest
from storage.unit_of_work import SqlUnitOfWorkFactory
from web import health, wellknown
from web.activitypub import (
    actors,
    catalog,
    collections,
    contract_objects,
    inbox,
    objects,
    rating_objects,
    record_objects,
    report_objects,
    request_objects,
)
from web.api import (
    commissions,
    follows,
    listings,
    moderation,
    openapi,
    organisations,
    privacy,
    ratings,
    records,
    reports,
    reputation,
)
from web.api.commission_context import commission_settings
from web.keys import CLOCK, CONFIG, FED, PING, UOW
from web.middleware import make_middleware
from web.pages import catalog as catalog_pages
from web.pages import home, reputation_sections
from web.pages import moderation as moderation_pages
from web.pages.commission_pages import setup as setup_commission_pages

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
    federation: Federation
    registry: HandlerRegistry = field(default_factory=HandlerRegistry)
    reputation: ReputationService | None = None

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
        await self.federation.close()
        await self.db.dispose()


def _inbox_ingest(config: NodeConfig, db: Database, clock: Clock) -> InboxIngest:
    """SQLite writes inbox batches through its own thread (one hop per batch); PostgreSQL
    through its own connection (one statement per batch)."""
    if db.dialect == "sqlite":
        path = make_url(config.database.url).database or ""
        return SqliteInboxIngest(path, clock, synchronous=config.database.sqlite_synchronous)
    return SqlInboxIngest(db, clock)


def build_node(config: NodeConfig, clock: Clock | None = None) -> Node:
    """Wire the node's parts without touching the database yet."""
    clock = clock or SystemClock()
    db = Database(
        config.database.url,
        pool_size=config.database.pool_size,
        sqlite_synchronous=config.database.sqlite_synchronous,
    )
    uow = SqlUnitOfWorkFactory(db, clock)
    iris = LocalIris(config.origin)
    private = config.node.allow_private_network
    fed = Federation(
        iris=iris,
        uow=uow,
        clock=clock,
        fetcher=Fetcher(
            node_url=config.origin, policy=AddressPolicy(allow_private_network=private)
        ),
        ingest=_inbox_ingest(config, db, clock),
        settings=FederationSettings(
            node_name=config.node.name,
            authorized_fetch=config.federation.authorized_fetch,
            plain_http=private,
        ),
    )
    fed.fetcher.use_signer(fed.sign_get)  # the instance actor signs every GET
    node = Node(config, clock, db, uow, SqlJobQueue(db, clock), fed)
    register_jobs(node.registry, fed, Sender(fed), catalog_settings(config.federation))
    node.reputation = ReputationService(uow, clock, ReputationSettings.of(config))
    register_reputation_jobs(node.registry, node.reputation)
    return node


async def open_node(config: NodeConfig, clock: Clock | None = None) -> Node:
    """Build the node and check its database answers and is fully migrated."""
    node = build_node(config, clock)
    try:
        await node.db.ping()
        if not await migrate.is_migrated(node.db):
            raise DatabaseError(
                "the database is not migrated to this version: run `commonsnode migrate DIR`"
            )
        await node.federation.start()
    except BaseException:
        await node.close()
        raise
    return node


async def migrate_database(config: NodeConfig) -> None:
    """Apply pending migrations (idempotent), and give the instance actor keys if it has none."""
    node = build_node(config)
    try:
        await node.db.ping()
        await migrate.upgrade(node.db)
        await ensure_instance_keys(node.uow)
        await ensure_catalog_keys(node.uow)
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
        await ensure_catalog_keys(node.uow)
    finally:
        await node.close()


async def follow_as(node: Node, handle: str, target: str) -> Follow:
    """`commonsnode follow`: the organisation follows the target (delivered by the worker)."""
    async with node.uow(readonly=True) as tx:
        org = await tx.organisations.get_by_handle(handle)
    if org is None:
        raise NotFoundError(f"no organisation with handle {handle!r}")
    return await follow(node.federation, org, target)


async def catalog_follow(node: Node, target: str) -> str:
    """`commonsnode catalog follow`: the node's catalog follows another catalog or a hub."""
    record = await follow_catalog(node.federation, target)
    return f"{record.state}\t{record.remote_iri}"


async def moderate(node: Node, command: str, value: str, reason: str) -> list[str]:
    """`commonsnode domain …` and `federation-mode`: operator rules, printed as lines."""
    now = node.clock.now()
    async with node.uow() as tx:
        if command in ("block", "allow"):
            await tx.moderation.set_rule(check_domain(value), command, reason, now)  # type: ignore[arg-type]
        elif command == "remove":
            if not await tx.moderation.remove_rule(check_domain(value)):
                raise NotFoundError(f"no rule for {value}")
        elif command == "mode":
            await tx.moderation.set_mode(value)  # type: ignore[arg-type]
        rules = await tx.moderation.rules()
        policy = await tx.moderation.policy()
    if command != "list":
        return []
    return [f"mode\t{policy.mode}"] + [f"{rule}\t{domain}\t{why}" for domain, rule, why in rules]


async def demo_commissions(node: Node) -> None:
    """`commonsnode demo`'s commissions, signed with the organisations' own keys (which only the
    federation layer holds, and the CLI may reach only through here). The node must run on an
    OffsetClock, so each step and its proof carry the day the story says it happened."""
    if not isinstance(node.clock, OffsetClock):
        raise TypeError("demo_commissions replays the past: open the node with an OffsetClock")
    fed = node.federation

    async def sign(org: Organisation, document: dict[str, Any]) -> dict[str, Any]:
        return await sign_contract_document(fed, org.id, org.handle, document)

    wiring = CommissionWiring(
        settings=commission_settings(node.config),
        commissions=CommissionIris(node.config.origin),
        node=fed.iris,
        verifiers=contract_verifiers(fed),
        sign=sign,
    )
    await commission_demo(node.uow, node.clock, wiring)


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
    app[FED] = node.federation
    health.setup(app)
    wellknown.setup(app)
    actors.setup(app)
    inbox.setup(app)
    catalog.setup(app)
    collections.setup(app)
    objects.setup(app)
    rating_objects.setup(app)
    record_objects.setup(app)
    contract_objects.setup(app)
    request_objects.setup(app)
    report_objects.setup(app)
    openapi.setup(app)
    organisations.setup(app)
    follows.setup(app)
    listings.setup(app)
    ratings.setup(app)
    records.setup(app)
    reputation.setup(app, node.reputation)
    moderation.setup(app)
    commissions.setup(app)
    reports.setup(app)
    privacy.setup(app)
    home.setup(app)
    setup_commission_pages(app)
    catalog_pages.setup(app)
    moderation_pages.setup(app)
    reputation_sections.setup(app)
    return app


async def start_worker(node: Node, concurrency: int | None = None) -> Worker:
    """A worker for `serve` or `commonsnode worker`, with housekeeping scheduled."""
    await maintenance.schedule(node.federation)
    await schedule_reputation(node.uow, node.clock)
    return node.worker(concurrency=concurrency)


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
            worker = await start_worker(node)
            worker_task = asyncio.create_task(
                worker.run(stopping, grace=node.config.worker.shutdown_grace_seconds)
            )
        on_ready()
        await stopping.wait()
        log.info("stopping: no new requests; finishing in-flight requests and jobs")
    finally:
        stopping.set()
        await runner.cleanup()
        if worker_task is not None:
            await worker_task
