"""Configuration: defaults, overrides, and refusals that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from commonsnode.config import ConfigError, build_config, load_config, render_config

BASE = {
    "node": {"url": "https://city.example"},
    "database": {"url": "sqlite+aiosqlite:////tmp/x.db"},
}


def test_defaults_fill_everything_not_given() -> None:
    config = build_config(Path("/n"), BASE, environ={})
    assert config.origin == "https://city.example"
    assert config.listen == ("city.example", 443)
    assert config.worker.concurrency == 8
    assert config.server.max_body_bytes == 1024 * 1024
    assert config.node.allow_private_network is False


def test_environment_overrides_the_file() -> None:
    config = build_config(
        Path("/n"),
        BASE,
        environ={
            "COMMONSNODE_WORKER_CONCURRENCY": "3",
            "COMMONSNODE_NODE_ALLOW_PRIVATE_NETWORK": "true",
            "COMMONSNODE_SERVER_LISTEN": "0.0.0.0:8000",
            "UNRELATED": "x",
        },
    )
    assert config.worker.concurrency == 3
    assert config.node.allow_private_network is True
    assert config.listen == ("0.0.0.0", 8000)


@pytest.mark.parametrize(
    ("raw", "environ", "named"),
    [
        ({**BASE, "nodes": {}}, {}, "nodes"),
        ({**BASE, "worker": {"concurency": 2}}, {}, "worker.concurency"),
        ({**BASE, "worker": {"concurrency": 0}}, {}, "worker.concurrency"),
        ({**BASE, "worker": {"concurrency": True}}, {}, "worker.concurrency"),
        ({**BASE, "log": {"format": "xml"}}, {}, "log.format"),
        ({"node": {"url": "https://c.example/sub"}, "database": BASE["database"]}, {}, "node.url"),
        ({"node": {"url": "city.example"}, "database": BASE["database"]}, {}, "node.url"),
        ({"node": BASE["node"], "database": {"url": "mysql://x"}}, {}, "database.url"),
        ({"node": BASE["node"]}, {}, "database.url"),
        (BASE, {"COMMONSNODE_WORKER_LEASE_SECONDS": "soon"}, "worker.lease_seconds"),
        (BASE, {"COMMONSNODE_NOPE_X": "1"}, "COMMONSNODE_NOPE_X"),
        (BASE, {"COMMONSNODE_SERVER_LISTEN": "8080"}, "server.listen"),
        (BASE, {"COMMONSNODE_NODE_ALLOW_PRIVATE_NETWORK": "yes"}, "node.allow_private_network"),
    ],
)
def test_bad_configuration_is_refused_naming_the_key(
    raw: dict[str, dict[str, object]], environ: dict[str, str], named: str
) -> None:
    with pytest.raises(ConfigError, match=named.replace(".", r"\.")):
        build_config(Path("/n"), raw, environ=environ)


def test_rendered_config_loads_back(tmp_path: Path) -> None:
    values = {
        "node": {
            "url": "http://127.0.0.2:8000",
            "name": 'Quote " and \\ back',
            "allow_private_network": True,
        },
        "database": {"url": "sqlite+aiosqlite:////tmp/a.db"},
    }
    (tmp_path / "commonsnode.toml").write_text(render_config(values))
    config = load_config(tmp_path, environ={})
    assert config.node.name == 'Quote " and \\ back'
    assert config.node.allow_private_network is True


def test_broken_toml_is_reported_with_the_file(tmp_path: Path) -> None:
    (tmp_path / "commonsnode.toml").write_text("[node\nurl=")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(tmp_path, environ={})
