"""The node's home page: who publishes here."""

from __future__ import annotations

from html import escape

from aiohttp import web

from web.keys import CONFIG, UOW
from web.pages.layout import page


async def home(request: web.Request) -> web.Response:
    config = request.app[CONFIG]
    async with request.app[UOW](readonly=True) as tx:
        orgs = await tx.organisations.list_all()
    items = "".join(
        f'<li><a href="/orgs/{escape(org.handle)}">{escape(org.name)}</a> '
        f'<span class="kind">{escape(org.kind)}</span></li>'
        for org in orgs
    )
    body = f"<h1>{escape(config.node.name)}</h1><h2>Organisations</h2>" + (
        f'<ul class="orgs">{items}</ul>' if items else "<p>No organisations yet.</p>"
    )
    return page(config.node.name, body, node_name=config.node.name)


async def organisation(request: web.Request) -> web.Response:
    config = request.app[CONFIG]
    async with request.app[UOW](readonly=True) as tx:
        org = await tx.organisations.get_by_handle(request.match_info["handle"])
    if org is None:
        raise web.HTTPNotFound(text="no such organisation")
    host = config.origin.split("://", 1)[1]
    body = (
        f"<h1>{escape(org.name)}</h1>"
        f'<p class="kind">{escape(org.kind)} · @{escape(org.handle)}@{escape(host)}</p>'
        f"<p>{escape(org.summary)}</p>"
    )
    return page(org.name, body, node_name=config.node.name)


def setup(app: web.Application) -> None:
    app.router.add_get("/", home)
