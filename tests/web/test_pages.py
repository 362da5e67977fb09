"""The HTML pages without a browser: what each page says, its links, escaping and status codes."""

from __future__ import annotations

import contextlib
import re
from dataclasses import replace
from pathlib import Path

from aiohttp.test_utils import TestClient

from commonsnode.demo import DEMO_ORGANISATIONS, answer_demo_rubrics, demo_listings
from commonsnode.errors import ConflictError
from commonsnode.model.listings import Provenance, ToolListing, remote_listing
from commonsnode.model.organisations import Organisation
from commonsnode.model.records import DeploymentTerms
from commonsnode.usecases.listings import ListingInvalidError, get_listing, publish_listing
from commonsnode.usecases.organisations import create_organisation
from commonsnode.usecases.records import (
    IncomingRecord,
    declare_deployment,
    offer_support,
    store_remote_record,
)
from tests.conftest import SHARED
from web.app import Node

VALID = SHARED / "publiccode" / "v0" / "valid"
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
REMOTE_HOST = "code.example"


async def seed(node: Node) -> dict[str, list[ToolListing]]:
    """Demo-like data: the demo organisations and listings, every valid publiccode.yml fixture
    spread over them, and one listing federated from another node.

    Returns the listings by organisation handle ('' for the remote one)."""
    orgs = []
    for handle, name, kind, summary in DEMO_ORGANISATIONS:
        orgs.append(
            await create_organisation(
                node.uow, node.clock, handle=handle, name=name, kind=kind, summary=summary
            )
        )
    by_handle: dict[str, list[ToolListing]] = {org.handle: [] for org in orgs}
    by_org = {org.handle: org for org in orgs}
    for handle, text in demo_listings():
        change = await publish_listing(node.uow, node.clock, by_org[handle], text)
        by_handle[handle].append(change.listing)
    await answer_demo_rubrics(node.uow, node.clock, node.federation.iris.org)
    for index, path in enumerate(sorted(VALID.glob("*.yml"))):
        org = orgs[index % len(orgs)]
        text = path.read_text(encoding="utf-8")
        if index >= len(orgs):  # the first few list one tool together; the rest are distinct
            text = re.sub(r"(?m)^url: .*$", f'url: "https://git.example/{path.stem}.git"', text)
            text = re.sub(r"(?m)^name: (.*)$", rf"name: \1 {index}", text)
        with contextlib.suppress(ConflictError, ListingInvalidError):
            change = await publish_listing(node.uow, node.clock, org, text)
            by_handle[org.handle].append(change.listing)
    template = next(x for xs in by_handle.values() for x in xs)
    now = node.clock.now()
    origin = f"https://{REMOTE_HOST}/listings/r1"
    remote = remote_listing(
        "remote-1",
        replace(template.facts, used_by=("Town of Sark",)),
        Provenance(
            origin_iri=origin,
            author_iri=f"https://{REMOTE_HOST}/orgs/sark",
            node_host=REMOTE_HOST,
            received_at=now,
            via_iri=origin,
        ),
        now,
    )
    async with node.uow() as tx:
        await tx.listings.add(remote)
    by_handle[""] = [remote]
    await seed_records(node, by_org["alderney"], by_handle["alderney"][0])
    return by_handle


async def seed_records(node: Node, user: Organisation, listing: ToolListing) -> None:
    """A deployment, a support offer and a remote deployment of one listing (its tool page)."""
    acme = await create_organisation(
        node.uow, node.clock, handle="acme", name="Acme <Hosting>", kind="support-company"
    )
    use = {"since": "2021", "purpose": "participatory budgeting", "scale": "40 000 residents"}
    await declare_deployment(node.uow, node.clock, user, listing.id, use)
    offer = {"services": ["hosting"], "regions": ["GB"], "contact_url": "https://acme.example"}
    await offer_support(node.uow, node.clock, acme, listing.id, offer)
    now = node.clock.now()
    sark = f"https://{REMOTE_HOST}/orgs/sark"
    await store_remote_record(
        node.uow,
        node.clock,
        IncomingRecord(
            kind="deployment",
            listing_id=listing.id,
            terms=DeploymentTerms(since="2019-05", purpose="consultations"),
            declarer_name="Town of Sark",
            provenance=Provenance(
                f"https://{REMOTE_HOST}/deployments/d1", sark, REMOTE_HOST, now, sark
            ),
            declared_at=now,
        ),
    )


def links(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


async def get_html(client: TestClient, path: str, status: int = 200) -> str:
    response = await client.get(path, headers=HTML)
    text = await response.text()
    assert response.status == status, text
    assert response.content_type == "text/html"
    return text


async def test_every_page_has_the_accessible_frame(client: TestClient, node: Node) -> None:
    data = await seed(node)
    listing = data["alderney"][0]
    for path in (
        "/",
        "/catalog/search",
        "/orgs/alderney",
        f"/listings/{listing.id}",
        f"/tools/{listing.repository_key}",
    ):
        html = await get_html(client, path)
        assert '<html lang="en">' in html
        assert '<a class="skip" href="#main">' in html
        assert '<main id="main"' in html
        assert html.count("<h1>") == 1, path
        assert "<script" not in html
        assert 'name="viewport"' in html


async def test_home_leads_to_the_catalog(client: TestClient, node: Node) -> None:
    await seed(node)
    html = await get_html(client, "/")
    assert 'action="/catalog/search"' in html
    assert "/catalog/search" in links(html)
    assert 'href="/orgs/alderney"' in html
    assert "Newest listings" in html


async def test_catalog_lists_every_listing_with_facet_counts(
    client: TestClient, node: Node
) -> None:
    data = await seed(node)
    total = sum(len(xs) for xs in data.values())
    html = await get_html(client, "/catalog/search")
    assert f"{total} tool listings" in html
    assert "Refine results" in html
    assert re.search(r"This node <span class=\"count\">\(\d+\)</span>", html)
    assert 'Other nodes <span class="count">(1)</span>' in html
    assert f"on {REMOTE_HOST}" in html
    assert "/catalog/search?origin=remote" in links(html)


async def test_a_facet_link_filters_and_can_be_removed(client: TestClient, node: Node) -> None:
    await seed(node)
    html = await get_html(client, "/catalog/search?origin=remote")
    assert "1 tool listing<" in html
    assert 'aria-current="true"' in html
    assert "Active filters" in html
    assert "/catalog/search" in links(html)  # "clear all"
    assert 'name="origin" value="remote"' in html  # a new search keeps the filter


async def test_search_text_is_kept_and_escaped(client: TestClient, node: Node) -> None:
    await seed(node)
    html = await get_html(client, "/catalog/search?q=%3Cscript%3Ex")
    assert "<script>x" not in html
    assert 'value="&lt;script&gt;x"' in html
    assert "No tool listing matches" in html


async def test_a_too_long_query_is_a_readable_400(client: TestClient) -> None:
    html = await get_html(client, "/catalog/search?q=" + "a" * 600, status=400)
    assert "could not run" in html


async def test_pagination_follows_the_cursor(client: TestClient, node: Node) -> None:
    await seed(node)
    seen: list[str] = []
    path = "/catalog/search"
    for _ in range(10):
        html = await get_html(client, path)
        seen += re.findall(r'<h3><a href="/listings/([^"]+)"', html)
        following = re.search(r'<a href="([^"]+)" rel="next">', html)
        if following is None:
            break
        path = following.group(1).replace("&amp;", "&")
        assert "page=" in path
    assert len(seen) == len(set(seen)) > 20
    assert "First page" in html


async def test_tool_page_shows_every_listing_and_its_users(client: TestClient, node: Node) -> None:
    data = await seed(node)
    remote = data[""][0]
    html = await get_html(client, f"/tools/{remote.repository_key}")
    assert "Town of Sark" in html  # usedBy of the remote listing
    assert f"on {REMOTE_HOST}" in html
    assert "on 127.0.0.1" in html
    assert "Who uses it" in html
    assert html.count("<h3>") >= 2
    local = await get_listing(node.uow, data["alderney"][0].id)
    assert f"/listings/{local.id}" in links(html)


async def test_unknown_tool_and_organisation_are_html_404s(client: TestClient) -> None:
    await get_html(client, "/tools/github.com/no/such", status=404)
    await get_html(client, "/orgs/nobody", status=404)


async def test_organisation_page_says_how_to_follow(client: TestClient, node: Node) -> None:
    data = await seed(node)
    html = await get_html(client, "/orgs/alderney")
    assert "@alderney@127.0.0.1:8080" in html
    assert "City of Alderney" in html
    assert "Government" in html
    assert "<dt>Followers</dt><dd>0</dd>" in html
    assert f"<dt>Tool listings</dt><dd>{len(data['alderney'])}</dd>" in html
    for listing in data["alderney"]:
        assert f"/listings/{listing.id}" in links(html)


async def test_listing_page_links_its_tool_and_publisher(client: TestClient, node: Node) -> None:
    data = await seed(node)
    listing = data["alderney"][0]
    html = await get_html(client, f"/listings/{listing.id}")
    assert 'href="/orgs/alderney"' in html
    assert f"/tools/{listing.repository_key}" in links(html)
    remote = await get_html(client, "/listings/remote-1")
    assert f"https://{REMOTE_HOST}/orgs/sark" in links(remote)


async def test_only_http_links_are_rendered(client: TestClient, node: Node) -> None:
    data = await seed(node)
    listing = data["alderney"][0]
    evil = replace(
        listing,
        id="evil-1",
        facts=replace(listing.facts, landing_url="javascript:alert(1)"),
        org_id=None,
        provenance=replace(
            data[""][0].provenance,  # type: ignore[type-var]
            origin_iri=f"https://{REMOTE_HOST}/listings/evil",
        ),
    )
    async with node.uow() as tx:
        await tx.listings.add(evil)
    html = await get_html(client, "/listings/evil-1")
    assert "javascript:" not in "".join(links(html))


def test_fixture_folder_exists() -> None:
    assert Path(VALID).is_dir()
