"""The commission API on one node: the whole story from request to paid contract, and every
refusal with its reason (RFC 9457)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from commonsnode.clock import FixedClock
from commonsnode.keys import generate_ed25519
from commonsnode.model.dates import parse_instant
from commonsnode.usecases.contracts import credits_for_listing
from commonsnode.usecases.organisations import (
    create_organisation,
    create_token,
    ensure_instance_keys,
)
from tests.conftest import SHARED
from tests.databases import upgrade
from tests.keys import TEST_KEYS
from tests.unit.commonsnode.test_ocds_export import errors as ocds_errors
from tests.web.conftest import node_config
from web.app import Node, build_node, create_app

ORIGIN = "http://127.0.0.1:8080"
T0 = parse_instant("2027-02-01T09:00:00Z", "t0")
DEADLINE = "2027-03-01"
AFTER_DEADLINE = parse_instant("2027-03-02T08:00:00Z", "t") - T0
CITY, DEV, HELP, OTHER = (f"{ORIGIN}/orgs/{h}" for h in ("city", "dev", "help", "other"))


def eur(amount: int) -> dict[str, Any]:
    return {"amount": amount, "currency": "EUR"}


def request_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "change",
        "listing": "https://127.0.0.1:8080/listings/medusa",
        "title": "Accessible forms for Medusa",
        "description": "Make every form in Medusa meet WCAG 2.1 AA.",
        "requirements": ["EUPL-1.2", "upstreamed"],
        "budget": {"min": eur(1_000_000), "max": eur(4_000_000)},
        "deadline": DEADLINE,
        "criteria": {"price": 40, "timeline": 30, "reputation": 20, "approach": 10},
    }
    body.update(changes)
    return body


def bid_body(price: int = 3_000_000, days: int = 90, **changes: Any) -> dict[str, Any]:
    first = price // 3
    body: dict[str, Any] = {
        "price": eur(price),
        "timeline_days": days,
        "approach": "Audit, fix, upstream, test with screen-reader users.",
        "milestones": [
            {"title": "Audit and fixes", "due": "2027-04-15", "amount": eur(first)},
            {"title": "Upstreamed release", "due": "2027-06-01", "amount": eur(price - first)},
        ],
        "team": ["accessibility lead", "developer"],
    }
    body.update(changes)
    return body


@dataclass
class World:
    client: TestClient
    clock: FixedClock
    node: Node
    tokens: dict[str, dict[str, str]]

    async def call(
        self, method: str, path: str, who: str | None, body: Any = None, status: int = 200
    ) -> Any:
        headers = self.tokens[who] if who else {}
        response = await self.client.request(method, path, json=body, headers=headers)
        payload = await response.json(content_type=None)
        assert response.status == status, payload
        if status >= 400:
            assert response.content_type == "application/problem+json"
            assert payload["status"] == status
            assert payload["detail"]
        return payload


@pytest.fixture
async def world(tmp_path: Path, db_url: str) -> AsyncIterator[World]:
    clock = FixedClock(T0)
    node = build_node(node_config(tmp_path, db_url, commissions={"fee_basis_points": 250}), clock)
    await upgrade(node.db)
    # Started as `serve` starts it: completing a contract about another node's listing tells
    # that node (signed), and the instance actor signs the fetch of its publisher.
    await ensure_instance_keys(node.uow)
    await node.federation.start()
    tokens = {}
    for handle, name, kind in (
        ("city", "City of Alderney", "government"),
        ("dev", "Dev Co-op", "developer"),
        ("help", "Help Ltd", "support-company"),
        ("other", "Other Town", "government"),
    ):
        await create_organisation(
            node.uow,
            clock,
            handle=handle,
            name=name,
            kind=kind,
            keys=(TEST_KEYS[0], generate_ed25519()),
        )
        token = await create_token(node.uow, clock, handle=handle)
        tokens[handle] = {"Authorization": f"Bearer {token}"}
    try:
        async with TestClient(TestServer(create_app(node))) as client:
            yield World(client, clock, node, tokens)
    finally:
        await node.close()


async def awarded_contract(world: World, **request_changes: Any) -> tuple[str, str, str]:
    """A request with two bids, awarded to dev: (request id, winning bid id, contract id)."""
    request = await world.call(
        "POST", "/api/v1/requests", "city", request_body(**request_changes), 201
    )
    win = await world.call("POST", f"/api/v1/requests/{request['id']}/bids", "dev", bid_body(), 201)
    await world.call(
        "POST", f"/api/v1/requests/{request['id']}/bids", "help", bid_body(3_600_000, 80), 201
    )
    world.clock.advance(AFTER_DEADLINE)
    contract = await world.call(
        "POST", f"/api/v1/requests/{request['id']}/award", "city", {"bid": win["id"]}, 201
    )
    return request["id"], win["id"], contract["id"]


async def test_the_whole_single_node_story(world: World) -> None:
    # The municipality posts a directed request to two local organisations (acct: and IRI).
    request = await world.call(
        "POST",
        "/api/v1/requests",
        "city",
        request_body(recipients=["acct:dev@127.0.0.1:8080", HELP]),
        201,
    )
    rid = request["id"]
    assert request["state"] == "open"
    assert request["visibility"] == "directed"
    assert request["recipients"] == [DEV, HELP]

    # Both bid; bids go to the requester only.
    dev_bid = await world.call("POST", f"/api/v1/requests/{rid}/bids", "dev", bid_body(), 201)
    help_bid = await world.call(
        "POST", f"/api/v1/requests/{rid}/bids", "help", bid_body(3_600_000, 80), 201
    )
    seen_by_dev = await world.call("GET", f"/api/v1/requests/{rid}", "dev")
    assert "bids" not in seen_by_dev
    assert [b["id"] for b in seen_by_dev["my_bids"]] == [dev_bid["id"]]
    await world.call("GET", f"/api/v1/requests/{rid}", "other", status=404)
    await world.call("GET", f"/api/v1/requests/{rid}", None, status=404)

    # The requester marks approaches and sees the bids ranked, each score explained.
    await world.call(
        "POST", f"/api/v1/requests/{rid}/bids/{dev_bid['id']}/mark", "city", {"mark": 8}
    )
    seen = await world.call(
        "POST", f"/api/v1/requests/{rid}/bids/{help_bid['id']}/mark", "city", {"mark": 6}
    )
    assert seen["ranking_complete"] is True
    assert [b["id"] for b in seen["bids"]] == [dev_bid["id"], help_bid["id"]]
    top = seen["bids"][0]
    assert top["rank"] == 1
    assert top["bidder"] == {"id": DEV, "name": "Dev Co-op"}
    assert {p["criterion"] for p in top["score"]} == {"price", "timeline", "reputation", "approach"}
    assert "neutral 0.5" in top["explanation"]
    assert "marked 8/10" in top["explanation"]

    # After the deadline the requester awards dev; the contract awaits both signatures.
    world.clock.advance(AFTER_DEADLINE)
    contract = await world.call(
        "POST", f"/api/v1/requests/{rid}/award", "city", {"bid": dev_bid["id"]}, 201
    )
    cid = contract["id"]
    assert contract["state"] == "awaiting-signatures"
    assert contract["in_force"] is False
    assert contract["document"]["platformFee"]["basisPoints"] == 250
    assert contract["document"]["platformFee"]["operator"] == {
        "id": f"{ORIGIN}/actor",
        "name": "Test node",
    }
    assert contract["document"]["request"] == f"{ORIGIN}/requests/{rid}"
    outcome = await world.call("GET", f"/api/v1/requests/{rid}", "help")
    assert outcome["state"] == "awarded"
    assert outcome["my_bids"][0]["status"] == "not-awarded"

    # Both sign with their Ed25519 keys; one signature is not in force.
    one = await world.call("POST", f"/api/v1/contracts/{cid}/sign", "city")
    assert one["state"] == "awaiting-signatures"
    assert one["in_force"] is False
    assert [(s["role"], s["signed"], s["valid"]) for s in one["signatures"]] == [
        ("buyer", True, True),
        ("supplier", False, False),
    ]
    await world.call("POST", f"/api/v1/contracts/{cid}/milestones/1/deliver", "dev", status=409)
    both = await world.call("POST", f"/api/v1/contracts/{cid}/sign", "dev")
    assert both["state"] == "signed"
    assert both["in_force"] is True
    assert all(s["valid"] for s in both["signatures"])
    assert both["signatures"][1]["proof"]["verificationMethod"] == f"{DEV}#ed25519-key"
    listed = await world.call("GET", "/api/v1/contracts", "dev")
    assert [c["id"] for c in listed["items"]] == [cid]
    assert (await world.call("GET", "/api/v1/contracts", "help"))["items"] == []

    # Dev delivers two milestones, the city accepts them; the contract completes.
    for n in (1, 2):
        delivered = await world.call(
            "POST", f"/api/v1/contracts/{cid}/milestones/{n}/deliver", "dev"
        )
        assert delivered["milestones"][n - 1]["state"] == "delivered"
        await world.call("POST", f"/api/v1/contracts/{cid}/milestones/{n}/accept", "city")
    done = await world.call("GET", f"/api/v1/contracts/{cid}", "city")
    assert done["state"] == "completed"
    assert done["credit"]["text"] == "commissioned by City of Alderney, built by Dev Co-op"
    credits = await credits_for_listing(world.node.uow, request_body()["listing"])
    assert [c.built_by.id for c in credits] == [DEV]

    # Two payments with the 2.5 % fee; the same payment again changes nothing.
    first = {"milestone": 1, "amount": eur(1_000_000), "date": "2027-04-20", "reference": "TX-1"}
    paid = await world.call("POST", f"/api/v1/contracts/{cid}/payments", "city", first, 201)
    assert paid["recorded"] is True
    assert paid["fee"] == eur(25_000)
    again = await world.call("POST", f"/api/v1/contracts/{cid}/payments", "city", first, 200)
    assert again["recorded"] is False
    assert again["entry"] == paid["entry"]
    second = {"milestone": "2", "amount": eur(2_000_000), "date": "2027-06-05", "reference": "TX-2"}
    await world.call("POST", f"/api/v1/contracts/{cid}/payments", "city", second, 201)
    ledger = await world.call("GET", f"/api/v1/contracts/{cid}/ledger", "dev")
    assert ledger == await world.call("GET", f"/api/v1/contracts/{cid}/ledger", "city")
    assert ledger["balanced"] is True
    assert len(ledger["entries"]) == 2
    assert {b["account"]: b["amount"]["amount"] for b in ledger["balances"]} == {
        CITY: -3_000_000,
        DEV: 2_925_000,
        f"{ORIGIN}/actor": 75_000,
    }

    # The open data validates against the OCDS 1.1.5 release-package schema, for anybody
    # who may see the request.
    package = await world.call("GET", f"/api/v1/requests/{rid}/ocds", "other", status=404)
    package = await world.call("GET", f"/api/v1/requests/{rid}/ocds", "help")
    assert ocds_errors(package) == []
    release = package["releases"][0]
    assert release["ocid"] == f"ocds-commons-{rid}"
    assert {s["id"] for s in release["contracts"][0]["signatories"]} == {CITY, DEV}
    assert [t["id"] for t in release["contracts"][0]["implementation"]["transactions"]] == [
        "TX-1",
        "TX-2",
    ]
    assert release["contracts"][0]["status"] == "terminated"


async def test_public_requests_are_open_data_and_drafts_are_private(world: World) -> None:
    draft = await world.call("POST", "/api/v1/requests", "city", request_body(draft=True), 201)
    assert draft["state"] == "draft"
    await world.call("GET", f"/api/v1/requests/{draft['id']}", "dev", status=404)
    await world.call("POST", f"/api/v1/requests/{draft['id']}/bids", "dev", bid_body(), 404)
    await world.call("GET", f"/api/v1/requests/{draft['id']}/ocds", "city", status=409)
    board = await world.call("GET", "/api/v1/requests", None)
    assert board["items"] == []
    await world.call("POST", f"/api/v1/requests/{draft['id']}/publish", "dev", status=404)
    published = await world.call("POST", f"/api/v1/requests/{draft['id']}/publish", "city")
    assert published["state"] == "open"
    assert published["actions"] == ["close", "cancel"]
    board = await world.call("GET", "/api/v1/requests", None)
    assert [r["id"] for r in board["items"]] == [draft["id"]]
    await world.call("POST", f"/api/v1/requests/{draft['id']}/bids", "dev", bid_body(), 201)
    package = await world.call("GET", f"/api/v1/requests/{draft['id']}/ocds", None)
    assert ocds_errors(package) == []
    assert "details" not in package["releases"][0]["bids"]  # prices stay private until award


def in_usd(body: dict[str, Any]) -> None:
    for money in (body["price"], *(m["amount"] for m in body["milestones"])):
        money["currency"] = "USD"


def float_price(body: dict[str, Any]) -> None:
    body["price"]["amount"] = 30_000.0


def no_days(body: dict[str, Any]) -> None:
    body["timeline_days"] = 0


def own(body: dict[str, Any]) -> None:
    pass


@pytest.mark.parametrize(
    ("who", "change", "status", "reason"),
    [
        ("city", own, 403, "cannot bid on its own request"),
        ("dev", in_usd, 422, "budgeted in EUR, not USD"),
        ("dev", float_price, 422, "integer number of minor units"),
        ("dev", no_days, 422, "timeline_days"),
    ],
)
async def test_bids_refused_with_the_reason(
    world: World, who: str, change: Any, status: int, reason: str
) -> None:
    request = await world.call("POST", "/api/v1/requests", "city", request_body(), 201)
    body = bid_body()
    change(body)
    problem = await world.call("POST", f"/api/v1/requests/{request['id']}/bids", who, body, status)
    assert reason in problem["detail"]


async def test_late_closed_and_uninvited_bids_are_refused(world: World) -> None:
    directed = await world.call(
        "POST", "/api/v1/requests", "city", request_body(recipients=[DEV]), 201
    )
    uninvited = await world.call(
        "POST", f"/api/v1/requests/{directed['id']}/bids", "help", bid_body(), 403
    )
    assert uninvited["title"] == "Bid refused: not invited"
    public = await world.call("POST", "/api/v1/requests", "city", request_body(), 201)
    world.clock.advance(AFTER_DEADLINE)
    late = await world.call("POST", f"/api/v1/requests/{public['id']}/bids", "dev", bid_body(), 409)
    assert late["title"] == "Bid refused: too late"
    await world.call("POST", f"/api/v1/requests/{public['id']}/close", "city")
    closed = await world.call(
        "POST", f"/api/v1/requests/{public['id']}/bids", "dev", bid_body(), 409
    )
    assert closed["title"] == "Bid refused: request not open"
    assert "evaluating" in closed["detail"]


async def test_request_and_award_refusals(world: World) -> None:
    await world.call("POST", "/api/v1/requests", None, request_body(), 401)
    bad = await world.call(
        "POST", "/api/v1/requests", "city", request_body(budget={"min": eur(5), "max": eur(1)}), 422
    )
    assert bad["errors"][0]["field"] == "budget"
    for recipient, why in (
        ("acct:nobody@127.0.0.1:8080", "no organisation"),
        (f"{ORIGIN}/orgs/ghost", "not an organisation"),
        ("dev", "neither an actor IRI"),
    ):
        problem = await world.call(
            "POST", "/api/v1/requests", "city", request_body(recipients=[recipient]), 422
        )
        assert why in problem["detail"]
    await world.call("POST", "/api/v1/requests", "city", request_body(deadline="2027-01-01"), 409)
    await world.call("POST", "/api/v1/requests", "city", request_body(surprise=1), 422)
    unknown = await world.call(
        "POST", "/api/v1/requests", "city", request_body(listing="no-such-id"), 422
    )
    assert "no listing" in unknown["detail"]

    request = await world.call("POST", "/api/v1/requests", "city", request_body(), 201)
    rid = request["id"]
    bid = await world.call("POST", f"/api/v1/requests/{rid}/bids", "dev", bid_body(), 201)
    early = await world.call(
        "POST", f"/api/v1/requests/{rid}/award", "city", {"bid": bid["id"]}, 409
    )
    assert "deadline" in early["detail"]
    await world.call("POST", f"/api/v1/requests/{rid}/close", "city", status=409)
    world.clock.advance(AFTER_DEADLINE)
    await world.call("POST", f"/api/v1/requests/{rid}/award", "dev", {"bid": bid["id"]}, 403)
    await world.call("POST", f"/api/v1/requests/{rid}/award", "city", {"bid": "nope"}, 422)
    await world.call("POST", f"/api/v1/requests/{rid}/award", "city", {}, 422)
    await world.call("POST", f"/api/v1/requests/{rid}/award", "city", {"bid": bid["id"]}, 201)
    again = await world.call(
        "POST", f"/api/v1/requests/{rid}/award", "city", {"bid": bid["id"]}, 409
    )
    assert "awarded" in again["detail"]
    await world.call("POST", f"/api/v1/requests/{rid}/cancel", "city", status=409)


async def test_contract_refusals(world: World) -> None:
    _, _, cid = await awarded_contract(world)
    await world.call("GET", f"/api/v1/contracts/{cid}", "help", status=403)
    await world.call("POST", f"/api/v1/contracts/{cid}/sign", "help", status=403)
    await world.call("GET", "/api/v1/contracts/missing", "city", status=404)
    # A proof that is not the party's own does not verify.
    forged = await world.call("POST", f"/api/v1/contracts/{cid}/sign", "dev", status=200)
    proof = forged["signatures"][1]["proof"]
    problem = await world.call(
        "POST", f"/api/v1/contracts/{cid}/sign", "city", {"proof": proof}, 422
    )
    assert "does not verify" in problem["detail"]
    pay = {"milestone": 1, "amount": eur(1_000_000), "date": "2027-04-20", "reference": "A"}
    not_in_force = await world.call("POST", f"/api/v1/contracts/{cid}/payments", "city", pay, 409)
    assert "takes no payments" in not_in_force["detail"]
    signed = await world.call("POST", f"/api/v1/contracts/{cid}/sign", "city")
    world.clock.advance(60)
    again = await world.call("POST", f"/api/v1/contracts/{cid}/sign", "city")  # a no-op
    assert again["signatures"] == signed["signatures"]

    await world.call("POST", f"/api/v1/contracts/{cid}/milestones/1/accept", "city", status=409)
    await world.call("POST", f"/api/v1/contracts/{cid}/milestones/1/deliver", "city", status=403)
    await world.call("POST", f"/api/v1/contracts/{cid}/milestones/9/deliver", "dev", status=422)
    await world.call("POST", f"/api/v1/contracts/{cid}/payments", "dev", pay, 403)
    usd = {**pay, "amount": {"amount": 1_000_000, "currency": "USD"}}
    wrong = await world.call("POST", f"/api/v1/contracts/{cid}/payments", "city", usd, 422)
    assert "EUR" in wrong["detail"]
    await world.call("POST", f"/api/v1/contracts/{cid}/payments", "city", pay, 201)
    changed = {**pay, "amount": eur(500)}
    clash = await world.call("POST", f"/api/v1/contracts/{cid}/payments", "city", changed, 409)
    assert "already booked" in clash["detail"]
    over = {**pay, "reference": "B"}
    too_much = await world.call("POST", f"/api/v1/contracts/{cid}/payments", "city", over, 409)
    assert "at most" in too_much["detail"]
    await world.call("GET", f"/api/v1/contracts/{cid}/ledger", "help", status=403)
    await world.call("POST", f"/api/v1/contracts/{cid}/dispute", "dev", {}, 422)
    disputed = await world.call(
        "POST", f"/api/v1/contracts/{cid}/dispute", "dev", {"reason": "unpaid"}
    )
    assert disputed["state"] == "disputed"


async def test_a_dispute_is_withdrawn_by_its_author_or_ends_in_termination(
    world: World,
) -> None:
    rid, _, cid = await awarded_contract(world)
    await world.call("POST", f"/api/v1/contracts/{cid}/sign", "dev")
    await world.call("POST", f"/api/v1/contracts/{cid}/sign", "city")
    await world.call("POST", f"/api/v1/contracts/{cid}/start", "dev")
    url = f"/api/v1/contracts/{cid}"
    not_yet = await world.call("POST", f"{url}/withdraw-dispute", "dev", status=409)
    assert "in-progress" in not_yet["detail"]
    await world.call("POST", f"{url}/terminate", "dev", {"reason": "x"}, 409)
    disputed = await world.call("POST", f"{url}/dispute", "dev", {"reason": "unpaid"})
    assert (disputed["state"], disputed["disputed_by"]) == ("disputed", DEV)
    refused = await world.call("POST", f"{url}/withdraw-dispute", "city", status=403)
    assert "raised the dispute" in refused["detail"]
    await world.call("POST", f"{url}/withdraw-dispute", "help", status=403)
    back = await world.call("POST", f"{url}/withdraw-dispute", "dev")
    assert (back["state"], back["dispute_reason"], back["disputed_by"]) == (
        "in-progress",
        None,
        None,
    )

    await world.call("POST", f"{url}/dispute", "city", {"reason": "late"})
    await world.call("POST", f"{url}/terminate", "city", {}, 422)
    await world.call("POST", f"{url}/terminate", "help", {"reason": "x"}, 403)
    ended = await world.call("POST", f"{url}/terminate", "dev", {"reason": "no agreement"})
    assert (ended["state"], ended["termination_reason"]) == ("terminated", "no agreement")
    assert "credit" not in ended
    await world.call("POST", f"{url}/milestones/1/deliver", "dev", status=409)
    await world.call("POST", f"{url}/withdraw-dispute", "city", status=409)
    pay = {"milestone": 1, "amount": eur(1_000_000), "date": "2027-04-20", "reference": "T"}
    await world.call("POST", f"{url}/payments", "city", pay, 409)
    assert await credits_for_listing(world.node.uow, request_body()["listing"]) == []
    async with world.node.uow(readonly=True) as tx:  # nor any reputation input
        assert (await tx.reputation.sources()).contracts == ()

    package = await world.call("GET", f"/api/v1/requests/{rid}/ocds", "city")
    assert ocds_errors(package) == []
    assert package["releases"][0]["contracts"][0]["status"] == "terminated"


async def test_a_cancelled_request_tells_every_bidder_and_stays_open_data(world: World) -> None:
    request = await world.call("POST", "/api/v1/requests", "city", request_body(), 201)
    rid = request["id"]
    await world.call("POST", f"/api/v1/requests/{rid}/bids", "dev", bid_body(), 201)
    await world.call("POST", f"/api/v1/requests/{rid}/cancel", "dev", {"reason": "x"}, 403)
    cancelled = await world.call(
        "POST", f"/api/v1/requests/{rid}/cancel", "city", {"reason": "budget withdrawn"}
    )
    assert cancelled["state"] == "cancelled"
    assert cancelled["cancel_reason"] == "budget withdrawn"
    seen = await world.call("GET", f"/api/v1/requests/{rid}", "dev")
    assert seen["my_bids"][0]["status"] == "not-awarded"
    package = await world.call("GET", f"/api/v1/requests/{rid}/ocds", None)
    assert ocds_errors(package) == []
    assert "tenderCancellation" in package["releases"][0]["tag"]
    board = await world.call("GET", "/api/v1/requests?state=cancelled", "other")
    assert [r["id"] for r in board["items"]] == [rid]
    assert (await world.call("GET", "/api/v1/requests?state=open", "other"))["items"] == []
    await world.call("GET", "/api/v1/requests?state=bogus", None, status=422)


async def test_a_listing_named_by_its_id_is_stored_as_its_iri(world: World) -> None:
    yaml = (SHARED / "publiccode" / "v0" / "valid" / "valid.yml").read_text("utf-8")
    response = await world.client.post(
        "/api/v1/listings",
        data=yaml,
        headers={**world.tokens["dev"], "Content-Type": "application/yaml"},
    )
    assert response.status == 201
    listing = await response.json()
    request = await world.call(
        "POST", "/api/v1/requests", "city", request_body(listing=listing["id"]), 201
    )
    assert request["listing"] == f"{ORIGIN}/listings/{listing['id']}"


async def test_the_board_api_filters_by_kind_and_audience(world: World) -> None:
    support = request_body(kind="support", title="Hosting")
    ids = [(await world.call("POST", "/api/v1/requests", "city", support, 201))["id"]]
    directed = request_body(kind="support", title="Directed hosting", recipients=[HELP])
    world.clock.advance(1)  # ids are time-ordered: newest first is then well defined
    ids.append((await world.call("POST", "/api/v1/requests", "city", directed, 201))["id"])
    for number in range(12):
        world.clock.advance(1)
        await world.call("POST", "/api/v1/requests", "city", request_body(title=f"{number}"), 201)

    async def listed(query: str, who: str | None = None) -> list[str]:
        found = await world.call("GET", f"/api/v1/requests?{query}", who)
        assert "next" not in found
        return [item["id"] for item in found["items"]]

    assert await listed("kind=support", "help") == ids[::-1]
    assert await listed("kind=support") == ids[:1]
    assert await listed("kind=support&audience=directed", "help") == ids[1:]
    assert await listed("audience=directed", "dev") == []
    assert len(await listed("kind=change&audience=public&state=open", "help")) == 12
    for bad, field in (("kind=bogus", "kind"), ("audience=everyone", "audience")):
        refused = await world.call("GET", f"/api/v1/requests?{bad}", None, status=422)
        assert refused["detail"].startswith(f"{field}: one of")
