"""The `commonsnode` command: the process entry point and the one place that imports web.app."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any, NoReturn

from commonsnode.config import (
    CONFIG_FILE,
    ConfigError,
    build_config,
    load_config,
    parse_listen,
    render_config,
)
from commonsnode.demo import DEMO_ORGANISATIONS, demo_listings
from commonsnode.errors import ConflictError, DomainError, NotFoundError
from commonsnode.logs import configure_logging
from commonsnode.model.organisations import ORG_KINDS
from commonsnode.publiccode import Finding
from commonsnode.usecases.listings import ListingInvalidError, import_listing
from commonsnode.usecases.organisations import create_organisation, create_token

log = logging.getLogger("commonsnode.cli")


class UsageError(Exception):
    """An operator mistake in the command line: exit 2."""


class InvalidFileError(Exception):
    """An input file with findings, each already printed on its own line: exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, not argparse's usage dump: operators and scripts read the reason.
        raise UsageError(f"{self.prog}: {message}")


def _web_app() -> Any:
    # The composition root lives in web.app; the CLI is the one named exception allowed
    # to import it (see the import-linter contract in .importlinter).
    import web.app

    return web.app


def _load(directory: str) -> Any:
    return load_config(Path(directory))


@contextlib.asynccontextmanager
async def _opened(directory: str) -> AsyncIterator[tuple[Any, Any, Any]]:
    """The composition module, an opened node and its config; the node is closed after."""
    config = _load(directory)
    app = _web_app()
    node = await app.open_node(config)
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
    async with _opened(args.dir) as (_app, node, config):
        for handle, name, kind, summary in DEMO_ORGANISATIONS:
            with contextlib.suppress(ConflictError):
                await create_organisation(
                    node.uow, node.clock, handle=handle, name=name, kind=kind, summary=summary
                )
        for handle, text in demo_listings():
            async with node.uow(readonly=True) as tx:
                org = await tx.organisations.get_by_handle(handle)
            if org is not None:
                await import_listing(node.uow, node.clock, org, text)
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


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return int(text)


Command = Callable[[argparse.Namespace], Coroutine[Any, Any, int]]


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="commonsnode", description="Run a commonsnode node.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    init = commands.add_parser("init", help="create a node directory with a migrated database")
    init.add_argument("dir")
    init.add_argument("--url", required=True, help="the node's public origin")
    init.add_argument("--database", help="database URL (default: SQLite in DIR)")
    init.add_argument("--name", help="the node's display name")
    init.add_argument("--allow-private-network", action="store_true")
    init.set_defaults(run=_cmd_init)

    serve = commands.add_parser("serve", help="serve HTTP (and run a job worker)")
    serve.add_argument("dir")
    serve.add_argument("--listen", help="HOST:PORT (default: from the node URL)")
    serve.add_argument("--no-worker", action="store_true")
    serve.set_defaults(run=_cmd_serve)

    worker = commands.add_parser("worker", help="run job workers only")
    worker.add_argument("dir")
    worker.add_argument("--concurrency", type=_positive_int)
    worker.set_defaults(run=_cmd_worker)

    migrate = commands.add_parser("migrate", help="apply pending database migrations")
    migrate.add_argument("dir")
    migrate.set_defaults(run=_cmd_migrate)

    org = commands.add_parser("org", help="manage organisations").add_subparsers(
        dest="org_command", required=True, parser_class=_Parser
    )
    org_create = org.add_parser("create", help="create a local organisation")
    org_create.add_argument("dir")
    org_create.add_argument("handle")
    org_create.add_argument("--name", required=True)
    org_create.add_argument("--kind", required=True, choices=ORG_KINDS)
    org_create.set_defaults(run=_cmd_org_create)
    org_list = org.add_parser("list", help="list local organisations")
    org_list.add_argument("dir")
    org_list.set_defaults(run=_cmd_org_list)

    token = commands.add_parser("token", help="manage API tokens").add_subparsers(
        dest="token_command", required=True, parser_class=_Parser
    )
    token_create = token.add_parser("create", help="print a new API token for an organisation")
    token_create.add_argument("dir")
    token_create.add_argument("handle")
    token_create.add_argument(
        "--operator", action="store_true", help="the token may also moderate the node"
    )
    token_create.set_defaults(run=_cmd_token_create)

    follow = commands.add_parser("follow", help="an organisation follows an actor")
    follow.add_argument("dir")
    follow.add_argument("--as", dest="as_handle", required=True, metavar="HANDLE")
    follow.add_argument("target", help="acct:name@host, name@host or an actor IRI")
    follow.set_defaults(run=_cmd_follow)

    catalog = commands.add_parser("catalog", help="the node's catalog actor").add_subparsers(
        dest="catalog_command", required=True, parser_class=_Parser
    )
    catalog_follow = catalog.add_parser(
        "follow", help="the catalog follows another catalog (a member, when this node is a hub)"
    )
    catalog_follow.add_argument("dir")
    catalog_follow.add_argument("target", help="acct:catalog@host or a catalog actor IRI")
    catalog_follow.set_defaults(run=_cmd_catalog_follow)

    listing_import = commands.add_parser(
        "import", help="publish or update a tool listing from a publiccode.yml file"
    )
    listing_import.add_argument("dir")
    listing_import.add_argument("--as", dest="as_handle", required=True, metavar="HANDLE")
    listing_import.add_argument("file", help="a publiccode.yml file")
    listing_import.set_defaults(run=_cmd_import)

    domain = commands.add_parser("domain", help="operator domain rules").add_subparsers(
        dest="domain_command", required=True, parser_class=_Parser
    )
    for name, text in (
        ("block", "refuse everything from a domain (and its subdomains)"),
        ("allow", "allow a domain in allowlist mode"),
        ("remove", "drop the rule for a domain"),
    ):
        sub = domain.add_parser(name, help=text)
        sub.add_argument("dir")
        sub.add_argument("domain")
        sub.add_argument("--reason", default="")
        sub.set_defaults(run=_cmd_domain)
    listing = domain.add_parser("list", help="list domain rules and the federation mode")
    listing.add_argument("dir")
    listing.set_defaults(run=_cmd_domain, domain="", reason="")

    mode = commands.add_parser("federation-mode", help="open federation or allowlist mode")
    mode.add_argument("dir")
    mode.add_argument("mode", choices=("open", "allowlist"))
    mode.set_defaults(run=_cmd_mode)

    demo = commands.add_parser("demo", help="add demo organisations and listings (idempotent)")
    demo.add_argument("dir")
    demo.set_defaults(run=_cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Run one command; operator mistakes print one line and exit 2, failures exit 1."""
    code = run(argv)
    sys.exit(code)


def run(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        command: Command = args.run
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
