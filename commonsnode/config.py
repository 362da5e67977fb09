"""Node configuration: DIR/commonsnode.toml plus COMMONSNODE_<SECTION>_<KEY> overrides."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CONFIG_FILE = "commonsnode.toml"
ENV_PREFIX = "COMMONSNODE_"


class ConfigError(Exception):
    """A configuration problem, always naming the offending key."""


@dataclass(frozen=True, slots=True)
class NodeSection:
    url: str
    name: str = "commonsnode"
    allow_private_network: bool = False


@dataclass(frozen=True, slots=True)
class DatabaseSection:
    url: str
    pool_size: int = 5
    sqlite_synchronous: str = "full"


@dataclass(frozen=True, slots=True)
class ServerSection:
    listen: str = ""
    max_body_bytes: int = 1024 * 1024


@dataclass(frozen=True, slots=True)
class WorkerSection:
    concurrency: int = 8
    lease_seconds: float = 60.0
    poll_interval: float = 0.25
    batch_size: int = 32
    shutdown_grace_seconds: float = 10.0


@dataclass(frozen=True, slots=True)
class LogSection:
    level: str = "info"
    format: str = "text"


@dataclass(frozen=True, slots=True)
class FederationSection:
    authorized_fetch: bool = False
    hub: bool = False
    catalog_page_size: int = 40
    backfill_pages_per_run: int = 25


@dataclass(frozen=True, slots=True)
class CommissionsSection:
    """The platform fee on commission payments and who receives it (the commons operator).

    Empty operator fields fall back to the node: its name and its instance actor.
    """

    fee_basis_points: int = 100
    operator_name: str = ""
    operator_iri: str = ""
    ocid_prefix: str = "ocds-commons"


@dataclass(frozen=True, slots=True)
class ReputationSection:
    """Whose word counts: the seeds of trust are the node's own organisations (unless
    `own_organisations = false`) plus the actors listed in `trusted`."""

    trusted: tuple[str, ...] = ()
    own_organisations: bool = True


@dataclass(frozen=True, slots=True)
class NodeConfig:
    """Everything a node process needs to know, immutable after start-up."""

    directory: Path
    node: NodeSection
    database: DatabaseSection
    server: ServerSection = field(default_factory=ServerSection)
    worker: WorkerSection = field(default_factory=WorkerSection)
    log: LogSection = field(default_factory=LogSection)
    federation: FederationSection = field(default_factory=FederationSection)
    commissions: CommissionsSection = field(default_factory=CommissionsSection)
    reputation: ReputationSection = field(default_factory=ReputationSection)

    @property
    def origin(self) -> str:
        """The node's public origin without a trailing slash, e.g. `https://city.example`."""
        return self.node.url.rstrip("/")

    @property
    def listen(self) -> tuple[str, int]:
        """Host and port to bind: `server.listen` when set, else the host and port of the URL."""
        if self.server.listen:
            return parse_listen(self.server.listen, key="server.listen")
        parts = urlsplit(self.node.url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        return parts.hostname or "127.0.0.1", port


Validator = Callable[[str, Any], Any]


def _bool(key: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in {"true", "false"}:
        return value.lower() == "true"
    raise ConfigError(f"{key}: expected true or false, got {value!r}")


def _int(minimum: int, maximum: int) -> Validator:
    def check(key: str, value: Any) -> int:
        if isinstance(value, bool):
            raise ConfigError(f"{key}: expected a whole number, got {value!r}")
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{key}: expected a whole number, got {value!r}") from None
        if not minimum <= number <= maximum:
            raise ConfigError(f"{key}: must be between {minimum} and {maximum}, got {number}")
        return number

    return check


def _float(minimum: float, maximum: float) -> Validator:
    def check(key: str, value: Any) -> float:
        if isinstance(value, bool):
            raise ConfigError(f"{key}: expected a number, got {value!r}")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{key}: expected a number, got {value!r}") from None
        if not minimum <= number <= maximum:
            raise ConfigError(f"{key}: must be between {minimum} and {maximum}, got {number}")
        return number

    return check


def _text(key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{key}: expected a string, got {value!r}")
    return value


def _choice(*options: str) -> Validator:
    def check(key: str, value: Any) -> str:
        if value not in options:
            raise ConfigError(f"{key}: must be one of {', '.join(options)}, got {value!r}")
        return str(value)

    return check


def _node_url(key: str, value: Any) -> str:
    text = _text(key, value)
    parts = urlsplit(text)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigError(
            f"{key}: expected an http(s) origin like https://city.example, got {text!r}"
        )
    if parts.path not in {"", "/"} or parts.query or parts.fragment:
        raise ConfigError(f"{key}: must be an origin without path, query or fragment, got {text!r}")
    try:
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        raise ConfigError(f"{key}: bad port in {text!r}") from None
    return text.rstrip("/")


def _database_url(key: str, value: Any) -> str:
    text = _text(key, value)
    if not text.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        raise ConfigError(
            f"{key}: must start with sqlite+aiosqlite:// or postgresql+asyncpg://, got {text!r}"
        )
    return text


def _optional_iri(key: str, value: Any) -> str:
    text = _text(key, value).strip()
    if text and (urlsplit(text).scheme not in {"http", "https"} or not urlsplit(text).hostname):
        raise ConfigError(f"{key}: expected an http(s) IRI or nothing, got {text!r}")
    return text


def _ocid_prefix(key: str, value: Any) -> str:
    text = _text(key, value)
    if not re.fullmatch(r"ocds-[a-z0-9]{1,32}", text):
        raise ConfigError(f"{key}: expected an OCDS prefix like ocds-a1b2c3, got {text!r}")
    return text


def _listen(key: str, value: Any) -> str:
    text = _text(key, value)
    if text:
        parse_listen(text, key=key)
    return text


def _actor_iris(key: str, value: Any) -> tuple[str, ...]:
    """A list of actor IRIs (or, from the environment, one comma-separated string)."""
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, list | tuple):
        raise ConfigError(f"{key}: expected a list of actor IRIs, got {value!r}")
    iris: list[str] = []
    for item in value:
        parts = urlsplit(item) if isinstance(item, str) else None
        if parts is None or parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ConfigError(f"{key}: expected http(s) actor IRIs, got {item!r}")
        if parts.fragment or len(item) > 2048:
            raise ConfigError(f"{key}: an actor IRI has no fragment and fits 2048, got {item!r}")
        if item not in iris:
            iris.append(item)
    return tuple(iris)


def parse_listen(text: str, *, key: str = "listen") -> tuple[str, int]:
    """Parse `HOST:PORT` (IPv6 as `[::1]:8080`) or fail with the key named."""
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"{key}: expected HOST:PORT, got {text!r}")
    return host.strip("[]"), int(port)


SCHEMA: dict[str, dict[str, Validator]] = {
    "node": {"url": _node_url, "name": _text, "allow_private_network": _bool},
    "database": {
        "url": _database_url,
        "pool_size": _int(1, 200),
        "sqlite_synchronous": _choice("full", "normal"),
    },
    "server": {"listen": _listen, "max_body_bytes": _int(1024, 64 * 1024 * 1024)},
    "worker": {
        "concurrency": _int(1, 1000),
        "lease_seconds": _float(1.0, 86400.0),
        "poll_interval": _float(0.01, 60.0),
        "batch_size": _int(1, 1000),
        "shutdown_grace_seconds": _float(0.0, 3600.0),
    },
    "log": {
        "level": _choice("debug", "info", "warning", "error"),
        "format": _choice("text", "json"),
    },
    "federation": {
        "authorized_fetch": _bool,
        "hub": _bool,
        "catalog_page_size": _int(1, 200),
        "backfill_pages_per_run": _int(1, 1000),
    },
    "commissions": {
        "fee_basis_points": _int(0, 10_000),
        "operator_name": _text,
        "operator_iri": _optional_iri,
        "ocid_prefix": _ocid_prefix,
    },
    "reputation": {
        "trusted": _actor_iris,
        "own_organisations": _bool,
    },
}
REQUIRED = {("node", "url"), ("database", "url")}
SECTIONS: dict[str, type] = {
    "node": NodeSection,
    "database": DatabaseSection,
    "server": ServerSection,
    "worker": WorkerSection,
    "log": LogSection,
    "federation": FederationSection,
    "commissions": CommissionsSection,
    "reputation": ReputationSection,
}


def _env_overrides(environ: Mapping[str, str]) -> dict[str, dict[str, str]]:
    overrides: dict[str, dict[str, str]] = {}
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX):
            continue
        section, _, key = name[len(ENV_PREFIX) :].lower().partition("_")
        if section not in SCHEMA or key not in SCHEMA[section]:
            raise ConfigError(f"{name}: no such setting (expected COMMONSNODE_<SECTION>_<KEY>)")
        overrides.setdefault(section, {})[key] = value
    return overrides


def build_config(
    directory: Path, raw: Mapping[str, Any], environ: Mapping[str, str] | None = None
) -> NodeConfig:
    """Validate raw TOML data plus environment overrides into a NodeConfig, or raise ConfigError."""
    merged: dict[str, dict[str, Any]] = {}
    for section, values in raw.items():
        if section not in SCHEMA:
            raise ConfigError(f"{section}: unknown section")
        if not isinstance(values, dict):
            raise ConfigError(f"{section}: expected a table")
        for key in values:
            if key not in SCHEMA[section]:
                raise ConfigError(f"{section}.{key}: unknown key")
        merged[section] = dict(values)
    for section, values in _env_overrides(os.environ if environ is None else environ).items():
        merged.setdefault(section, {}).update(values)
    for section, key in REQUIRED:
        if key not in merged.get(section, {}):
            raise ConfigError(f"{section}.{key}: missing")
    sections: dict[str, Any] = {}
    for section, cls in SECTIONS.items():
        checked = {
            key: SCHEMA[section][key](f"{section}.{key}", value)
            for key, value in merged.get(section, {}).items()
        }
        sections[section] = cls(**checked)
    return NodeConfig(directory=directory, **sections)


def load_config(directory: Path, environ: Mapping[str, str] | None = None) -> NodeConfig:
    """Read DIR/commonsnode.toml; every problem is a ConfigError naming the file or key."""
    path = directory / CONFIG_FILE
    if not path.is_file():
        raise ConfigError(f"{path}: not a commonsnode directory (run `commonsnode init` first)")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    return build_config(directory.resolve(), raw, environ)


def render_config(values: Mapping[str, Mapping[str, Any]]) -> str:
    """Write a minimal TOML file for `init` (strings, booleans and numbers only)."""
    lines: list[str] = []
    for section, items in values.items():
        lines.append(f"[{section}]")
        for key, value in items.items():
            if isinstance(value, bool):
                lines.append(f"{key} = {'true' if value else 'false'}")
            elif isinstance(value, int | float):
                lines.append(f"{key} = {value}")
            else:
                escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
                lines.append(f'{key} = "{escaped}"')
        lines.append("")
    return "\n".join(lines)
