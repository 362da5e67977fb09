"""Inbox throughput and latency of one `commonsnode serve` process, next to the bare ceiling.

Run: .venv/bin/python bench/inbox.py [--requests N] [--only bare,sqlite,postgresql] [--no-pin]
(PostgreSQL at 127.0.0.1:5432)

Every request is a distinct Follow signed (draft-cavage, RSA-2048) by one of 50 remote actors
served by a fake peer on 127.0.0.30; the node verifies it, dedupes it, logs it durably and
queues it (worker off: accepting is what is measured), then answers 202. Requests are signed
before the clock starts, so the load generator's own cost is small.

Measurement hygiene: the load generator (this process) runs on the last CPU and the server
under test (the node, or the bare ceiling) on the others, so neither preempts the other's
event loop; the PostgreSQL server is left to the scheduler (on a 2-core machine: one core
each, PostgreSQL floating). --no-pin leaves every process to the scheduler. The bare ceiling
is pinned the same way, so ratios stay fair. The load generator also turns its cyclic GC off
while it sends: its pauses would be timed as server latency.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/queue.py shares its name with the stdlib module: keep this folder off the import path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import asyncio
import gc
import json
import os
import socket
import sqlite3
import subprocess
import tempfile
import time
import uuid

import aiohttp
import asyncpg
from aiohttp import web
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from commonsnode.keys import generate_rsa
from federation.keys import load_private_key
from federation.signatures import SignedRequest, cavage

BIN = Path(sys.executable).with_name("commonsnode")
ACTORS = 50
PEER = "127.0.0.30"
NODE = "127.0.0.2"
BARE = "127.0.0.3"
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}


def cpu_split(pin: bool) -> tuple[set[int], set[int]] | None:
    """(load generator CPUs, server CPUs), or None when not pinning (or one CPU only)."""
    if not pin or not hasattr(os, "sched_getaffinity"):
        return None
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return None
    return {cpus[-1]}, set(cpus[:-1])


def spawn(
    command: list[str], cpus: set[int] | None, env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    """Start the server under test, pinned to `cpus` when given (threads it starts inherit)."""
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    if cpus is not None:
        os.sched_setaffinity(process.pid, cpus)
    return process


def free_port(address: str) -> int:
    with socket.socket() as sock:
        sock.bind((address, 0))
        return int(sock.getsockname()[1])


async def start_peer(pem: str) -> tuple[web.AppRunner, str]:
    """Serve 50 actor documents sharing one key (the node fetches each once)."""
    port = free_port(PEER)
    origin = f"http://{PEER}:{port}"

    async def actor(request: web.Request) -> web.Response:
        iri = f"{origin}/users/{request.match_info['name']}"
        document = {
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": iri,
            "type": "Person",
            "inbox": f"{iri}/inbox",
            "publicKey": {"id": f"{iri}#main-key", "owner": iri, "publicKeyPem": pem},
        }
        return web.Response(body=json.dumps(document), content_type="application/activity+json")

    app = web.Application()
    app.router.add_get("/users/{name}", actor)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, PEER, port).start()
    return runner, origin


def sign_all(
    inbox: str, origin: str, private_pem: str, count: int
) -> list[tuple[bytes, dict[str, str]]]:
    private = load_private_key(private_pem)
    signed = []
    now = time.time()
    for i in range(count):
        actor = f"{origin}/users/u{i % ACTORS}"
        activity = {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": f"{origin}/activities/{uuid.uuid4().hex}",
            "type": "Follow",
            "actor": actor,
            "object": inbox.rsplit("/inbox", 1)[0],
        }
        body = json.dumps(activity).encode()
        base = {"Content-Type": "application/activity+json"}
        request = SignedRequest.build("POST", inbox, base, body)
        headers = cavage.sign_request(
            request, key_id=f"{actor}#main-key", private_key=private, now=now
        )
        signed.append((body, {**base, **dict(headers)}))
    return signed


async def blast(
    inbox: str, requests: list[tuple[bytes, dict[str, str]]], concurrency: int, rate: float | None
) -> tuple[float, list[float], int]:
    """Send every request; `rate` per second paces them (None: as fast as `concurrency` allows)."""
    latencies: list[float] = []
    failures = 0
    # The load generator's own cyclic-GC passes would be timed as server latency: off while
    # it sends (reference counting frees its garbage; the few cycles wait for the end).
    gc.collect()
    gc.disable()
    queue: asyncio.Queue[tuple[bytes, dict[str, str]]] = asyncio.Queue()
    for item in requests:
        queue.put_nowait(item)
    connector = aiohttp.TCPConnector(limit=concurrency)
    started = time.perf_counter()

    async def one(session: aiohttp.ClientSession) -> None:
        nonlocal failures
        while not queue.empty():
            body, headers = queue.get_nowait()
            if rate is not None:
                due = started + (len(requests) - queue.qsize() - 1) / rate
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
            sent = time.perf_counter()
            async with session.post(inbox, data=body, headers=headers) as response:
                await response.read()
                if response.status != 202:
                    failures += 1
            latencies.append(time.perf_counter() - sent)

    try:
        async with aiohttp.ClientSession(connector=connector) as session:
            await asyncio.gather(*(one(session) for _ in range(concurrency)))
    finally:
        gc.enable()
    return time.perf_counter() - started, latencies, failures


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000


async def wait_ready(process: subprocess.Popen[str]) -> None:
    assert process.stdout is not None
    line = await asyncio.to_thread(process.stdout.readline)
    if not line:
        raise RuntimeError(
            f"server did not start: {process.stderr.read() if process.stderr else ''}"
        )


async def run_node(
    database: str | None, requests: int, key_pem: tuple[str, str], cpus: set[int] | None
) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp) / "node"
        port = free_port(NODE)
        init = [
            str(BIN),
            "init",
            str(directory),
            "--url",
            f"http://{NODE}:{port}",
            "--allow-private-network",
        ]
        if database:
            init += ["--database", database]
        subprocess.run(init, check=True, capture_output=True)
        subprocess.run(
            [
                str(BIN),
                "org",
                "create",
                str(directory),
                "city",
                "--name",
                "City",
                "--kind",
                "government",
            ],
            check=True,
            capture_output=True,
        )
        env = {**os.environ, "COMMONSNODE_LOG_LEVEL": "warning"}
        server = spawn([str(BIN), "serve", str(directory), "--no-worker"], cpus, env)
        inbox = f"http://{NODE}:{port}/orgs/city/inbox"
        name = make_url(database).database if database else None
        figures = await measure(server, inbox, requests, key_pem, name)
        # Every 202 must have left its log row and its job: a fast wrong answer is no answer.
        expected = ACTORS + 2 * requests - int(figures["failures"])
        counts = await stored_counts(name, directory / "commonsnode.db")
        if counts != (expected, expected):
            raise RuntimeError(f"expected {expected} log rows and jobs, found {counts}")
        return figures


async def stored_counts(database: str | None, sqlite_file: Path) -> tuple[int, int]:
    """(inbox_log rows, jobs) in the node's database."""
    query = "SELECT (SELECT count(*) FROM inbox_log), (SELECT count(*) FROM jobs)"
    if database is None:
        with sqlite3.connect(sqlite_file) as connection:
            logged, queued = connection.execute(query).fetchone()
        return int(logged), int(queued)
    connection = await asyncpg.connect(database=database, **PG)
    try:
        row = await connection.fetchrow(query)
    finally:
        await connection.close()
    return int(row[0]), int(row[1])


async def run_bare(
    requests: int, key_pem: tuple[str, str], cpus: set[int] | None
) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port(BARE)
        pub = Path(tmp) / "key.pem"
        pub.write_text(key_pem[1])
        server = spawn(
            [
                sys.executable,
                str(ROOT / "bench" / "procs" / "bare_inbox.py"),
                "--port",
                str(port),
                "--db",
                str(Path(tmp) / "bare.db"),
                "--public-key",
                str(pub),
            ],
            cpus,
        )
        return await measure(server, f"http://{BARE}:{port}/orgs/city/inbox", requests, key_pem)


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far (Linux /proc; 0 where unreadable)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / os.sysconf("SC_CLK_TCK")


async def postgres_backends(database: str | None) -> list[int]:
    """The server processes serving `database` (PostgreSQL on this machine), if any."""
    if database is None:
        return []
    admin = await asyncpg.connect(database="test", **PG)
    try:
        rows = await admin.fetch("SELECT pid FROM pg_stat_activity WHERE datname = $1", database)
    finally:
        await admin.close()
    return [row["pid"] for row in rows]


async def measure(
    server: subprocess.Popen[str],
    inbox: str,
    requests: int,
    key_pem: tuple[str, str],
    database: str | None = None,
) -> dict[str, float]:
    """Peak and half-load latencies, and CPU per request at peak: CPU time does not depend
    on how busy the machine is, so it compares runs that latencies cannot."""
    peer, origin = await start_peer(key_pem[1])
    try:
        await wait_ready(server)
        warm = sign_all(inbox, origin, key_pem[0], ACTORS)  # one per actor: fetches their keys
        await blast(inbox, warm, 8, None)
        backends = await postgres_backends(database)
        load = sign_all(inbox, origin, key_pem[0], requests)
        cpu_before = cpu_seconds([server.pid]), cpu_seconds(backends)
        elapsed, latencies, failures = await blast(inbox, load, 64, None)
        cpu_after = cpu_seconds([server.pid]), cpu_seconds(backends)
        peak = requests / elapsed
        half = sign_all(inbox, origin, key_pem[0], requests)  # as many: a stable p99
        _, half_latencies, half_failures = await blast(inbox, half, 64, peak / 2)
        return {
            "peak": peak,
            "p50": percentile(latencies, 0.50),
            "p99": percentile(latencies, 0.99),
            "half_p50": percentile(half_latencies, 0.50),
            "half_p99": percentile(half_latencies, 0.99),
            "failures": failures + half_failures,
            "cpu_ms": (cpu_after[0] - cpu_before[0]) / requests * 1000,
            "pg_cpu_ms": (cpu_after[1] - cpu_before[1]) / requests * 1000,
        }
    finally:
        server.terminate()
        server.wait(timeout=30)
        await peer.cleanup()


async def postgres_url() -> tuple[str, str]:
    name = f"cn_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(database="test", **PG)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    return name, f"postgresql+asyncpg://{PG['user']}@{PG['host']}:{PG['port']}/{name}"


async def drop(name: str) -> None:
    admin = await asyncpg.connect(database="test", **PG)
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.close()


def show(label: str, figures: dict[str, float], ceiling: float | None = None) -> None:
    ratio = f"  ({figures['peak'] / ceiling:.2f}x the bare ceiling)" if ceiling else ""
    print(
        f"{label:<22} {figures['peak']:7.0f} req/s{ratio}; peak p50 {figures['p50']:.1f} ms, "
        f"p99 {figures['p99']:.1f} ms; at half load p50 {figures['half_p50']:.1f} ms, "
        f"p99 {figures['half_p99']:.1f} ms; non-202: {int(figures['failures'])}"
    )
    pg = f", PostgreSQL {figures['pg_cpu_ms']:.2f} ms" if figures["pg_cpu_ms"] else ""
    print(f"{'':<22} CPU per request at peak: server {figures['cpu_ms']:.2f} ms{pg}")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("--only", default="bare,sqlite,postgresql", help="comma-separated")
    parser.add_argument("--no-pin", action="store_true", help="leave CPUs to the scheduler")
    args = parser.parse_args()
    only = set(args.only.split(","))
    pair = generate_rsa()
    key_pem = (pair.private_pem, pair.public_pem)
    split = cpu_split(not args.no_pin)
    server_cpus = None
    if split is not None:
        os.sched_setaffinity(0, split[0])
        server_cpus = split[1]
    pinning = "no pinning"
    if split is not None:
        pinning = f"load generator on CPU {sorted(split[0])}, server on {sorted(split[1])}"
    print(
        f"{args.requests} signed Follows per run, 64 connections, cores: {os.cpu_count()}; "
        + pinning
    )
    ceiling = None
    if "bare" in only:
        bare = await run_bare(args.requests, key_pem, server_cpus)
        show("bare ceiling (sqlite3)", bare)
        ceiling = bare["peak"]
    if "sqlite" in only:
        ours = await run_node(None, args.requests, key_pem, server_cpus)
        show("commonsnode, SQLite", ours, ceiling)
    if "postgresql" in only:
        name, url = await postgres_url()
        try:
            ours_pg = await run_node(url, args.requests, key_pem, server_cpus)
        finally:
            await drop(name)
        show("commonsnode, PostgreSQL", ours_pg, ceiling)


if __name__ == "__main__":
    asyncio.run(main())
