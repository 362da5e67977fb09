"""The reports API: 201 with Location, RFC 9457 problems naming the field, author-only changes,
helpful marks once per organisation, flags and the operator-only moderation queue."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from commonsnode.report_events import REPORT_EVENT_JOB
from commonsnode.usecases.organisations import create_organisation, create_token
from tests.web.test_listings_api import auth, publish
from web.app import Node

REPORT: dict[str, Any] = {
    "title": "Our pilot",
    "narrative": "It **worked** <script>alert(1)</script> [x](javascript:alert(1))",
    "organisation_kind": "local-government",
    "organisation_size": "10-49",
    "country": "IT",
    "hosting": "self-hosted",
    "start_date": "2024-02-01",
    "outcome": "pilot",
    "would_recommend": True,
    "one_time_cost": {"amount": 50_000, "currency": "EUR"},
}


async def other_org(node: Node, handle: str = "brecqhou", *, operator: bool = False) -> str:
    await create_organisation(node.uow, node.clock, handle=handle, name="B", kind="government")
    return await create_token(node.uow, node.clock, handle=handle, operator=operator)


async def post_report(client: TestClient, token: str, listing_id: str) -> dict[str, Any]:
    response = await client.post(
        f"/api/v1/listings/{listing_id}/reports", json=REPORT, headers=auth(token)
    )
    assert response.status == 201, await response.text()
    assert response.headers["Location"] == f"/api/v1/reports/{(await response.json())['id']}"
    return await response.json()  # type: ignore[no-any-return]


async def test_publish_read_list_change_delete(client: TestClient, node: Node, token: str) -> None:
    listing = await publish(client, token)
    report = await post_report(client, token, listing["id"])
    second = await post_report(client, token, listing["id"])  # several reports are allowed
    assert report["author"] == "http://127.0.0.1:8080/orgs/alderney"
    assert report["iri"] == f"http://127.0.0.1:8080/reports/{report['id']}"
    assert "<strong>worked</strong>" in report["narrative_html"]
    assert "<script" not in report["narrative_html"]
    assert "href" not in report["narrative_html"]
    jobs = [job.kind for job in await node.queue.claim("t", 10, 60)]
    assert jobs.count(REPORT_EVENT_JOB) == 2

    response = await client.get(f"/api/v1/listings/{listing['id']}/reports")
    assert [r["id"] for r in (await response.json())["items"]] == [second["id"], report["id"]]

    path = f"/api/v1/reports/{report['id']}"
    response = await client.patch(path, json={"would_recommend": False}, headers=auth(token))
    assert response.status == 200
    assert (await response.json())["would_recommend"] is False

    other = await other_org(node)
    response = await client.patch(path, json={"title": "Mine now"}, headers=auth(other))
    assert response.status == 403
    assert response.content_type == "application/problem+json"
    response = await client.delete(path, headers=auth(other))
    assert response.status == 403

    response = await client.delete(path, headers=auth(token))
    assert response.status == 204
    response = await client.get(path)
    assert response.status == 404
    response = await client.get(f"/reports/{report['id']}", headers={"Accept": "text/html"})
    assert response.status == 404


async def test_bad_reports_are_problems_naming_the_field(
    client: TestClient, node: Node, token: str
) -> None:
    listing = await publish(client, token)
    path = f"/api/v1/listings/{listing['id']}/reports"
    for change, field in (
        ({"country": "Narnia"}, "country"),
        ({"one_time_cost": {"amount": 12.5, "currency": "EUR"}}, "one_time_cost"),
        ({"one_time_cost": {"amount": 1250, "currency": "XYZ"}}, "one_time_cost"),
        ({"hosting": "cloud"}, "hosting"),
        ({"start_date": "yesterday"}, "start_date"),
        ({"title": ""}, "title"),
        ({"colour": "blue"}, "colour"),
    ):
        response = await client.post(path, json={**REPORT, **change}, headers=auth(token))
        assert response.status == 422, change
        problem = await response.json()
        assert response.content_type == "application/problem+json"
        assert problem["errors"][0]["field"] == field
    response = await client.post(path, json=REPORT)
    assert response.status == 401
    response = await client.post("/api/v1/listings/nope/reports", json=REPORT, headers=auth(token))
    assert response.status == 404
    response = await client.post(path, data="x", headers=auth(token))
    assert response.status == 415
    response = await client.get(f"/api/v1/listings/{listing['id']}/reports")
    assert (await response.json())["items"] == []


async def test_helpful_once_per_organisation_and_undone(
    client: TestClient, node: Node, token: str
) -> None:
    listing = await publish(client, token)
    report = await post_report(client, token, listing["id"])
    other = await other_org(node)
    path = f"/api/v1/reports/{report['id']}/helpful"
    for _ in range(2):
        response = await client.post(path, headers=auth(other))
        assert (await response.json())["helpful"] == 1
    response = await client.post(path, headers=auth(token))
    assert (await response.json())["helpful"] == 2
    response = await client.delete(path, headers=auth(other))
    assert (await response.json())["helpful"] == 1
    response = await client.get(f"/api/v1/reports/{report['id']}")
    assert (await response.json())["helpful"] == 1
    response = await client.post("/api/v1/reports/nope/helpful", headers=auth(other))
    assert response.status == 404


async def test_flags_and_the_operator_queue(client: TestClient, node: Node, token: str) -> None:
    listing = await publish(client, token)
    report = await post_report(client, token, listing["id"])
    op = await other_org(node, "operator", operator=True)
    response = await client.post(
        "/api/v1/flags", json={"object": report["iri"], "reason": "spam"}, headers=auth(token)
    )
    assert response.status == 201
    flag = await response.json()
    assert (flag["state"], flag["objects"]) == ("open", [report["iri"]])
    for body, field in (({"reason": "x"}, "object"), ({"object": "ftp://x"}, "object")):
        response = await client.post("/api/v1/flags", json=body, headers=auth(token))
        assert response.status == 422
        assert (await response.json())["errors"][0]["field"] == field

    response = await client.get("/api/v1/moderation/flags", headers=auth(token))
    assert response.status == 403
    response = await client.get("/api/v1/moderation/flags?state=open", headers=auth(op))
    assert [f["id"] for f in (await response.json())["items"]] == [flag["id"]]
    path = f"/api/v1/moderation/flags/{flag['id']}"
    response = await client.post(path, json={"decision": "maybe"}, headers=auth(op))
    assert response.status == 422
    response = await client.post(path, json={"decision": "resolved"}, headers=auth(op))
    assert (await response.json())["state"] == "resolved"
    response = await client.post(
        "/api/v1/moderation/flags/nope", json={"decision": "resolved"}, headers=auth(op)
    )
    assert response.status == 404
