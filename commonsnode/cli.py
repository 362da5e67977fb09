"""The `commonsnode` command: the process entry point and the one place that imports web.app."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import signal
import sys
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any, NoReturn

from commonsnode.cli_parser import UsageError, build_parser
from commonsnode.clock import Clock, OffsetClock
from commonsnode.config import (
    CONFIG_FILE,
    ConfigError,
    build_config,
    load_config,
    parse_listen,
    render_config,
)
from commonsnode.demo import seed_demo
from commonsnode.errors import DomainError, NotFoundError
from commonsnode.logs import configure_logging
from commonsnode.publiccode import Finding
from commonsnode.usecases.listings import ListingInvalidError, import_listing
from commonsnode.usecases.organisations import create_organisation, create_token

log = logging.getLogger("commonsnode.cli")


class InvalidFileError(Exception):
    """An input file with findings, each already printed on its own line: exit 2."""


def _web_app() -> Any:
    # The composition root lives in web.app; the CLI is the one named exception allowed
    # to import it (see the import-linter contract in .importlinter).
    import web.app

    return web.app


def _load(directory: str) -> Any:
    return load_config(Path(directory))


@contextlib.asynccontextmanager
async def _opened(
    directory: str, clock: Clock | None = None
) -> AsyncIterator[tuple[Any, Any, Any]]:
    """The composition module, an opened node and its config; the node is closed after."""
    config = _load(directory)
    app = _web_app()
    node = await app.open_node(config, clock)
    try:
        yield app, node, config
    finally:
        await node.close()


async def _cmd_init(args: argparse.Namespace) -> int:
    directory = Path(args.dir)
    if (directory / CONFIG_FILE).exists():
        raise UsageError(f"{directory}: already a commonsnode node; refusing to overwrite it")
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise UsageError(f"{directory}: exists and is not an empty directory")
    resolved = directory.resolve()
    values: dict[str, dict[str, Any]] = {
        "node": {
            "url": args.url,
            "name": args.name or "commonsnode",
            "allow_private_network": args.allow_private_network,
        },
        "database": {
            "url": args.database or f"sqlite+aiosqlite:///{resolved / 'commonsnode.db'}",
        },
    }
    config = build_config(resolved, values, environ={})  # validate before creating anything
    app = _web_app()
    created = not directory.exists()
    directory.mkdir(parents=True, exist_ok=True)
    try:
        (directory / CONFIG_FILE).write_text(render_config(values), encoding="utf-8")
        await app.initialise_database(config)
    except BaseException:
        if created:
            app.remove_new_directory(directory)
        else:
            for leftover in directory.iterdir():
                if leftover.is_file():
                    leftover.unlink()
        raise
    print(f"initialised {resolved} for {config.origin}")
    return 0


async def _cmd_migrate(args: argparse.Namespace) -> int:
    await _web_app().migrate_database(_load(args.dir))
    print("database is up to date")
    return 0


async def _cmd_org_create(args: argparse.Namespace) -> int:
    async with _opened(args.dir) as (_app, node, config):
        org = await create_organisation(
            node.uow, node.clock, handle=args.handle, name=args.name, kind=args.kind
        )
    print(f"{config.origin}/orgs/{org.handle}")
    return 0


async def _cmd_org_list(args: argparse.Namespace) -> int:
    async with _opened(args.dir) as (_app, node, _config), node.uow(readonly=True) as tx:
        orgs = await tx.organisations.list_all()
    for org in orgs:
        print(f"{org.handle}\t{org.kind}\t{org.name}")
    return 0


async def _cmd_token_create(args: argparse.Namespace) -> int:
    async with _opened(args.dir) as (_app, node, _config):
        token = await create_token(node.uow, node.clock, handle=args.handle, operator=args.operator)
    print(token)
    return 0


async def _cmd_demo(args: argparse.Namespace) -> int:
    # An OffsetClock: the demo's commissions replay their past steps on the days they happened.
    async with _opened(args.dir, OffsetClock()) as (app, node, config):
        await seed_demo(node.uow, node.clock, node.federation.iris.org)
        await app.demo_commissions(node)
    print(f"demo data ready in {config.directory}")
    return 0


def _finding_line(finding: Finding) -> str:
    warning = "warning: " if finding.kind == "warning" else ""
    return f"{finding.line}:{finding.column} {finding.key or '(file)'}: {warning}{finding.message}"


async def _cmd_import(args: argparse.Namespace) -> int:
    try:
        source = Path(args.file).read_bytes()
    except OSError as exc:
        raise UsageError(f"{args.file}: {exc.strerror or exc}") from None
    async with _opened(args.dir) as (_app, node, config):
        async with node.uow(readonly=True) as tx:
            org = await tx.organisations.get_by_handle(args.as_handle)
        if org is None:
            raise NotFoundError(f"no organisation with handle {args.as_handle!r}")
        try:
            change = await import_listing(node.uow, node.clock, org, source)
        except ListingInvalidError as exc:
            for finding in exc.findings:
                print(_finding_line(finding), file=sys.stderr)
            raise InvalidFileError(f"{args.file}: {exc.detail}") from None
    for finding in change.warnings:
        print(_finding_line(finding), file=sys.stderr)
    verb = "published" if change.created else "updated"
    print(f"{verb}\t{config.origin}/listings/{change.listing.id}")
    return 0


async def _cmd_follow(args: argparse.Namespace) -> int:
    async with _opened(args.dir) as (app, node, _config):
        record = await app.follow_as(node, args.as_handle, args.target)
    print(f"{record.state}\t{record.remote_iri}")
    return 0


async def _cmd_catalog_follow(args: argparse.Namespace) -> int:
    async with _opened(args.dir) as (app, node, _config):
        print(await app.catalog_follow(node, args.target))
    return 0


async def _cmd_domain(args: argparse.Namespace) -> int:
    async with _opened(args.dir) as (app, node, _config):
        lines = await app.moderate(node, args.domain_command, args.domain, args.reason)
    for line in lines:
        print(line)
    return 0


async def _cmd_mode(args: argparse.Namespace) -> int:
    async with _opened(args.dir) as (app, node, _config):
        await app.moderate(node, "mode", args.mode, "")
    print(f"federation mode: {args.mode}")
    return 0


def _stop_on_signals(stopping: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)


async def _cmd_serve(args: argparse.Namespace) -> int:
    config = _load(args.dir)
    configure_logging(config.log.level, config.log.format)
    host, port = parse_listen(args.listen, key="--listen") if args.listen else config.listen
    app_module = _web_app()
    node = await app_module.open_node(config)
    stopping = asyncio.Event()
    _stop_on_signals(stopping)

    def ready() -> None:
        # Everything loaded so far lives as long as the process: keep it out of the cyclic
        # collector, whose full passes over it stalled the event loop for 100-300 ms (the
        # inbox's p99 tail; measured with bench/inbox.py).
        gc.collect()
        gc.freeze()
        print(f"commonsnode serving {config.origin}/ (listening on {host}:{port})", flush=True)

    try:
        await app_module.serve_node(
            node, host, port, run_worker=not args.no_worker, stopping=stopping, on_ready=ready
        )
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    finally:
        await node.close()
    return 0


async def _cmd_worker(args: argparse.Namespace) -> int:
    config = _load(args.dir)
    configure_logging(config.log.level, config.log.format)
    node = await _web_app().open_node(config)
    stopping = asyncio.Event()
    _stop_on_signals(stopping)
    worker = await _web_app().start_worker(node, args.concurrency)
    print(f"commonsnode worker {worker.name} running for {config.origin}/", flush=True)
    try:
        await worker.run(stopping, grace=config.worker.shutdown_grace_seconds)
    finally:
        await node.close()
    return 0


Command = Callable[[argparse.Namespace], Coroutine[Any, Any, int]]


COMMANDS: dict[str, Command] = {
    "catalog_follow": _cmd_catalog_follow,
    "demo": _cmd_demo,
    "domain": _cmd_domain,
    "follow": _cmd_follow,
    "import": _cmd_import,
    "init": _cmd_init,
    "migrate": _cmd_migrate,
    "mode": _cmd_mode,
    "org_create": _cmd_org_create,
    "org_list": _cmd_org_list,
    "serve": _cmd_serve,
    "token_create": _cmd_token_create,
    "worker": _cmd_worker,
}


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Run one command; operator mistakes print one line and exit 2, failures exit 1."""
    code = run(argv)
    sys.exit(code)


def run(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        command = COMMANDS[args.handler]
        return asyncio.run(command(args))
    except (UsageError, ConfigError, DomainError) as exc:
        print(f"commonsnode: {exc}", file=sys.stderr)
        return 2
    except InvalidFileError:
        return 2  # every finding is printed already, one per line
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - no traceback for operators; the reason in one line
        name = type(exc).__name__
        reason = str(exc).splitlines()[0] if str(exc) else name
        prefix = "" if name == "DatabaseError" else f"{name}: "
        print(f"commonsnode: {prefix}{reason}", file=sys.stderr)
        return 1
