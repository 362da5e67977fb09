"""The request IRI's route: servers get AS2 (tested across nodes in
tests/federation/test_request_objects_story.py), browsers the page registered on the same path
after it, and `/requests/new` (the form, registered after it too) is not taken for an IRI."""

from __future__ import annotations

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from web.activitypub import request_objects


async def page(request: web.Request) -> web.Response:
    return web.Response(text=f"page {request.match_info['id']}")


async def form(request: web.Request) -> web.Response:
    return web.Response(text="form")


async def test_browsers_get_the_page_and_the_form_keeps_its_path() -> None:
    app = web.Application()
    request_objects.setup(app)
    app.router.add_get("/requests/new", form)
    app.router.add_get("/requests/{id}", page)
    async with TestClient(TestServer(app)) as client:
        response = await client.get("/requests/r1", headers={"Accept": "text/html"})
        assert response.status == 200
        assert await response.text() == "page r1"
        assert response.headers["Vary"] == "Accept"
        response = await client.get("/requests/new", headers={"Accept": "text/html"})
        assert await response.text() == "form"


async def test_without_a_page_browsers_get_404() -> None:
    app = web.Application()
    request_objects.setup(app)
    async with TestClient(TestServer(app)) as client:
        response = await client.get("/requests/r1", headers={"Accept": "text/html"})
        assert response.status == 404
