"""The [reputation] section: the operator's trusted actors, validated and named on error."""

from __future__ import annotations

from pathlib import Path

import pytest

from commonsnode.config import ConfigError, build_config, load_config

BASE = {
    "node": {"url": "https://city.example"},
    "database": {"url": "sqlite+aiosqlite:////tmp/x.db"},
}


def test_trusted_actors_default_to_none_with_own_organisations_as_seeds() -> None:
    config = build_config(Path("/n"), BASE, environ={})
    assert config.reputation.trusted == ()
    assert config.reputation.own_organisations is True


def test_trusted_actors_from_the_file_and_the_environment(tmp_path: Path) -> None:
    (tmp_path / "commonsnode.toml").write_text(
        '[node]\nurl = "https://city.example"\n'
        '[database]\nurl = "sqlite+aiosqlite:////tmp/x.db"\n'
        '[reputation]\ntrusted = ["https://a.example/orgs/x", "https://b.example/orgs/y",'
        ' "https://a.example/orgs/x"]\nown_organisations = false\n'
    )
    config = load_config(tmp_path, environ={})
    assert config.reputation.trusted == ("https://a.example/orgs/x", "https://b.example/orgs/y")
    assert config.reputation.own_organisations is False
    env = {"COMMONSNODE_REPUTATION_TRUSTED": "https://c.example/orgs/z, https://d.example/o"}
    config = build_config(Path("/n"), BASE, environ=env)
    assert config.reputation.trusted == ("https://c.example/orgs/z", "https://d.example/o")


@pytest.mark.parametrize(
    "trusted",
    ["ftp://x.example/orgs/a", ["not an iri"], [3], ["https://x.example/o#me"], {"a": 1}],
)
def test_bad_trusted_actors_are_refused_naming_the_key(trusted: object) -> None:
    with pytest.raises(ConfigError, match=r"reputation\.trusted"):
        build_config(Path("/n"), {**BASE, "reputation": {"trusted": trusted}}, environ={})
