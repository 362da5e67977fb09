"""The [commissions] section: the platform fee and the operator, validated at start."""

from __future__ import annotations

from pathlib import Path

import pytest

from commonsnode.config import ConfigError, build_config

BASE = {"node": {"url": "https://city.example"}, "database": {"url": "sqlite+aiosqlite:///x"}}


def test_defaults_and_overrides() -> None:
    config = build_config(Path("/n"), BASE, environ={})
    assert config.commissions.fee_basis_points == 100
    assert config.commissions.operator_iri == ""
    assert config.commissions.ocid_prefix == "ocds-commons"
    config = build_config(
        Path("/n"),
        {
            **BASE,
            "commissions": {
                "operator_name": "Commons Foundation",
                "operator_iri": "https://commons.example/actor",
            },
        },
        environ={"COMMONSNODE_COMMISSIONS_FEE_BASIS_POINTS": "250"},
    )
    assert config.commissions.fee_basis_points == 250
    assert config.commissions.operator_name == "Commons Foundation"
    assert config.commissions.operator_iri == "https://commons.example/actor"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("fee_basis_points", 10_001),
        ("fee_basis_points", -1),
        ("fee_basis_points", "1.5%"),
        ("operator_iri", "commons.example"),
        ("operator_name", 3),
        ("ocid_prefix", "commons"),
        ("fee_percent", 1),
    ],
)
def test_bad_commission_settings_are_refused_naming_the_key(key: str, value: object) -> None:
    with pytest.raises(ConfigError, match=rf"commissions\.{key}"):
        build_config(Path("/n"), {**BASE, "commissions": {key: value}}, environ={})
