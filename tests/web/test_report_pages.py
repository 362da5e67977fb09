"""Report pages, the reports section of a tool page, and the operator's moderation page."""

from __future__ import annotations

import base64
from typing import Any

from aiohttp.test_utils import TestClient

from commonsnode.model.flags import Flag
from commonsnode.usecases.listings import publish_listing
from commonsnode.usecases.organisations import create_organisation, create_token
from commonsnode.usecases.reports import publish_report
from tests.web.test_listings_api import auth, text_of
from tests.web.test_pages import HTML, get_html
from tests.web.test_reports_api import REPORT
from web.app import Node

NASTY = {**REPORT, "title": "<b>Pilot</b> & more", "summary": '"quoted" <i>'}


async def seed_reports(node: Node) -> dict[str, Any]:
    """A report by a local organisation with a flag about it, for page tests and axe-core."""
    org = await create_organisation(
        node.uow, node.clock, handle="haarlem", name="City of Haarlem", kind="government"
    )
    listing = (await publish_listing(node.uow, node.clock, org, text_of("valid.yml"))).listing
    report = await publish_report(node.uow, node.clock, org, listing.id, NASTY)
    await create_organisation(
        node.uow, node.clock, handle="operator", name="Operator", kind="government"
    )
    token = await create_token(node.uow, node.clock, handle="operator", operator=True)
    async with node.uow() as tx:
        await tx.flags.add(
            Flag(
                "0190a000-0000-7000-8000-000000000001",
                "remote",
                "https://other.example/actor",
                ("https://other.example/orgs/x", f"{node.config.origin}/reports/{report.id}"),
                "Spam <script>",
                "open",
                node.clock.now(),
            )
        )
    return {"listing": listing, "report": report, "operator": token}


def basic(token: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"op:{token}".encode()).decode()}


async def test_the_report_page_and_the_tool_section_escape_everything(
    client: TestClient, node: Node
) -> None:
    data = await seed_reports(node)
    report, listing = data["report"], data["listing"]
    page = await get_html(client, f"/reports/{report.id}")
    assert "<h1>&lt;b&gt;Pilot&lt;/b&gt; &amp; more</h1>" in page
    assert "&quot;quoted&quot; &lt;i&gt;" in page or '"quoted" &lt;i&gt;' in page
    assert "<strong>worked</strong>" in page
    assert "<script" not in page
    assert "EUR 500.00" in page
    assert "0 found this helpful" in page
    tool = await get_html(client, f"/tools/{listing.repository_key}")
    assert "<h2>Experience reports</h2>" in tool
    assert f'href="/reports/{report.id}"' in tool
    await get_html(client, "/reports/unknown", status=404)


async def test_the_report_iri_answers_a_signed_article(client: TestClient, node: Node) -> None:
    data = await seed_reports(node)
    response = await client.get(
        f"/reports/{data['report'].id}", headers={"Accept": "application/activity+json"}
    )
    assert response.status == 200
    article = await response.json(content_type=None)
    assert article["type"] == "Article"
    assert article["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    assert article["inReplyTo"] == f"{node.config.origin}/listings/{data['listing'].id}"


async def test_the_moderation_page_needs_an_operator_and_decides_by_form(
    client: TestClient, node: Node, token: str
) -> None:
    data = await seed_reports(node)
    response = await client.get("/moderation/flags", headers=HTML)
    assert response.status == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    response = await client.get("/moderation/flags", headers={**HTML, **basic(token)})
    assert response.status == 403
    page = await (
        await client.get("/moderation/flags", headers={**HTML, **basic(data["operator"])})
    ).text()
    assert "<h1>Moderation queue</h1>" in page
    assert "Spam &lt;script&gt;" in page
    action = "/moderation/flags/0190a000-0000-7000-8000-000000000001"
    assert f'action="{action}"' in page
    form = {"decision": "dismissed", "note": "fine"}
    response = await client.post(
        action, data=form, headers={**basic(data["operator"]), "Origin": "https://evil.example"}
    )
    assert response.status == 403
    response = await client.post(
        action, data=form, headers=basic(data["operator"]), allow_redirects=False
    )
    assert (response.status, response.headers["Location"]) == (303, "/moderation/flags")
    page = await (
        await client.get(
            "/moderation/flags?state=dismissed", headers={**HTML, **auth(data["operator"])}
        )
    ).text()
    assert "fine" in page
    assert 'action="' + action not in page
