"""The tool page shows each listing's rating summary and the recent ratings, accessibly."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from commonsnode.model.listings import ToolListing
from commonsnode.usecases.organisations import create_organisation
from commonsnode.usecases.ratings import rate_listing, store_remote_rating
from tests.databases import upgrade
from tests.web.conftest import node_config
from tests.web.test_pages import REMOTE_HOST, get_html, seed
from tests.web.test_pages_a11y import (  # noqa: F401 (browser_ready is a fixture)
    VIEWPORTS,
    _chromium,
    browser_ready,
    report,
    run_browser,
)
from web.app import Node, build_node, create_app


async def seed_ratings(node: Node) -> ToolListing:
    """Two ratings of the tool several demo organisations list: one local, one remote."""
    data = await seed(node)
    remote = data[""][0]
    async with node.uow(readonly=True) as tx:
        listings = await tx.listings.by_repository(remote.repository_key)
    rater = await create_organisation(
        node.uow, node.clock, handle="sark-users", name="Sark Users", kind="civil-society"
    )
    await rate_listing(
        node.uow,
        node.clock,
        rater,
        remote.id,
        {"overall": 4, "privacy": 5, "deployment": 3},
        "Runs well. <script>alert(1)</script>",
    )
    local = next(x for x in listings if x.is_local)
    await store_remote_rating(
        node.uow,
        node.clock,
        local,
        origin_iri=f"https://{REMOTE_HOST}/ratings/1",
        author_iri=f"https://{REMOTE_HOST}/orgs/herm",
        node_host=REMOTE_HOST,
        via_iri=f"https://{REMOTE_HOST}/orgs/herm",
        scores={"overall": 2},
        text="",
        published_at=node.clock.now(),
    )
    return remote


async def test_the_tool_page_shows_ratings_per_listing_and_the_recent_ones(
    client: TestClient, node: Node
) -> None:
    remote = await seed_ratings(node)
    html = await get_html(client, f"/tools/{remote.repository_key}")
    assert '<span role="img" aria-label="4.0 out of 5">★★★★☆</span> 4.0/5' in html
    assert "from 1 rating " in html
    assert "Privacy</dt>" in html
    assert "Ease of deployment</dt>" in html
    assert f"Rated on</dt><dd>{REMOTE_HOST} (1)" in html
    assert "Recent ratings" in html
    assert "privacy 5/5" in html
    assert "&lt;script&gt;" in html
    assert "<script>alert" not in html
    assert "herm (" in html
    assert "Not rated yet." in html  # a listing of the tool nobody rated


@pytest.fixture
async def rated_server(tmp_path: Path) -> AsyncIterator[tuple[TestServer, ToolListing]]:
    node = build_node(node_config(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'pages.db'}"))
    await upgrade(node.db)
    try:
        remote = await seed_ratings(node)
        async with TestServer(create_app(node), host="127.0.0.1") as test_server:
            yield test_server, remote
    finally:
        await node.close()


@pytest.mark.usefixtures("browser_ready")
async def test_the_rated_tool_page_passes_axe(rated_server: tuple[TestServer, ToolListing]) -> None:
    test_server, remote = rated_server
    job: dict[str, Any] = {
        "chromium": _chromium(),
        "urls": [str(test_server.make_url(f"/tools/{remote.repository_key}"))],
        "viewports": VIEWPORTS,
        "screenshots": [],
    }
    results = await run_browser(job)
    assert [r["status"] for r in results] == [200] * len(VIEWPORTS)
    failures = [report(r) for r in results if r["violations"]]
    assert not failures, "axe-core violations:\n" + "\n".join(failures)
    assert not [
        r for r in results if r["viewport"] == "phone" and r["scrollWidth"] > r["innerWidth"]
    ]
