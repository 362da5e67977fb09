"""Several real nodes in one test process, each on its own loopback address, settled in turn."""

from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from commonsnode.clock import FixedClock
from commonsnode.config import build_config
from commonsnode.keys import generate_actor_keys
from commonsnode.model.organisations import Organisation
from commonsnode.usecases.organisations import create_organisation, create_token
from commonsnode.worker import Worker
from web.app import Node, build_node, create_app, initialise_database, open_node

MAX_SETTLE_ROUNDS = 50


def bind(address: str, port: int = 0) -> socket.socket:
    """A listening socket on `address` (a free port by default: the node's IRI must be known
    first)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((address, port))
    sock.listen(128)
    return sock


@dataclass
class ClusterNode:
    """One running node: its origin, its Node, its worker, and an HTTP client for its API."""

    name: str
    origin: str
    node: Node
    runner: web.AppRunner
    worker: Worker
    http: aiohttp.ClientSession
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def host(self) -> str:
        return self.origin.split("://", 1)[1]

    async def org(self, handle: str, kind: str = "government", **fields: Any) -> Organisation:
        org = await create_organisation(
            self.node.uow,
            self.node.clock,
            handle=handle,
            name=fields.pop("name", handle.title()),
            kind=kind,
            keys=generate_actor_keys(),
            **fields,
        )
        self.tokens[handle] = await create_token(self.node.uow, self.node.clock, handle=handle)
        return org

    def actor(self, handle: str) -> str:
        return f"{self.origin}/orgs/{handle}"

    async def go_down(self) -> None:
        """Stop answering HTTP, open connections closed: to other nodes it is down (its
        database and worker stay, as a node's would across a restart)."""
        for site in list(self.runner.sites):
            await site.stop()
        if self.runner.server is not None:
            await self.runner.server.shutdown(1.0)

    async def come_back(self) -> None:
        """Answer HTTP again at the same origin."""
        address, port = self.host.rsplit(":", 1)
        await web.SockSite(self.runner, bind(address, int(port))).start()

    async def api(self, method: str, path: str, *, as_: str, json: Any = None) -> tuple[int, Any]:
        """Call the JSON API as one of this node's organisations."""
        headers = {"Authorization": f"Bearer {self.tokens[as_]}"}
        async with self.http.request(
            method, self.origin + path, json=json, headers=headers
        ) as response:
            body = await response.json(content_type=None) if response.content_length != 0 else None
            return response.status, body


@dataclass
class Cluster:
    clock: FixedClock
    nodes: dict[str, ClusterNode]

    def __getitem__(self, name: str) -> ClusterNode:
        return self.nodes[name]

    async def settle(self) -> int:
        """Run every node's worker in a fixed order until a whole round runs nothing."""
        total = 0
        for _ in range(MAX_SETTLE_ROUNDS):
            ran = 0
            for member in self.nodes.values():
                ran += await member.worker.drain()
            if ran == 0:
                return total
            total += ran
        raise AssertionError(f"cluster did not settle in {MAX_SETTLE_ROUNDS} rounds (ping-pong?)")


async def _start(
    name: str, address: str, directory: Path, clock: FixedClock, **sections: Any
) -> ClusterNode:
    sock = bind(address)
    origin = f"http://{address}:{sock.getsockname()[1]}"
    raw: dict[str, dict[str, Any]] = {
        "node": {"url": origin, "name": f"node {name}", "allow_private_network": True},
        "database": {
            "url": f"sqlite+aiosqlite:///{directory / 'node.db'}",
            "sqlite_synchronous": "normal",
        },
    }
    for section, values in sections.items():
        raw.setdefault(section, {}).update(values)
    config = build_config(directory, raw, environ={})
    await initialise_database(config)
    node = await open_node(config, clock)
    runner = web.AppRunner(create_app(node), access_log=None)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    worker = node.worker(concurrency=16, name=f"{name}-worker")
    return ClusterNode(name, origin, node, runner, worker, aiohttp.ClientSession())


@asynccontextmanager
async def cluster(
    tmp: Path, *names: str, settings: dict[str, dict[str, dict[str, Any]]] | None = None
) -> AsyncIterator[Cluster]:
    """`async with cluster(tmp, "alpha", "beta") as c:` — nodes on 127.0.0.2, 127.0.0.3, …"""
    clock = FixedClock(time.time())
    members: dict[str, ClusterNode] = {}
    try:
        for index, name in enumerate(names):
            directory = tmp / name
            directory.mkdir()
            members[name] = await _start(
                name, f"127.0.0.{index + 2}", directory, clock, **(settings or {}).get(name, {})
            )
        yield Cluster(clock, members)
    finally:
        for member in members.values():
            await member.http.close()
            await member.runner.cleanup()
            await member.node.close()


__all__ = ["Cluster", "ClusterNode", "build_node", "cluster"]
