"""The `commonsnode` command line's grammar: commands, arguments, and one-line usage errors."""

from __future__ import annotations

import argparse
from typing import NoReturn

from commonsnode.model.organisations import ORG_KINDS


class UsageError(Exception):
    """An operator mistake in the command line: exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, not argparse's usage dump: operators and scripts read the reason.
        raise UsageError(f"{self.prog}: {message}")


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="commonsnode", description="Run a commonsnode node.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    init = commands.add_parser("init", help="create a node directory with a migrated database")
    init.add_argument("dir")
    init.add_argument("--url", required=True, help="the node's public origin")
    init.add_argument("--database", help="database URL (default: SQLite in DIR)")
    init.add_argument("--name", help="the node's display name")
    init.add_argument("--allow-private-network", action="store_true")
    init.set_defaults(handler="init")

    serve = commands.add_parser("serve", help="serve HTTP (and run a job worker)")
    serve.add_argument("dir")
    serve.add_argument("--listen", help="HOST:PORT (default: from the node URL)")
    serve.add_argument("--no-worker", action="store_true")
    serve.set_defaults(handler="serve")

    worker = commands.add_parser("worker", help="run job workers only")
    worker.add_argument("dir")
    worker.add_argument("--concurrency", type=_positive_int)
    worker.set_defaults(handler="worker")

    migrate = commands.add_parser("migrate", help="apply pending database migrations")
    migrate.add_argument("dir")
    migrate.set_defaults(handler="migrate")

    org = commands.add_parser("org", help="manage organisations").add_subparsers(
        dest="org_command", required=True, parser_class=_Parser
    )
    org_create = org.add_parser("create", help="create a local organisation")
    org_create.add_argument("dir")
    org_create.add_argument("handle")
    org_create.add_argument("--name", required=True)
    org_create.add_argument("--kind", required=True, choices=ORG_KINDS)
    org_create.set_defaults(handler="org_create")
    org_list = org.add_parser("list", help="list local organisations")
    org_list.add_argument("dir")
    org_list.set_defaults(handler="org_list")

    token = commands.add_parser("token", help="manage API tokens").add_subparsers(
        dest="token_command", required=True, parser_class=_Parser
    )
    token_create = token.add_parser("create", help="print a new API token for an organisation")
    token_create.add_argument("dir")
    token_create.add_argument("handle")
    token_create.add_argument(
        "--operator", action="store_true", help="the token may also moderate the node"
    )
    token_create.set_defaults(handler="token_create")

    follow = commands.add_parser("follow", help="an organisation follows an actor")
    follow.add_argument("dir")
    follow.add_argument("--as", dest="as_handle", required=True, metavar="HANDLE")
    follow.add_argument("target", help="acct:name@host, name@host or an actor IRI")
    follow.set_defaults(handler="follow")

    catalog = commands.add_parser("catalog", help="the node's catalog actor").add_subparsers(
        dest="catalog_command", required=True, parser_class=_Parser
    )
    catalog_follow = catalog.add_parser(
        "follow", help="the catalog follows another catalog (a member, when this node is a hub)"
    )
    catalog_follow.add_argument("dir")
    catalog_follow.add_argument("target", help="acct:catalog@host or a catalog actor IRI")
    catalog_follow.set_defaults(handler="catalog_follow")

    listing_import = commands.add_parser(
        "import", help="publish or update a tool listing from a publiccode.yml file"
    )
    listing_import.add_argument("dir")
    listing_import.add_argument("--as", dest="as_handle", required=True, metavar="HANDLE")
    listing_import.add_argument("file", help="a publiccode.yml file")
    listing_import.set_defaults(handler="import")

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
        sub.set_defaults(handler="domain")
    listing = domain.add_parser("list", help="list domain rules and the federation mode")
    listing.add_argument("dir")
    listing.set_defaults(handler="domain", domain="", reason="")

    mode = commands.add_parser("federation-mode", help="open federation or allowlist mode")
    mode.add_argument("dir")
    mode.add_argument("mode", choices=("open", "allowlist"))
    mode.set_defaults(handler="mode")

    demo = commands.add_parser("demo", help="add demo organisations and listings (idempotent)")
    demo.add_argument("dir")
    demo.set_defaults(handler="demo")
    return parser
