"""A node's aiohttp app on a fresh database, and a client for it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from commonsnode.config import NodeConfig, build_config
from commonsnode.usecases.organisations import create_organisation, create_token
from tests.databases import upgrade
from web.app import Node, build_node, create_app


def node_config(directory: Path, db_url: str, **sections: dict[str, object]) -> NodeConfig:
    raw: dict[str, dict[str, object]] = {
        "node": {"url": "http://127.0.0.1:8080", "name": "Test node"},
        "database": {"url": db_url, "sqlite_synchronous": "normal"},
    }
    for section, values in sections.items():
        raw.setdefault(section, {}).update(values)
    return build_config(directory, raw, environ={})


@pytest.fixture
async def node(tmp_path: Path, db_url: str) -> AsyncIterator[Node]:
    built = build_node(node_config(tmp_path, db_url))
    await upgrade(built.db)
    try:
        yield built
    finally:
        await built.close()


@pytest.fixture
async def client(node: Node) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(create_app(node))) as test_client:
        yield test_client


@pytest.fixture
async def token(node: Node) -> str:
    await create_organisation(
        node.uow, node.clock, handle="alderney", name="City of Alderney", kind="government"
    )
    return await create_token(node.uow, node.clock, handle="alderney")
