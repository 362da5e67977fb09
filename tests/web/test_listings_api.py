"""The listings API: publish (YAML or JSON), every finding on 422, owner-only change, search."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from aiohttp.test_utils import TestClient

from commonsnode.events import LISTING_EVENT_JOB
from commonsnode.publiccode.documents import document_data
from commonsnode.usecases.organisations import create_organisation, create_token
from tests.conftest import SHARED
from web.app import Node

VALID = SHARED / "publiccode" / "v0" / "valid"
INVALID = SHARED / "publiccode" / "v0" / "invalid"
YAML = {"Content-Type": "application/yaml"}


def auth(token: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **headers}


def text_of(name: str, folder: Path = VALID) -> str:
    return (folder / name).read_text(encoding="utf-8")


async def publish(client: TestClient, token: str, name: str = "valid.yml") -> dict[str, Any]:
    response = await client.post(
        "/api/v1/listings", data=text_of(name), headers=auth(token, **YAML)
    )
    assert response.status == 201, await response.text()
    return await response.json()  # type: ignore[no-any-return]


async def event_jobs(node: Node) -> list[str]:
    async with node.db.transaction(readonly=True) as connection:
        rows = await connection.execute(
            sa.text("SELECT payload FROM jobs WHERE kind = :kind ORDER BY id"),
            {"kind": LISTING_EVENT_JOB},
        )
        return [json.loads(row.payload)["change"] for row in rows]


@pytest.fixture
async def other_token(node: Node) -> str:
    await create_organisation(
        node.uow, node.clock, handle="bramble", name="Bramble Town", kind="government"
    )
    return await create_token(node.uow, node.clock, handle="bramble")


async def test_publishing_yaml_answers_201_with_location_and_the_listing(
    client: TestClient, token: str, node: Node
) -> None:
    response = await client.post(
        "/api/v1/listings", data=text_of("valid.yml"), headers=auth(token, **YAML)
    )
    assert response.status == 201
    body = await response.json()
    assert response.headers["Location"] == f"/api/v1/listings/{body['id']}"
    assert body["name"] == "Medusa"
    assert body["repository_key"] == "github.com/italia/developers.italia.it"
    assert body["license"] == "AGPL-3.0-or-later"
    assert body["development_status"] == "development"
    assert body["descriptions"]["en"]["short_description"] == "A really interesting software."
    assert body["publisher"]["handle"] == "alderney"
    assert body["local"] is True
    assert body["provenance"] is None
    assert body["iri"] == f"http://127.0.0.1:8080/listings/{body['id']}"
    assert await event_jobs(node) == ["published"]


async def test_publishing_a_json_document_reads_it_like_the_yaml(
    client: TestClient, token: str
) -> None:
    document = document_data(text_of("valid.minimal.yml"))
    response = await client.post("/api/v1/listings", json=document, headers=auth(token))
    assert response.status == 201, await response.text()
    body = await response.json()
    assert body["descriptions"]["en-GB"]["features"] == ["Just one feature"]
    page = await client.get(f"/listings/{body['id']}", headers={"Accept": "text/html"})
    assert "Medusa" in await page.text()


async def test_publishing_yaml_wrapped_in_json_is_accepted(client: TestClient, token: str) -> None:
    response = await client.post(
        "/api/v1/listings",
        json={"publiccode": text_of("valid.minimal.yml")},
        headers=auth(token),
    )
    assert response.status == 201


async def test_invalid_document_answers_422_with_every_finding_and_stores_nothing(
    client: TestClient, token: str, node: Node
) -> None:
    broken = text_of("valid.yml").replace("AGPL-3.0-or-later", "Not-A-Licence")
    broken = broken.replace("developmentStatus: development", "developmentStatus: finished")
    response = await client.post("/api/v1/listings", data=broken, headers=auth(token, **YAML))
    assert response.status == 422
    assert response.content_type == "application/problem+json"
    problem = await response.json()
    keys = {(e["key"], e["kind"]) for e in problem["errors"]}
    assert {("legal.license", "error"), ("developmentStatus", "error")} <= keys
    for error in problem["errors"]:
        assert min(error["line"], error["column"]) >= 1
        assert error["message"]
    listing = await (await client.get("/api/v1/listings")).json()
    assert listing["items"] == []
    assert await event_jobs(node) == []


async def test_invalid_json_document_places_findings_in_the_body_as_sent(
    client: TestClient, token: str
) -> None:
    document = document_data(text_of("valid.minimal.yml"))
    document["platforms"] = "web"  # a text where a list belongs
    body = json.dumps(document, indent=2)
    response = await client.post(
        "/api/v1/listings", data=body, headers=auth(token, **{"Content-Type": "application/json"})
    )
    assert response.status == 422
    errors = (await response.json())["errors"]
    (error,) = [e for e in errors if "Wrong type" in e["message"]]
    assert error["key"] == "platforms"
    assert body.splitlines()[error["line"] - 1].strip().startswith('"platforms"')


async def test_a_file_from_the_invalid_corpus_is_refused(client: TestClient, token: str) -> None:
    response = await client.post(
        "/api/v1/listings",
        data=text_of("developmentStatus_missing.yml", INVALID),
        headers=auth(token, **YAML),
    )
    assert response.status == 422
    assert "developmentStatus" in {e["key"] for e in (await response.json())["errors"]}


async def test_publishing_needs_a_token_and_a_known_media_type(
    client: TestClient, token: str
) -> None:
    response = await client.post("/api/v1/listings", data=text_of("valid.yml"), headers=YAML)
    assert response.status == 401
    response = await client.post(
        "/api/v1/listings", data="x", headers=auth(token, **{"Content-Type": "text/plain"})
    )
    assert response.status == 415


async def test_the_same_repository_twice_by_one_organisation_is_a_conflict(
    client: TestClient, token: str, other_token: str
) -> None:
    await publish(client, token)
    again = await client.post(
        "/api/v1/listings", data=text_of("valid.yml"), headers=auth(token, **YAML)
    )
    assert again.status == 409
    await publish(client, other_token)  # another organisation may list the same tool


async def test_get_returns_the_listing_and_404_for_an_unknown_id(
    client: TestClient, token: str
) -> None:
    created = await publish(client, token)
    response = await client.get(f"/api/v1/listings/{created['id']}")
    assert response.status == 200
    body = await response.json()
    assert body["name"] == "Medusa"
    assert body["publiccode"].startswith("# This is a valid publiccode.yml")
    missing = await client.get("/api/v1/listings/nope")
    assert missing.status == 404
    assert missing.content_type == "application/problem+json"


async def test_patch_merges_into_the_publiccode_and_federates_an_update(
    client: TestClient, token: str, node: Node
) -> None:
    created = await publish(client, token)
    patch = {"description": {"en": {"shortDescription": "Now shorter and clearer."}}}
    response = await client.patch(
        f"/api/v1/listings/{created['id']}", json=patch, headers=auth(token)
    )
    assert response.status == 200, await response.text()
    body = await response.json()
    assert body["descriptions"]["en"]["short_description"] == "Now shorter and clearer."
    assert body["descriptions"]["en"]["features"][0] == "Very important feature"
    assert await event_jobs(node) == ["published", "updated"]


async def test_patch_with_errors_answers_422_and_changes_nothing(
    client: TestClient, token: str
) -> None:
    created = await publish(client, token)
    response = await client.patch(
        f"/api/v1/listings/{created['id']}",
        json={"legal": {"license": "nope"}, "name": None},
        headers=auth(token),
    )
    assert response.status == 422
    keys = {e["key"] for e in (await response.json())["errors"]}
    assert keys == {"legal.license", "name"}
    unchanged = await (await client.get(f"/api/v1/listings/{created['id']}")).json()
    assert unchanged["license"] == "AGPL-3.0-or-later"


async def test_patch_with_yaml_replaces_the_document(client: TestClient, token: str) -> None:
    created = await publish(client, token)
    response = await client.patch(
        f"/api/v1/listings/{created['id']}",
        data=text_of("valid_spdx_or.yml"),
        headers=auth(token, **YAML),
    )
    assert response.status == 200
    assert (await response.json())["license"] != "AGPL-3.0-or-later"


async def test_another_organisation_may_not_change_or_withdraw_a_listing(
    client: TestClient, token: str, other_token: str, node: Node
) -> None:
    created = await publish(client, token)
    path = f"/api/v1/listings/{created['id']}"
    patched = await client.patch(path, json={"name": "Hijacked"}, headers=auth(other_token))
    assert patched.status == 403
    assert patched.content_type == "application/problem+json"
    deleted = await client.delete(path, headers=auth(other_token))
    assert deleted.status == 403
    body = await (await client.get(path)).json()
    assert (body["name"], body["state"]) == ("Medusa", "published")
    assert await event_jobs(node) == ["published"]


async def test_withdrawal_hides_the_listing_and_federates_a_delete_once(
    client: TestClient, token: str, node: Node
) -> None:
    created = await publish(client, token)
    path = f"/api/v1/listings/{created['id']}"
    assert (await client.delete(path, headers=auth(token))).status == 204
    assert (await client.delete(path, headers=auth(token))).status == 204
    assert (await (await client.get(path)).json())["state"] == "withdrawn"
    assert (await (await client.get("/api/v1/listings")).json())["items"] == []
    changed = await client.patch(path, json={"name": "Back"}, headers=auth(token))
    assert changed.status == 409
    assert await event_jobs(node) == ["published", "withdrawn"]


async def test_search_filters_by_text_and_facets_and_pages(
    client: TestClient, token: str, other_token: str
) -> None:
    full = await publish(client, token, "valid.yml")
    minimal = await publish(client, other_token, "valid.minimal.yml")

    async def names(query: str) -> list[str]:
        response = await client.get(f"/api/v1/listings?{query}")
        assert response.status == 200, await response.text()
        return [item["id"] for item in (await response.json())["items"]]

    assert await names("") == [minimal["id"], full["id"]]
    assert await names("q=really+interesting") == [full["id"]]
    assert await names("q=REALLY") == [full["id"]]
    assert await names("q=nothing-like-this") == []
    assert await names("category=cloud-management") == [minimal["id"], full["id"]]
    assert await names("category=blog") == [full["id"]]
    assert await names("category=blo") == []
    assert await names("license=AGPL-3.0-or-later&development_status=development") == [
        minimal["id"],
        full["id"],
    ]
    assert await names("software_type=library") == []
    assert await names("platform=android") == [full["id"]]
    assert await names("origin=remote") == []
    first = await (await client.get("/api/v1/listings?limit=1")).json()
    assert [item["id"] for item in first["items"]] == [minimal["id"]]
    second = await (await client.get(first["next"])).json()
    assert [item["id"] for item in second["items"]] == [full["id"]]
    assert (await client.get("/api/v1/listings?limit=0")).status == 422


async def test_listing_iri_answers_an_article_to_servers_and_a_page_to_browsers(
    client: TestClient, token: str
) -> None:
    created = await publish(client, token)
    path = f"/listings/{created['id']}"
    response = await client.get(path, headers={"Accept": "application/activity+json"})
    assert response.status == 200
    article = await response.json(content_type=None)
    assert article["type"] == "Article"
    assert article["id"] == created["iri"]
    assert article["attributedTo"] == "http://127.0.0.1:8080/orgs/alderney"
    assert article["repository"] == "https://github.com/italia/developers.italia.it.git"
    assert {"type": "Hashtag", "name": "#CloudManagement"} in article["tag"]
    page = await client.get(path, headers={"Accept": "text/html"})
    assert page.status == 200
    assert "A really interesting software." in await page.text()
    await client.delete(f"/api/v1/listings/{created['id']}", headers=auth(token))
    gone = await client.get(path, headers={"Accept": "application/activity+json"})
    assert gone.status == 410
    assert (await gone.json(content_type=None))["type"] == "Tombstone"
    assert (await client.get(path, headers={"Accept": "text/html"})).status == 410
