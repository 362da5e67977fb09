"""`commonsnode import` and `demo`: listings from publiccode.yml files, as an operator runs them."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from commonsnode.demo import DEMO_ORGANISATIONS, DEMO_RATINGS, DEMO_REPORTS, demo_listings
from commonsnode.publiccode import parse_publiccode
from tests.conftest import SHARED

BIN = Path(sys.executable).with_name("commonsnode")
VALID = SHARED / "publiccode" / "v0" / "valid"
INVALID = SHARED / "publiccode" / "v0" / "invalid"


def cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ),
        check=False,
    )


def rows(directory: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(directory / "commonsnode.db") as db:
        return db.execute(sql).fetchall()


@pytest.fixture
def node_dir(tmp_path: Path) -> Path:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    directory = tmp_path / "node"
    assert cli("init", directory, "--url", f"http://127.0.0.1:{port}").returncode == 0
    created = cli("org", "create", directory, "city", "--name", "City", "--kind", "government")
    assert created.returncode == 0, created.stderr
    return directory


def test_import_publishes_then_updates_the_same_repository(node_dir: Path, tmp_path: Path) -> None:
    first = cli("import", node_dir, "--as", "city", VALID / "valid.yml")
    assert first.returncode == 0, first.stderr
    verb, iri = first.stdout.strip().split("\t")
    assert verb == "published"
    assert iri.startswith("http://127.0.0.1:")
    assert "/listings/" in iri
    renamed = tmp_path / "publiccode.yml"
    renamed.write_text((VALID / "valid.yml").read_text().replace("name: Medusa", "name: Medusa 2"))
    second = cli("import", node_dir, "--as", "city", renamed)
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == f"updated\t{iri}"
    assert rows(node_dir, "SELECT name, state FROM listings") == [("Medusa 2", "published")]
    events = rows(node_dir, "SELECT payload FROM jobs WHERE kind = 'event.listing' ORDER BY id")
    assert [json.loads(str(p))["change"] for (p,) in events] == ["published", "updated"]


@pytest.mark.parametrize(
    "name", ["developmentStatus_missing.yml", "legal_license_invalid.yml", "twice-broken"]
)
def test_import_of_an_invalid_file_prints_every_finding_and_stores_nothing(
    node_dir: Path, tmp_path: Path, name: str
) -> None:
    path = INVALID / name
    if name == "twice-broken":  # the corpus's richest valid file, with two errors
        path = tmp_path / "broken.yml"
        text = (VALID / "valid.yml").read_text().replace("AGPL-3.0-or-later", "Nope-1.0")
        path.write_text(text.replace("developmentStatus: development", "developmentStatus: done"))
    result = cli("import", node_dir, "--as", "city", path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    expected = [
        f"{f.line}:{f.column} {f.key or '(file)'}: "
        + ("warning: " if f.kind == "warning" else "")
        + f.message
        for f in parse_publiccode(path.read_text()).findings
    ]
    assert result.stderr.strip().splitlines() == expected
    assert any(f.is_error for f in parse_publiccode(path.read_text()).findings)
    assert rows(node_dir, "SELECT count(*) FROM listings") == [(0,)]
    assert rows(node_dir, "SELECT count(*) FROM jobs") == [(0,)]


def test_import_names_an_unknown_organisation_or_file_in_one_line(node_dir: Path) -> None:
    for args in (
        ("--as", "nobody", VALID / "valid.yml"),
        ("--as", "city", node_dir / "missing.yml"),
    ):
        result = cli("import", node_dir, *args)
        assert result.returncode == 2
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_demo_publishes_the_example_listings_once(tmp_path: Path) -> None:
    directory = tmp_path / "demo"
    assert cli("init", directory, "--url", "http://127.0.0.1:8080").returncode == 0
    for _ in range(2):
        result = cli("demo", directory)
        assert result.returncode == 0, result.stderr
    listed = rows(
        directory,
        "SELECT o.handle, l.repository_key FROM listings l JOIN organisations o ON o.id = l.org_id",
    )
    assert len(listed) == len(set(listed)) == len(demo_listings()) >= 8
    assert len({key for _, key in listed}) < len(listed)  # one tool, listed by several
    assert rows(directory, "SELECT count(*) FROM jobs WHERE kind = 'event.listing'") == [
        (len(listed),)
    ]
    assert rows(directory, "SELECT count(*) FROM organisations") == [(len(DEMO_ORGANISATIONS),)]
    # Ratings and reports are given once, however often the demo runs.
    assert rows(directory, "SELECT count(*) FROM ratings") == [(len(DEMO_RATINGS),)]
    assert rows(directory, "SELECT count(*) FROM reports") == [(len(DEMO_REPORTS),)]
    # So are the commissions: three requests, two bids each, two contracts, three payments.
    assert rows(directory, "SELECT count(*) FROM commission_requests") == [(3,)]
    assert rows(directory, "SELECT count(*) FROM commission_bids") == [(6,)]
    assert rows(directory, "SELECT state FROM commission_contracts ORDER BY state") == [
        ("completed",),
        ("in-progress",),
    ]
    assert rows(directory, "SELECT count(*) FROM commission_payments") == [(3,)]
