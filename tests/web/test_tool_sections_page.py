"""The tool page's record sections: declared users apart from what publishers claim, support
offers and credits, each with its source, and every text escaped."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from tests.web.test_pages import REMOTE_HOST, get_html, seed
from web.app import Node


def section(html: str, heading: str) -> str:
    start = html.index(f"<h2>{heading}</h2>")
    end = html.find("<h2>", start + 1)
    return html[start : end if end != -1 else len(html)]


async def test_the_tool_page_shows_declared_users_offers_and_credits_with_sources(
    client: TestClient, node: Node
) -> None:
    data = await seed(node)
    listing = data["alderney"][0]
    html = await get_html(client, f"/tools/{listing.repository_key}")

    used = section(html, "Used by (declared by the users)")
    assert '<a href="/orgs/alderney">' in used
    assert "participatory budgeting" in used
    assert "Town of Sark" in used
    assert f"(on {REMOTE_HOST})" in used
    assert used.count("declared by the organisation itself (signed)") == 2
    # What publishers claim in usedBy stays in its own section, not among declared users.
    claimed = section(html, "Who uses it")
    assert "participatory budgeting" not in claimed

    offers = section(html, "Support offers")
    assert "Acme &lt;Hosting&gt;" in offers
    assert "<Hosting>" not in offers
    assert "hosting" in offers
    assert '<a href="https://acme.example">' in offers

    credits = section(html, "Credits")
    # publiccode `organisation` with an http(s) uri: linked
    assert 'Built by <a href="https://decidim.org">Decidim Association</a>' in credits
    assert f'declared in its publiccode.yml (<a href="/listings/{listing.id}">' in credits


async def test_a_tool_without_records_says_so(client: TestClient, node: Node) -> None:
    data = await seed(node)
    listing = data["alderney"][1]
    html = await get_html(client, f"/tools/{listing.repository_key}")
    assert "No organisation has declared that it uses this tool yet." in html
    assert "No support company has offered support for this tool yet." in html
