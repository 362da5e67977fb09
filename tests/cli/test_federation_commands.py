"""The operator's federation commands: follow, domain rules, federation mode."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
from pathlib import Path

import pytest

from tests.cli.test_cli import assert_one_line_error, cli, free_port
from tests.federation.cluster import cluster

BIN = Path(sys.executable).with_name("commonsnode")


async def run_cli(*args: str | Path) -> tuple[int, str, str]:
    """The CLI as a subprocess that does not block the event loop serving the cluster."""
    process = await asyncio.create_subprocess_exec(
        str(BIN),
        *map(str, args),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=dict(os.environ),
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode or 0, out.decode(), err.decode()


@pytest.fixture
def node_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "node"
    url = f"http://127.0.0.1:{free_port()}"
    assert cli("init", directory, "--url", url, "--allow-private-network").returncode == 0
    assert (
        cli("org", "create", directory, "city", "--name", "C", "--kind", "government").returncode
        == 0
    )
    return directory


async def test_follow_by_acct_resolves_through_webfinger_and_queues_the_follow(
    node_dir: Path, tmp_path: Path
) -> None:
    (tmp_path / "c").mkdir()
    async with cluster(tmp_path / "c", "beta") as c:
        await c["beta"].org("devs", kind="developer")
        code, out, err = await run_cli(
            "follow", node_dir, "--as", "city", f"acct:devs@{c['beta'].host}"
        )
        assert code == 0, err
        assert out.strip() == f"pending\t{c['beta'].actor('devs')}"
    with sqlite3.connect(node_dir / "commonsnode.db") as db:
        [(state, remote)] = db.execute("SELECT state, remote_iri FROM follows").fetchall()
        kinds = [row[0] for row in db.execute("SELECT kind FROM jobs")]
    assert (state, remote) == ("pending", c["beta"].actor("devs"))
    assert kinds == ["delivery.fanout"]


def test_follow_of_an_unreachable_target_is_one_line_and_exit_2(node_dir: Path) -> None:
    result = cli("follow", node_dir, "--as", "city", f"acct:nobody@127.0.0.1:{free_port()}")
    assert_one_line_error(result, 2, "WebFinger")
    assert_one_line_error(cli("follow", node_dir, "--as", "nobody", "a@b.example"), 2, "nobody")
    assert_one_line_error(cli("follow", node_dir, "--as", "city", "not a target"), 2, "target")


def test_domain_rules_and_mode_round_trip(node_dir: Path) -> None:
    assert cli("domain", "block", node_dir, "Spam.Example", "--reason", "spam").returncode == 0
    assert cli("domain", "allow", node_dir, "friends.example").returncode == 0
    assert cli("federation-mode", node_dir, "allowlist").returncode == 0
    listed = cli("domain", "list", node_dir)
    assert listed.stdout.splitlines() == [
        "mode\tallowlist",
        "allow\tfriends.example\t",
        "block\tspam.example\tspam",
    ]
    assert cli("domain", "remove", node_dir, "spam.example").returncode == 0
    assert_one_line_error(cli("domain", "remove", node_dir, "spam.example"), 2, "no rule")
    assert_one_line_error(cli("domain", "block", node_dir, "https://x.example/"), 2, "host name")
    assert_one_line_error(cli("federation-mode", node_dir, "closed"), 2, "mode")


async def test_a_blocked_domain_is_refused_by_follow_without_any_request(
    node_dir: Path, tmp_path: Path
) -> None:
    (tmp_path / "c").mkdir()
    async with cluster(tmp_path / "c", "beta") as c:
        await c["beta"].org("devs", kind="developer")
        host = c["beta"].host.split(":")[0]
        assert (await run_cli("domain", "block", node_dir, host))[0] == 0
        code, _, err = await run_cli(
            "follow", node_dir, "--as", "city", f"acct:devs@{c['beta'].host}"
        )
        assert code == 2
        assert "blocked" in err
