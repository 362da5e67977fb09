"""The `commonsnode` command as an operator runs it: exit codes, one-line errors, serve and stop."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

BIN = Path(sys.executable).with_name("commonsnode")


def cli(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        check=False,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], code: int, *words: str) -> None:
    assert result.returncode == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def node_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "node"
    result = cli("init", directory, "--url", f"http://127.0.0.1:{free_port()}", "--name", "Test")
    assert result.returncode == 0, result.stderr
    return directory


def test_init_creates_config_keys_and_a_migrated_database(node_dir: Path) -> None:
    assert (node_dir / "commonsnode.toml").is_file()
    with sqlite3.connect(node_dir / "commonsnode.db") as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchone() is not None
        types = {row[0] for row in db.execute("SELECT type FROM actor_keys WHERE owner='instance'")}
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert types == {"rsa", "ed25519"}


def test_init_refuses_an_existing_node(node_dir: Path) -> None:
    before = (node_dir / "commonsnode.toml").read_text()
    result = cli("init", node_dir, "--url", "http://127.0.0.1:9999")
    assert_one_line_error(result, 2, "already a commonsnode node")
    assert (node_dir / "commonsnode.toml").read_text() == before


def test_init_refuses_a_non_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "something.txt").write_text("keep me")
    result = cli("init", tmp_path, "--url", "http://127.0.0.1:9999")
    assert_one_line_error(result, 2, "not an empty directory")
    assert (tmp_path / "something.txt").read_text() == "keep me"


def test_init_with_a_bad_url_creates_nothing(tmp_path: Path) -> None:
    result = cli("init", tmp_path / "n", "--url", "ftp://city.example/path")
    assert_one_line_error(result, 2, "node.url")
    assert not (tmp_path / "n").exists()


def test_init_with_an_unreachable_database_leaves_no_half_made_node(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    result = cli(
        "init",
        tmp_path / "n",
        "--url",
        "http://127.0.0.1:9999",
        "--database",
        f"postgresql+asyncpg://postgres@127.0.0.1:{port}/nowhere",
    )
    assert_one_line_error(result, 1, "database not reachable")
    assert not (tmp_path / "n").exists()


@pytest.mark.postgres
async def test_init_on_postgresql_and_refuse_reusing_its_database(tmp_path: Path) -> None:
    from tests.conftest import postgres_or_skip
    from tests.databases import create_postgres_database, drop_postgres_database

    await postgres_or_skip()
    name, url = await create_postgres_database()
    try:
        first = cli("init", tmp_path / "a", "--url", "http://127.0.0.1:9999", "--database", url)
        assert first.returncode == 0, first.stderr
        assert (
            cli(
                "org", "create", tmp_path / "a", "city", "--name", "C", "--kind", "government"
            ).returncode
            == 0
        )
        second = cli("init", tmp_path / "b", "--url", "http://127.0.0.1:9998", "--database", url)
        assert_one_line_error(second, 1, "already holds a commonsnode node")
        assert not (tmp_path / "b").exists()
    finally:
        await drop_postgres_database(name)


def test_org_create_prints_the_actor_iri_and_refuses_duplicates(node_dir: Path) -> None:
    result = cli("org", "create", node_dir, "alderney", "--name", "City", "--kind", "government")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("/orgs/alderney")
    again = cli("org", "create", node_dir, "alderney", "--name", "City", "--kind", "government")
    assert_one_line_error(again, 2, "already taken")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["Bad Handle!", "--name", "X", "--kind", "developer"], ["handle"]),
        (["ok", "--name", "X", "--kind", "wizard"], ["--kind", "wizard"]),
        (["ok", "--name", "   ", "--kind", "developer"], ["name"]),
        (["ok", "--kind", "developer"], ["--name"]),
    ],
)
def test_org_create_bad_input_is_one_line_and_exit_2(
    node_dir: Path, args: list[str], words: list[str]
) -> None:
    assert_one_line_error(cli("org", "create", node_dir, *args), 2, *words)


def test_token_create_for_unknown_org_fails_and_for_known_prints_a_token(node_dir: Path) -> None:
    assert_one_line_error(cli("token", "create", node_dir, "nobody"), 2, "nobody")
    cli("org", "create", node_dir, "dev", "--name", "Dev", "--kind", "developer")
    result = cli("token", "create", node_dir, "dev")
    assert result.returncode == 0
    assert result.stdout.strip().startswith("cn_")
    assert len(result.stdout.strip()) > 40


def test_unknown_config_key_stops_with_the_key_named(node_dir: Path) -> None:
    config = node_dir / "commonsnode.toml"
    config.write_text(config.read_text() + "\n[worker]\nconcurency = 4\n")
    assert_one_line_error(cli("org", "list", node_dir), 2, "worker.concurency", "unknown key")


def test_bad_environment_override_stops_with_the_key_named(node_dir: Path) -> None:
    result = cli("org", "list", node_dir, env={"COMMONSNODE_WORKER_LEASE_SECONDS": "soon"})
    assert_one_line_error(result, 2, "worker.lease_seconds")


def test_command_on_a_directory_that_is_not_a_node(tmp_path: Path) -> None:
    assert_one_line_error(cli("serve", tmp_path), 2, "commonsnode init")


def test_serve_refuses_an_unmigrated_database_until_migrate_runs(
    node_dir: Path, tmp_path: Path
) -> None:
    env = {"COMMONSNODE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"}
    assert_one_line_error(cli("serve", node_dir, env=env), 1, "commonsnode migrate")
    assert cli("migrate", node_dir, env=env).returncode == 0
    assert cli("migrate", node_dir, env=env).returncode == 0  # idempotent
    assert cli("org", "list", node_dir, env=env).returncode == 0


def _start(node_dir: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [str(BIN), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    return process


def test_serve_answers_then_exits_0_on_sigterm_with_json_logs(node_dir: Path) -> None:
    port = free_port()
    process = _start(
        node_dir,
        "serve",
        str(node_dir),
        "--listen",
        f"127.0.0.1:{port}",
        env={"COMMONSNODE_LOG_FORMAT": "json"},
    )
    assert process.stdout is not None
    banner = process.stdout.readline()
    assert "serving" in banner, process.stderr.read()  # type: ignore[union-attr]
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:
        assert json.load(response) == {"status": "ok"}
        request_id = response.headers["X-Request-Id"]
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    entries = [json.loads(line) for line in stderr.splitlines() if line.strip()]
    access = [e for e in entries if e["logger"] == "commonsnode.access"]
    assert access[0]["request_id"] == request_id
    assert access[0]["path"] == "/healthz"
    assert access[0]["status"] == 200


def test_worker_exits_0_on_sigterm(node_dir: Path) -> None:
    process = _start(node_dir, "worker", str(node_dir), "--concurrency", "2")
    assert process.stdout is not None
    assert "running" in process.stdout.readline()
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr


def test_serve_on_a_busy_port_is_one_line_and_exit_2(node_dir: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = cli("serve", node_dir, "--listen", f"127.0.0.1:{port}")
    assert_one_line_error(result, 2, "cannot listen")
