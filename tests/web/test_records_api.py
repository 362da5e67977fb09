"""Deployments, support offers and credits through the API: declare, replace, withdraw, refuse."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from aiohttp.test_utils import TestClient

from commonsnode.record_events import RECORD_EVENT_JOB
from commonsnode.usecases.contract_credits import credit_parties
from commonsnode.usecases.organisations import create_organisation, create_token
from tests.conftest import SHARED
from tests.unit.commonsnode.test_contract_documents import CITY, DEV
from tests.unit.commonsnode.test_credit_events import signed
from web.app import Node

VALID = SHARED / "publiccode" / "v0" / "valid"


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def publish(client: TestClient, token: str, name: str = "valid.yml") -> dict[str, Any]:
    response = await client.post(
        "/api/v1/listings",
        data=(VALID / name).read_bytes(),
        headers={**auth(token), "Content-Type": "application/yaml"},
    )
    assert response.status == 201, await response.text()
    return await response.json()  # type: ignore[no-any-return]


async def record_events(node: Node) -> list[tuple[str, str]]:
    async with node.db.transaction(readonly=True) as connection:
        rows = await connection.execute(
            sa.text("SELECT payload FROM jobs WHERE kind = :kind ORDER BY id"),
            {"kind": RECORD_EVENT_JOB},
        )
        return [(p["kind"], p["change"]) for p in (json.loads(r.payload) for r in rows)]


@pytest.fixture
async def acme_token(node: Node) -> str:
    await create_organisation(
        node.uow, node.clock, handle="acme", name="Acme Hosting", kind="support-company"
    )
    return await create_token(node.uow, node.clock, handle="acme")


async def test_a_deployment_is_declared_replaced_listed_and_withdrawn(
    client: TestClient, token: str, node: Node
) -> None:
    listing = await publish(client, token)
    path = f"/api/v1/listings/{listing['id']}/deployments"
    body = {"since": "2021", "purpose": "participatory budgeting", "scale": "40 000 residents"}
    response = await client.post(path, json=body, headers=auth(token))
    assert response.status == 201, await response.text()
    first = await response.json()
    assert (first["since"], first["purpose"]) == ("2021", "participatory budgeting")
    assert first["declarer"]["handle"] == "alderney"
    assert first["source"]["declared_by"] == "itself"
    assert first["iri"] == f"http://127.0.0.1:8080/deployments/{first['id']}"

    response = await client.post(
        path, json={**body, "purpose": "consultations"}, headers=auth(token)
    )
    assert response.status == 200
    assert (await response.json())["id"] == first["id"]

    listed = await (await client.get(path)).json()
    assert listed["total"] == 1
    assert listed["items"][0]["purpose"] == "consultations"
    by_iri = f"/api/v1/listings/{quote(listing['iri'], safe='')}/deployments"
    assert await (await client.get(by_iri)).json() == listed
    one = await (await client.get(f"/api/v1/listings/{listing['id']}")).json()
    assert (one["deployments_count"], one["support_offers_count"]) == (1, 0)

    assert (await client.delete(path, headers=auth(token))).status == 204
    assert (await (await client.get(path)).json())["total"] == 0
    assert (await client.delete(path, headers=auth(token))).status == 404
    assert await record_events(node) == [
        ("deployment", "declared"),
        ("deployment", "updated"),
        ("deployment", "withdrawn"),
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"purpose": "x"}, "since"),
        ({"since": "2999-01-01", "purpose": "x"}, "since"),
        ({"since": "2021-13", "purpose": "x"}, "since"),
        ({"since": "2021"}, "purpose"),
        ({"since": "2021", "purpose": "x", "colour": "red"}, "colour"),
    ],
)
async def test_a_bad_deployment_is_a_422_naming_the_field_and_stores_nothing(
    client: TestClient, token: str, node: Node, body: dict[str, Any], field: str
) -> None:
    listing = await publish(client, token)
    path = f"/api/v1/listings/{listing['id']}/deployments"
    response = await client.post(path, json=body, headers=auth(token))
    assert response.status == 422
    assert response.content_type == "application/problem+json"
    problem = await response.json()
    assert problem["errors"][0]["field"] == field
    assert (await (await client.get(path)).json())["total"] == 0
    assert await record_events(node) == []


async def test_unknown_listing_is_404_and_no_token_is_401(client: TestClient, token: str) -> None:
    path = "/api/v1/listings/nope/deployments"
    body = {"since": "2021", "purpose": "x"}
    assert (await client.post(path, json=body, headers=auth(token))).status == 404
    assert (await client.get(path)).status == 404
    assert (await client.post(path, json=body)).status == 401


async def test_only_support_companies_and_developers_offer_support(
    client: TestClient, token: str, acme_token: str
) -> None:
    listing = await publish(client, token)
    path = f"/api/v1/listings/{listing['id']}/support-offers"
    offer = {
        "services": ["hosting", "training"],
        "regions": ["it", "DE-BY"],
        "languages": ["it", "de"],
        "contact_url": "https://acme.example/decidim",
        "price_hint": "from 80 EUR/h",
    }
    refused = await client.post(path, json=offer, headers=auth(token))
    assert refused.status == 403
    assert refused.content_type == "application/problem+json"
    assert "support-company" in (await refused.json())["detail"]

    response = await client.post(path, json=offer, headers=auth(acme_token))
    assert response.status == 201, await response.text()
    made = await response.json()
    assert made["regions"] == ["IT", "DE-BY"]
    assert made["services"] == ["hosting", "training"]
    bad = await client.post(path, json={**offer, "services": ["cooking"]}, headers=auth(acme_token))
    assert bad.status == 422
    assert (await bad.json())["errors"][0]["field"] == "services"
    listed = await (await client.get(path)).json()
    assert [i["declarer"]["name"] for i in listed["items"]] == ["Acme Hosting"]


async def test_credits_come_from_the_listing_and_from_contracts(
    client: TestClient, token: str, node: Node
) -> None:
    listing = await publish(client, token, "valid_with_fundedBy.yml")
    one = await (await client.get(f"/api/v1/listings/{listing['id']}")).json()
    funders = [c for c in one["credits"] if c["role"] == "funder"]
    assert funders == [
        {
            "role": "funder",
            "party": {
                "name": "http://example.org/my-organisation",
                "iri": "http://example.org/my-organisation",
            },
            "source": "publiccode",
            "source_ref": None,
            "listing": listing["id"],
        }
    ]

    contract = signed()
    async with node.uow() as tx:
        held = await tx.listings.get_by_id(listing["id"])
        assert held is not None
        await credit_parties(tx, held, contract, node.clock.now())
    one = await (await client.get(f"/api/v1/listings/{listing['id']}")).json()
    built = [c for c in one["credits"] if c["source"] == "contract"]
    assert built == [
        {
            "role": role,
            "party": {"name": name, "iri": iri},
            "source": "contract",
            "source_ref": contract.id,
            "listing": listing["id"],
        }
        for role, name, iri in (("funder", "City", CITY), ("builder", "Dev", DEV))
    ]
    # Changing the listing re-derives its declared credits and keeps the contract's.
    patch = {"fundedBy": []}
    response = await client.patch(
        f"/api/v1/listings/{listing['id']}",
        json=patch,
        headers={**auth(token), "Content-Type": "application/merge-patch+json"},
    )
    assert response.status == 200, await response.text()
    one = await (await client.get(f"/api/v1/listings/{listing['id']}")).json()
    assert [c for c in one["credits"] if c["source"] == "publiccode"] == []
    assert [c for c in one["credits"] if c["source"] == "contract"] == built
