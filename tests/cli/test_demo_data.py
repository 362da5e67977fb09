"""The demo catalog (`make run`): real tools, publishers of every kind, every file clean; and
its commissions: an open request with ranked bids, a paid contract in progress, a completed one
that credits its tool."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from commonsnode.clock import OffsetClock
from commonsnode.demo import (
    DEMO_LISTINGS,
    DEMO_ORGANISATIONS,
    demo_file,
    demo_listings,
    seed_demo,
)
from commonsnode.demo_commissions import DAY, DEMO_COMMISSIONS
from commonsnode.model.dates import parse_instant
from commonsnode.model.listings import ListingFacts, facts_from_publiccode, repository_key
from commonsnode.publiccode import parse_publiccode
from commonsnode.publiccode.vocabulary import LATEST_VERSION
from commonsnode.usecases.organisations import create_token, ensure_instance_keys
from tests.databases import upgrade
from tests.web.conftest import node_config
from web.app import Node, build_node, create_app, demo_commissions

DEMO_FILES = sorted(
    entry.name for entry in files("commonsnode.demo_data").iterdir() if entry.name.endswith(".yml")
)


def facts(name: str) -> ListingFacts:
    result = parse_publiccode(demo_file(name))
    assert result.listing is not None, result.findings
    return facts_from_publiccode(result.listing)


@pytest.mark.parametrize("name", DEMO_FILES)
def test_every_demo_file_parses_without_any_finding(name: str) -> None:
    result = parse_publiccode(demo_file(name))
    assert result.findings == (), [
        f"{f.line}:{f.column} {f.key}: {f.message}" for f in result.findings
    ]
    assert result.listing is not None
    assert result.listing.publiccode_yml_version == LATEST_VERSION
    assert result.listing.url.startswith("https://")


def test_every_demo_file_is_published_by_a_demo_organisation() -> None:
    handles = {handle for handle, *_ in DEMO_ORGANISATIONS}
    assert {handle for handle, _ in DEMO_LISTINGS} == handles  # nobody is left empty
    assert {name for _, name in DEMO_LISTINGS} == set(DEMO_FILES)  # no file is left out
    assert len(set(DEMO_LISTINGS)) == len(DEMO_LISTINGS)
    assert len(demo_listings()) == len(DEMO_LISTINGS)


def test_the_demo_catalog_is_varied() -> None:
    by_file = {name: facts(name) for name in DEMO_FILES}
    tools = Counter(repository_key(by_file[name].repository) for _, name in DEMO_LISTINGS)
    assert len(tools) >= 8
    shared = [key for key, listings in tools.items() if listings > 1]
    assert "github.com/decidim/decidim" in shared  # one tool, many listings
    assert len({x.name for x in by_file.values()}) >= 8
    assert len({x.license for x in by_file.values()}) >= 4
    assert len({x.development_status for x in by_file.values()}) >= 2
    assert len({x.software_type for x in by_file.values()}) >= 2
    assert len({c for x in by_file.values() for c in x.categories}) >= 15
    assert {"web", "windows", "linux", "mac"} <= {p for x in by_file.values() for p in x.platforms}
    multilingual = [x for x in by_file.values() if len(x.descriptions) >= 2]
    assert len(multilingual) >= 5
    assert len({d.language for x in by_file.values() for d in x.descriptions}) >= 5
    assert sum(1 for x in by_file.values() if x.used_by) >= 8
    kinds = {kind for _, _, kind, _ in DEMO_ORGANISATIONS}
    assert kinds == {"government", "civil-society", "developer", "support-company"}


@pytest.fixture
async def demo(tmp_path: Path, db_url: str) -> AsyncIterator[tuple[Node, TestClient]]:
    """A node seeded as `commonsnode demo` seeds it, twice over (the demo is idempotent)."""
    node = build_node(node_config(tmp_path, db_url), OffsetClock())
    await upgrade(node.db)
    await ensure_instance_keys(node.uow)
    await node.federation.start()
    try:
        for _ in range(2):
            await seed_demo(node.uow, node.clock, node.federation.iris.org)
            await demo_commissions(node)
        async with TestClient(TestServer(create_app(node))) as client:
            yield node, client
    finally:
        await node.close()


async def call(client: TestClient, path: str, token: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.get(path, headers=headers)
    assert response.status == 200, await response.text()
    return await response.json()


async def test_the_demo_shows_requests_bids_contracts_payments_and_credits(
    demo: tuple[Node, TestClient],
) -> None:
    node, client = demo
    assert node.clock.now() == pytest.approx(time.time(), abs=60)  # back to the present
    tokens = {h: await create_token(node.uow, node.clock, handle=h) for h, *_ in DEMO_ORGANISATIONS}
    iri = node.federation.iris.org
    board = (await call(client, "/api/v1/requests"))["items"]
    by_title = {r["title"]: r for r in board}
    assert len(board) == len(by_title) == len(DEMO_COMMISSIONS)  # each story once
    open_request, in_progress, completed = (by_title[c.title] for c in DEMO_COMMISSIONS)
    assert open_request["state"] == "open"
    assert parse_instant(open_request["deadline"], "deadline") > time.time() + 7 * DAY
    assert in_progress["state"] == completed["state"] == "awarded"
    assert all(r["visibility"] == "public" for r in board)
    page = await (await client.get("/requests")).text()
    assert all(c.title in page for c in DEMO_COMMISSIONS)

    # The requester sees both bids ranked, a developer's and a support company's.
    ranked = await call(client, f"/api/v1/requests/{open_request['id']}", tokens["alderney"])
    assert {b["bidder"]["id"] for b in ranked["bids"]} == {
        iri("civic-code"),
        iri("commons-hosting"),
    }
    assert [b["rank"] for b in ranked["bids"]] == [1, 2]
    assert ranked["ranking_complete"] is True
    assert all(m["due"] > date.today().isoformat() for b in ranked["bids"] for m in b["milestones"])

    # Signed by both, the first milestone accepted and paid, the second due in the future.
    (item,) = (await call(client, "/api/v1/contracts", tokens["digital-ministry"]))["items"]
    contract = await call(client, f"/api/v1/contracts/{item['id']}", tokens["commons-hosting"])
    assert contract["state"] == "in-progress"
    assert contract["in_force"] is True
    assert all(s["valid"] for s in contract["signatures"])
    assert [m["state"] for m in contract["milestones"]] == ["accepted", "pending"]
    assert contract["milestones"][1]["due"] > date.today().isoformat()
    ledger = await call(
        client, f"/api/v1/contracts/{item['id']}/ledger", tokens["digital-ministry"]
    )
    assert ledger["balanced"] is True
    assert len(ledger["entries"]) == 1
    paid = contract["milestones"][0]["amount"]["amount"]
    fee = paid * node.config.commissions.fee_basis_points // 10_000
    assert fee > 0
    assert {b["account"]: b["amount"]["amount"] for b in ledger["balances"]} == {
        iri("digital-ministry"): -paid,
        iri("commons-hosting"): paid - fee,
        f"{node.config.origin}/actor": fee,
    }

    # The completed contract credits the Signalen listing: on the tool page and in the API.
    (done,) = (await call(client, "/api/v1/contracts", tokens["civic-code"]))["items"]
    assert done["state"] == "completed"
    full = await call(client, f"/api/v1/contracts/{done['id']}", tokens["alderney"])
    assert (
        len(
            (await call(client, f"/api/v1/contracts/{done['id']}/ledger", tokens["alderney"]))[
                "entries"
            ]
        )
        == 2
    )
    assert (
        full["credit"]["text"]
        == "commissioned by City of Alderney, built by Civic Code Cooperative"
    )
    tool = await call(client, "/api/v1/tools/github.com/Signalen/backend")
    from_contract = {
        (c["role"], c["party"]["name"]) for c in tool["credits"] if c["source"] == "contract"
    }
    assert from_contract == {("funder", "City of Alderney"), ("builder", "Civic Code Cooperative")}
    html = await (await client.get("/tools/github.com/Signalen/backend")).text()
    assert "Funded by" in html
    assert "(source: a completed contract" in html
