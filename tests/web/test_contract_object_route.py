"""The contract IRI's route: servers get the AS2 document (tested across nodes in
tests/federation/test_commission_story.py), browsers the contract page registered on the same
path after it, whichever module registers that page."""

from __future__ import annotations

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from web.activitypub import contract_objects


async def page(request: web.Request) -> web.Response:
    return web.Response(text=f"page {request.match_info['id']}")


async def test_browsers_get_the_page_registered_on_the_same_path() -> None:
    app = web.Application()
    contract_objects.setup(app)
    app.router.add_get("/elsewhere", page)  # as in web/app.py: other routes come between
    app.router.add_get("/contracts/{id}", page)
    async with TestClient(TestServer(app)) as client:
        response = await client.get("/contracts/c1", headers={"Accept": "text/html"})
        assert response.status == 200
        assert await response.text() == "page c1"


async def test_without_a_page_browsers_get_404() -> None:
    app = web.Application()
    contract_objects.setup(app)
    async with TestClient(TestServer(app)) as client:
        response = await client.get("/contracts/c1", headers={"Accept": "text/html"})
        assert response.status == 404
