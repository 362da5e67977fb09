"""A listing's page shows its ratings summary and its experience reports; the reports API takes
a listing by id or by its percent-encoded IRI (our own, or a federated listing's origin IRI),
like the records API."""

from __future__ import annotations

from urllib.parse import quote

from aiohttp.test_utils import TestClient

from commonsnode.model.follows import Follow
from commonsnode.model.listings import Provenance
from commonsnode.usecases.remote_listings import store_remote_listing
from tests.storage.test_listing_repository import facts
from tests.web.test_listings_api import auth, publish
from tests.web.test_reports_api import REPORT, other_org
from web.app import Node

REMOTE = "https://b.example/listings/forms"
REMOTE_AUTHOR = "https://b.example/orgs/forms"


async def test_the_listing_page_shows_its_ratings_and_reports(
    client: TestClient, node: Node, token: str
) -> None:
    listing = await publish(client, token)
    page = await (await client.get(f"/listings/{listing['id']}")).text()
    assert "Not rated yet." in page
    assert "No organisation has reported on this listing yet." in page

    reader = await other_org(node)
    path = f"/api/v1/listings/{listing['id']}"
    rated = await client.post(
        f"{path}/ratings",
        json={"scores": {"overall": 4, "privacy": 3}, "text": "Quick <b>setup</b>."},
        headers=auth(reader),
    )
    assert rated.status == 201
    response = await client.post(
        f"{path}/reports", json={**REPORT, "title": "Pilot <in> Brecqhou"}, headers=auth(reader)
    )
    assert response.status == 201
    report = await response.json()

    response = await client.get(f"/listings/{listing['id']}")
    assert response.status == 200
    page = await response.text()
    assert "<h2>Ratings</h2>" in page
    assert "from 1 rating " in page
    assert 'aria-label="4.0 out of 5"' in page
    assert "Quick &lt;b&gt;setup&lt;/b&gt;." in page
    assert "<h2>Experience reports</h2>" in page
    assert f'<a href="/reports/{report["id"]}">Pilot &lt;in&gt; Brecqhou</a>' in page
    assert "recommends it" in page


async def test_the_reports_api_takes_a_listing_by_its_iri(
    client: TestClient, node: Node, token: str
) -> None:
    listing = await publish(client, token)
    reader = await other_org(node)
    by_iri = f"/api/v1/listings/{quote(listing['iri'], safe='')}/reports"
    response = await client.post(by_iri, json=REPORT, headers=auth(reader))
    assert response.status == 201, await response.text()
    posted = await response.json()
    by_id = await (await client.get(f"/api/v1/listings/{listing['id']}/reports")).json()
    assert [r["id"] for r in by_id["items"]] == [posted["id"]]
    assert await (await client.get(by_iri)).json() == by_id

    # A federated listing by its origin IRI.
    async with node.uow() as tx:
        org = await tx.organisations.get_by_handle("brecqhou")
        assert org is not None
        await tx.follows.save(
            Follow("f1", "out", org.id, REMOTE_AUTHOR, "accepted", "https://x/a/1", 1.0, 1.0)
        )
    now = node.clock.now()
    copy = await store_remote_listing(
        node.uow,
        node.clock,
        facts(name="Forms", repo="https://github.com/b/forms"),
        Provenance(REMOTE, REMOTE_AUTHOR, "b.example", now, REMOTE_AUTHOR),
        now,
    )
    assert copy is not None
    remote_path = f"/api/v1/listings/{quote(REMOTE, safe='')}/reports"
    response = await client.post(remote_path, json=REPORT, headers=auth(reader))
    assert response.status == 201, await response.text()
    assert (await response.json())["listing"] == copy.id
    listed = await (await client.get(remote_path)).json()
    assert len(listed["items"]) == 1
    unknown = f"/api/v1/listings/{quote('https://c.example/listings/9', safe='')}/reports"
    response = await client.get(unknown)
    assert response.status == 404
    assert response.content_type == "application/problem+json"
