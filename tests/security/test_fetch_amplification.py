"""Fetch amplification: one inbound activity makes the node fetch without bound."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from federation.fetch import DEFAULT_FETCH_BUDGET, FetchBudget, Fetcher, FetchError
from federation.netguard import AddressPolicy

AS = "application/activity+json"


class Origin:
    """Serves every path as a document whose id is its URL, except /hop/N which redirects."""

    def __init__(self) -> None:
        self.base = ""
        self.paths: list[str] = []
        self.app = web.Application()
        self.app.router.add_get("/{tail:.*}", self._handle)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.paths.append(request.path)
        if request.path.startswith("/hop/"):
            left = int(request.path.rsplit("/", 1)[1])
            raise web.HTTPFound(f"/hop/{left - 1}" if left > 1 else "/objects/end")
        if request.path.startswith("/alias/"):
            body = {"id": self.base + request.path.replace("/alias/", "/objects/")}
        else:
            body = {"id": self.base + request.path}
        return web.Response(body=json.dumps(body), content_type=AS)

    def url(self, path: str) -> str:
        return self.base + path


@pytest.fixture
async def origin(aiohttp_server: Any) -> Origin:
    site = Origin()
    server = await aiohttp_server(site.app, host="127.0.0.2")
    site.base = str(server.make_url("")).rstrip("/")
    return site


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    client = Fetcher(
        node_url="https://node.example", policy=AddressPolicy(allow_private_network=True)
    )
    yield client
    await client.close()


async def test_activity_referencing_a_thousand_objects_causes_twenty_fetches(
    fetcher: Fetcher, origin: Origin
) -> None:
    """Amplification: one Create whose tags/attachments name 1 000 unknown objects."""
    budget = FetchBudget()
    urls = [origin.url(f"/objects/{n}") for n in range(1000)]
    outcomes = await asyncio.gather(
        *(fetcher.fetch_activity(url, budget=budget) for url in urls), return_exceptions=True
    )
    refused = [o for o in outcomes if isinstance(o, FetchError)]
    assert len(origin.paths) == DEFAULT_FETCH_BUDGET == 20
    assert len(refused) == 980
    assert {e.reason for e in refused} == {"budget_exhausted"}
    assert budget.remaining == 0


async def test_redirect_hops_are_charged_to_the_budget(fetcher: Fetcher, origin: Origin) -> None:
    """Amplification through redirects: one reference, several requests."""
    budget = FetchBudget(remaining=2)
    with pytest.raises(FetchError) as caught:
        await fetcher.fetch_activity(origin.url("/hop/3"), budget=budget)
    assert caught.value.reason == "budget_exhausted"
    assert origin.paths == ["/hop/3", "/hop/2"]


async def test_same_origin_refetch_is_charged_to_the_budget(
    fetcher: Fetcher, origin: Origin
) -> None:
    """Amplification through id mismatch: each alias costs a second request."""
    budget = FetchBudget(remaining=1)
    with pytest.raises(FetchError) as caught:
        await fetcher.fetch_activity(origin.url("/alias/1"), budget=budget)
    assert caught.value.reason == "budget_exhausted"
    assert origin.paths == ["/alias/1"]


async def test_exhausted_budget_sends_no_request(fetcher: Fetcher, origin: Origin) -> None:
    """Once the activity has spent its budget, nothing more leaves the node."""
    with pytest.raises(FetchError) as caught:
        await fetcher.fetch_jrd(origin.url("/objects/1"), budget=FetchBudget(remaining=0))
    assert caught.value.reason == "budget_exhausted"
    assert origin.paths == []


async def test_refused_url_costs_no_budget(fetcher: Fetcher) -> None:
    """A reference the policy refuses outright is not a fetch and is not charged."""
    budget = FetchBudget(remaining=1)
    with pytest.raises(FetchError):
        await fetcher.fetch_activity("gopher://example.org/x", budget=budget)
    assert budget.remaining == 1
