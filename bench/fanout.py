"""Fan-out: time to deliver one activity to 1,000 followers on 200 servers, next to a bare loop.

Run: .venv/bin/python bench/fanout.py

Followers are remote actors on 200 loopback addresses (127.0.1.1-200), five per server, each
with a personal inbox (no shared inbox: 1,000 deliveries, the hard case). The node's worker
runs in this process: fan-out job, 1,000 delivery jobs, each signed (RSA-2048, draft-cavage)
and POSTed. The baseline signs and POSTs the same 1,000 requests with a cached key and the
same concurrency, with no queue and no database.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/queue.py shares its name with the stdlib module: keep this folder off the import path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import argparse
import asyncio
import json
import os
import socket
import subprocess
import tempfile
import time

import aiohttp

from commonsnode.clock import SystemClock
from commonsnode.config import build_config
from commonsnode.ids import new_id
from commonsnode.keys import generate_rsa
from commonsnode.model.actors import RemoteActor
from commonsnode.model.follows import Follow
from commonsnode.usecases.organisations import create_organisation
from federation.outbox import new_activity, publish
from federation.runtime import sign_post
from federation.vocab import AS_PUBLIC
from web.app import initialise_database, open_node

HOSTS = 200
PER_HOST = 5


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.1.1", 0))
        return int(sock.getsockname()[1])


async def received(http: aiohttp.ClientSession, port: int) -> int:
    async with http.get(f"http://127.0.1.1:{port}/count") as response:
        return int((await response.json())["received"])


async def wait_for(http: aiohttp.ClientSession, port: int, target: int) -> None:
    """Poll the receivers' counter: they are another process, there is no event to await."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if await received(http, port) >= target:
            return
        await asyncio.sleep(0.005)
    raise TimeoutError(f"fewer than {target} deliveries arrived")


async def ours(tmp: Path, port: int, http: aiohttp.ClientSession, concurrency: int) -> float:
    config = build_config(
        tmp,
        {
            "node": {"url": "http://127.0.0.2:8999", "allow_private_network": True},
            "database": {"url": f"sqlite+aiosqlite:///{tmp / 'node.db'}"},
            "log": {"level": "warning"},
        },
        environ={},
    )
    await initialise_database(config)
    node = await open_node(config, SystemClock())
    try:
        org = await create_organisation(
            node.uow, node.clock, handle="city", name="City", kind="government"
        )
        now = node.clock.now()
        async with node.uow() as tx:
            for host in range(HOSTS):
                for user in range(PER_HOST):
                    iri = f"http://127.0.1.{host + 1}:{port}/users/u{user}"
                    actor = RemoteActor(
                        iri,
                        f"127.0.1.{host + 1}",
                        "Person",
                        f"{iri}/inbox",
                        None,
                        f"u{user}",
                        None,
                        None,
                        None,
                        None,
                        None,
                        None,
                        None,
                        False,
                        now,
                    )
                    await tx.actors.upsert(actor, [])
                    await tx.follows.save(
                        Follow(new_id(now), "in", org.id, iri, "accepted", iri + "#f", now, now)
                    )
        iris = node.federation.iris
        note = {"id": f"{iris.origin}/notes/1", "type": "Note", "content": "<p>Hello</p>"}
        activity = new_activity(iris, org, "Create", note, now, to=[AS_PUBLIC])
        worker = node.worker(concurrency=concurrency)
        before = await received(http, port)
        started = time.perf_counter()
        async with node.uow() as tx:
            await publish(tx, iris, org, activity, node.clock.now(), followers=True)
        await worker.drain()
        await wait_for(http, port, before + HOSTS * PER_HOST)
        elapsed = time.perf_counter() - started
        counts = await node.queue.counts()
        assert counts == {"ready": 0, "running": 0, "dead": 0}, counts
        return elapsed
    finally:
        await node.close()


async def bare(port: int, http: aiohttp.ClientSession, concurrency: int) -> float:
    pair = generate_rsa()
    body = json.dumps({"type": "Create", "object": {"type": "Note"}}).encode()
    inboxes = [
        f"http://127.0.1.{host + 1}:{port}/users/u{user}/inbox"
        for host in range(HOSTS)
        for user in range(PER_HOST)
    ]
    semaphore = asyncio.Semaphore(concurrency)
    before = await received(http, port)
    started = time.perf_counter()

    async def one(inbox: str) -> None:
        async with semaphore:
            headers = sign_post(
                inbox,
                body,
                key_id="http://127.0.0.2/k",
                private_pem=pair.private_pem,
                scheme="cavage",
                now=time.time(),
            )
            async with http.post(inbox, data=body, headers=headers) as response:
                await response.read()

    await asyncio.gather(*(one(inbox) for inbox in inboxes))
    await wait_for(http, port, before + len(inboxes))
    return time.perf_counter() - started


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--concurrency", type=int, default=64)
    args = parser.parse_args()
    port = free_port()
    receivers = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "bench" / "procs" / "receivers.py"),
            "--port",
            str(port),
            "--hosts",
            str(HOSTS),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert receivers.stdout is not None
    assert receivers.stdout.readline().strip() == "ready"
    try:
        connector = aiohttp.TCPConnector(limit=args.concurrency)
        async with aiohttp.ClientSession(connector=connector) as http:
            base = await bare(port, http, args.concurrency)
            with tempfile.TemporaryDirectory() as tmp:
                elapsed = await ours(Path(tmp), port, http, args.concurrency)
    finally:
        receivers.terminate()
        receivers.wait(timeout=10)
    total = HOSTS * PER_HOST
    print(f"{total} deliveries to {HOSTS} servers, concurrency {args.concurrency}")
    print(f"cores: {os.cpu_count()}")
    print(f"bare sign+POST loop : {base:5.2f} s ({total / base:6.0f} deliveries/s)")
    print(
        f"commonsnode fan-out : {elapsed:5.2f} s ({total / elapsed:6.0f} deliveries/s)  aim < 3 s"
    )


if __name__ == "__main__":
    asyncio.run(main())
