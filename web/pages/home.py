"""The node's home page (search, newest listings, who publishes here) and organisation pages."""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from aiohttp import web

from commonsnode.model.listings import ListingQuery
from commonsnode.usecases.search import search_catalog
from web.keys import CONFIG, FED, UOW
from web.pages import catalog
from web.pages.layout import page
from web.pages.parts import kind_label, org_listings, search_form

NEWEST = 5
ORG_PAGE = 20  # listings per page of an organisation page


async def home(request: web.Request) -> web.Response:
    config = request.app[CONFIG]
    host = request.app[FED].iris.host
    async with request.app[UOW](readonly=True) as tx:
        orgs = await tx.organisations.list_all()
    newest = await search_catalog(request.app[UOW], ListingQuery(limit=NEWEST))
    by_id = {org.id: org for org in orgs}
    items = "".join(
        f'<li><a href="/orgs/{escape(org.handle)}">{escape(org.name)}</a> '
        f'<span class="kind">{escape(kind_label(org.kind))}</span></li>'
        for org in orgs
    )
    recent = "".join(
        catalog.result_item(x, by_id.get(x.org_id or ""), host) for x in newest.listings
    )
    body = (
        f"<h1>{escape(config.node.name)}</h1>"
        "<p>A catalog of open-source tools for governments, shared between nodes.</p>"
        f"{search_form(None, {}, field_id='home-q')}"
        f'<p><a href="/catalog/search">Browse the whole catalog</a> '
        f'<span class="meta">({newest.total} tool listings)</span></p>'
        + (
            f'<h2>Newest listings</h2><ul class="plain">{recent}</ul>'
            if recent
            else "<h2>Newest listings</h2><p>No tool listings yet.</p>"
        )
        + '<h2 id="organisations">Organisations</h2>'
        + (f'<ul class="orgs">{items}</ul>' if items else "<p>No organisations yet.</p>")
    )
    return page(config.node.name, body, node_name=config.node.name)


async def organisation(request: web.Request) -> web.Response:
    """`/orgs/{handle}` for browsers: who they are, what they publish, how to follow them."""
    config = request.app[CONFIG]
    host = request.app[FED].iris.host
    async with request.app[UOW](readonly=True) as tx:
        org = await tx.organisations.get_by_handle(request.match_info["handle"])
        if org is not None:
            followers = await tx.follows.count("in", org.id, "accepted")
            following = await tx.follows.count("out", org.id, "accepted")
            listed = await tx.listings.count_by_org(org.id)
    if org is None:
        return catalog.not_found(request, "There is no organisation with this handle here.")
    before = request.query.get("before") or None
    listings, more = await org_listings(request.app[UOW], org.id, limit=ORG_PAGE, before=before)
    address = f"@{org.handle}@{host}"
    empty = "No older tool listings." if before is not None else "No tool listings yet."
    items = "".join(catalog.result_item(x, org, host) for x in listings)
    links = []
    if before is not None:
        links.append(f'<li><a href="/orgs/{escape(quote(org.handle))}#listings">Newest</a></li>')
    if more is not None:
        older = escape(f"/orgs/{quote(org.handle)}?before={quote(more)}#listings")
        links.append(f'<li><a href="{older}" rel="next">Older listings</a></li>')
    pages = (
        f'<nav class="pages" aria-label="Listing pages"><ul>{"".join(links)}</ul></nav>'
        if links
        else ""
    )
    summary = f"<p>{escape(org.summary)}</p>" if org.summary else ""
    body = (
        f"<h1>{escape(org.name)}</h1>"
        f'<p class="kind">{escape(kind_label(org.kind))} · '
        f'<span class="handle">{escape(address)}</span></p>'
        f"{summary}"
        '<dl class="facts">'
        f"<dt>Tool listings</dt><dd>{listed}</dd>"
        f"<dt>Followers</dt><dd>{followers}</dd>"
        f"<dt>Following</dt><dd>{following}</dd>"
        "</dl>"
        "<h2>Follow from Mastodon or the fediverse</h2>"
        "<p>Search for "
        f'<span class="handle">{escape(address)}</span> in Mastodon or any other fediverse '
        "app and select Follow: new and updated tool listings then appear in your timeline."
        + (" The organisation approves each follower." if org.manually_approves_followers else "")
        + "</p>"
        '<h2 id="listings">Tool listings</h2>'
        + (f'<ul class="plain">{items}</ul>' if items else f"<p>{empty}</p>")
        + pages
    )
    return page(org.name, body, node_name=config.node.name)


def setup(app: web.Application) -> None:
    app.router.add_get("/", home)
