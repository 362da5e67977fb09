"""Commissions across real nodes: a municipality on alpha directs a request to a developer on
beta and a support company on gamma (by acct: handle and IRI); both bid from their own nodes,
alpha awards beta and both bidders are told; refusals travel back with their reason."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import pytest

from federation.contract_delivery import contract_document
from federation.convert.commissions import bid_to_ap
from federation.fetch import FetchBudget, FetchError
from tests.federation.cluster import Cluster, ClusterNode, cluster
from tests.federation.test_listing_story import dead_errors, publish_file, send_as

pytestmark = pytest.mark.cluster

DAY = 86_400.0


def eur(amount: int) -> dict[str, Any]:
    return {"amount": amount, "currency": "EUR"}


def day(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).date().isoformat()


def request_body(c: Cluster, recipients: list[str], **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "new-tool",
        "title": "A permit portal",
        "description": "Citizens apply for building permits online.",
        "requirements": ["EUPL-1.2"],
        "budget": {"min": eur(1_000_000), "max": eur(4_000_000)},
        "deadline": day(c.clock.now() + 10 * DAY),
        "criteria": {"price": 40, "timeline": 30, "reputation": 20, "approach": 10},
        "recipients": recipients,
    }
    body.update(changes)
    return body


def bid_body(c: Cluster, price: int = 3_000_000, days: int = 90) -> dict[str, Any]:
    first = price // 3
    return {
        "price": eur(price),
        "timeline_days": days,
        "approach": "Build it in the open, upstream everything.",
        "milestones": [
            {"title": "Prototype", "due": day(c.clock.now() + 40 * DAY), "amount": eur(first)},
            {
                "title": "Release",
                "due": day(c.clock.now() + 90 * DAY),
                "amount": eur(price - first),
            },
        ],
        "team": ["lead developer"],
    }


async def mirror_of(node: ClusterNode, handle: str, title: str) -> dict[str, Any]:
    """The request as the recipient's node shows it (its board lists it)."""
    status, board = await node.api("GET", "/api/v1/requests", as_=handle)
    assert status == 200, board
    found = [item for item in board["items"] if item["title"] == title]
    assert len(found) == 1, board
    return found[0]  # type: ignore[no-any-return]


async def commission_network(c: Cluster) -> None:
    await c["alpha"].org("city", name="City of Alpha")
    await c["beta"].org("dev", kind="developer", name="Dev Co-op")
    await c["gamma"].org("help", kind="support-company", name="Help Ltd")


async def directed_request(
    c: Cluster, **changes: Any
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """alpha's city directs a request to beta's dev (acct:) and gamma's help (IRI)."""
    alpha, beta, gamma = c["alpha"], c["beta"], c["gamma"]
    body = request_body(c, [f"acct:dev@{beta.host}", gamma.actor("help")], **changes)
    status, posted = await alpha.api("POST", "/api/v1/requests", as_="city", json=body)
    assert status == 201, posted
    assert posted["recipients"] == [beta.actor("dev"), gamma.actor("help")]
    await c.settle()
    return (
        posted,
        await mirror_of(beta, "dev", body["title"]),
        await mirror_of(gamma, "help", body["title"]),
    )


FEE = {"alpha": {"commissions": {"fee_basis_points": 250}}}


async def test_a_directed_request_bids_and_award_travel_between_nodes(tmp_path: Any) -> None:
    async with cluster(tmp_path, "alpha", "beta", "gamma", "delta", settings=FEE) as c:
        alpha, beta, gamma, delta = c["alpha"], c["beta"], c["gamma"], c["delta"]
        await commission_network(c)
        # The tool to change is published on a fourth node, delta.
        await delta.org("pub", name="Tool Publisher")
        listing = await publish_file(delta, "pub")
        body = request_body(c, [f"acct:nobody@{beta.host}"])
        status, problem = await alpha.api("POST", "/api/v1/requests", as_="city", json=body)
        assert status == 422, problem
        assert problem["errors"][0]["field"] == "recipients"
        posted, on_beta, on_gamma = await directed_request(c, kind="change", listing=listing["iri"])
        assert on_beta["state"] == on_gamma["state"] == "open"
        assert on_beta["requester"]["id"] == alpha.actor("city")

        # Both bid from their own nodes; the bids reach alpha only.
        status, dev_bid = await beta.api(
            "POST", f"/api/v1/requests/{on_beta['id']}/bids", as_="dev", json=bid_body(c)
        )
        assert status == 201, dev_bid
        status, help_bid = await gamma.api(
            "POST",
            f"/api/v1/requests/{on_gamma['id']}/bids",
            as_="help",
            json=bid_body(c, 3_600_000, 80),
        )
        assert status == 201, help_bid
        await c.settle()
        status, seen = await alpha.api("GET", f"/api/v1/requests/{posted['id']}", as_="city")
        assert status == 200, seen
        ranked = {b["bidder"]["id"]: b for b in seen["bids"]}
        assert set(ranked) == {beta.actor("dev"), gamma.actor("help")}
        assert ranked[beta.actor("dev")]["bidder"]["name"] == "Dev Co-op"

        # alpha awards beta after the deadline; both bidders are told on their nodes.
        c.clock.advance(11 * DAY)
        win = ranked[beta.actor("dev")]["id"]
        status, contract = await alpha.api(
            "POST", f"/api/v1/requests/{posted['id']}/award", as_="city", json={"bid": win}
        )
        assert status == 201, contract
        await c.settle()
        _, mine = await beta.api("GET", f"/api/v1/requests/{on_beta['id']}", as_="dev")
        assert [b["status"] for b in mine["my_bids"]] == ["awarded"]
        _, theirs = await gamma.api("GET", f"/api/v1/requests/{on_gamma['id']}", as_="help")
        assert [b["status"] for b in theirs["my_bids"]] == ["not-awarded"]
        assert theirs["state"] == "evaluating"  # closed on gamma: it takes no more bids
        for node in (alpha, beta, gamma):
            assert await dead_errors(node) == [], node.name

        # The contract reached beta (and nobody else); each party signs on its own node.
        cid_a = contract["id"]
        status, listed = await beta.api("GET", "/api/v1/contracts", as_="dev")
        assert status == 200, listed
        (copy,) = listed["items"]
        cid_b = copy["id"]
        _, none = await gamma.api("GET", "/api/v1/contracts", as_="help")
        assert none["items"] == []
        status, signed = await alpha.api("POST", f"/api/v1/contracts/{cid_a}/sign", as_="city")
        assert status == 200, signed
        await c.settle()
        status, signed = await beta.api("POST", f"/api/v1/contracts/{cid_b}/sign", as_="dev")
        assert status == 200, signed
        await c.settle()
        for node, cid, who in ((alpha, cid_a, "city"), (beta, cid_b, "dev")):
            status, seen = await node.api("GET", f"/api/v1/contracts/{cid}", as_=who)
            assert status == 200, seen
            assert seen["state"] == "signed", node.name
            assert seen["in_force"] is True, node.name
            assert [(s["role"], s["valid"]) for s in seen["signatures"]] == [
                ("buyer", True),
                ("supplier", True),
            ], node.name

        # The contract's IRI answers its parties' nodes only (signed fetch), 404 to others.
        iri = contract["document"]["id"]
        async with delta.http.get(iri, headers={"Accept": "application/activity+json"}) as got:
            assert got.status == 404
        fetched = await beta.node.federation.fetcher.fetch_activity(iri, budget=FetchBudget())
        assert fetched.document is not None
        assert fetched.document["id"] == iri
        assert {s["party"] for s in fetched.document["signatures"]} == {
            alpha.actor("city"),
            beta.actor("dev"),
        }
        with pytest.raises(FetchError) as refused:
            await delta.node.federation.fetcher.fetch_activity(iri, budget=FetchBudget())
        assert refused.value.status == 404

        # beta delivers two milestones, alpha accepts them, alpha records two payments.
        for n in (1, 2):
            status, done = await beta.api(
                "POST", f"/api/v1/contracts/{cid_b}/milestones/{n}/deliver", as_="dev"
            )
            assert status == 200, done
            await c.settle()
            status, done = await alpha.api(
                "POST", f"/api/v1/contracts/{cid_a}/milestones/{n}/accept", as_="city"
            )
            assert status == 200, done
            await c.settle()
        for node, cid, who in ((alpha, cid_a, "city"), (beta, cid_b, "dev")):
            _, seen = await node.api("GET", f"/api/v1/contracts/{cid}", as_=who)
            assert seen["state"] == "completed", node.name
            assert seen["credit"]["text"] == "commissioned by City of Alpha, built by Dev Co-op"
        first = {
            "milestone": 1,
            "amount": eur(1_000_000),
            "date": day(c.clock.now()),
            "reference": "TX-1",
        }
        second = {
            "milestone": 2,
            "amount": eur(2_000_000),
            "date": day(c.clock.now()),
            "reference": "TX-2",
        }
        for payment in (first, second):
            status, paid = await alpha.api(
                "POST", f"/api/v1/contracts/{cid_a}/payments", as_="city", json=payment
            )
            assert status == 201, paid
        assert paid["fee"] == eur(50_000)
        await c.settle()
        _, on_alpha = await alpha.api("GET", f"/api/v1/contracts/{cid_a}/ledger", as_="city")
        _, on_beta_ledger = await beta.api("GET", f"/api/v1/contracts/{cid_b}/ledger", as_="dev")
        assert on_alpha["entries"] == on_beta_ledger["entries"]
        assert on_alpha["balances"] == on_beta_ledger["balances"]
        assert on_beta_ledger["balanced"] is True
        assert len(on_beta_ledger["entries"]) == 2
        for node in (alpha, beta, gamma, delta):
            assert await dead_errors(node) == [], node.name

        # The completion reached delta, which checked both signatures and credits the tool.
        status, shown = await delta.api("GET", f"/api/v1/listings/{listing['id']}", as_="pub")
        assert status == 200, shown
        credits = {
            (c["role"], c["party"]["iri"]) for c in shown["credits"] if c["source"] == "contract"
        }
        assert credits == {("funder", alpha.actor("city")), ("builder", beta.actor("dev"))}
        assert {c["source_ref"] for c in shown["credits"] if c["source"] == "contract"} == {
            contract["document"]["id"]
        }

        # A credit from the supplier, or with a changed document, is refused by delta.
        async with alpha.node.uow(readonly=True) as tx:
            found = await tx.contracts.get(cid_a)
        assert found is not None
        shared = contract_document(found[0])
        evidence = {"document": shared, "signatures": shared.pop("signatures")}
        shared.pop("@context")
        credit = {"type": "CommissionCredit", "id": f"{beta.origin}/c", "evidence": evidence}
        await send_as(c, beta, "dev", "Add", credit, delta)
        assert any("only the buyer" in e for e in await dead_errors(delta))
        changed = {**shared, "price": eur(9_000_000)}
        forged = {**credit, "id": f"{iri}/c", "evidence": {**evidence, "document": changed}}
        await send_as(c, alpha, "city", "Add", forged, delta)
        errors = await dead_errors(delta)
        assert len(errors) == 2
        assert any("does not verify" in e for e in errors), errors
        _, again = await delta.api("GET", f"/api/v1/listings/{listing['id']}", as_="pub")
        assert again["credits"] == shown["credits"]


async def test_refusals_travel_back_with_their_reason(tmp_path: Any) -> None:
    async with cluster(tmp_path, "alpha", "beta", "gamma") as c:
        alpha, beta, gamma = c["alpha"], c["beta"], c["gamma"]
        await commission_network(c)
        posted, on_beta, on_gamma = await directed_request(c)

        # A bid sent in time that reaches alpha after the deadline: refused as late. (The
        # request is named by its IRI on alpha this time, URL-encoded.)
        remote = quote(f"{alpha.origin}/requests/{posted['id']}", safe="")
        status, late = await beta.api(
            "POST", f"/api/v1/requests/{remote}/bids", as_="dev", json=bid_body(c)
        )
        assert status == 201, late
        c.clock.advance(11 * DAY)
        await c.settle()
        _, mine = await beta.api("GET", f"/api/v1/requests/{on_beta['id']}", as_="dev")
        assert [b["status"] for b in mine["my_bids"]] == ["refused"]
        async with beta.node.uow(readonly=True) as tx:
            iri = await tx.bids.iri_of(late["id"])
            assert iri is not None
            refusal = await tx.commission_links.refusal(iri)
        assert refusal == ("Bid refused: too late", "the deadline for bids has passed")
        assert mine["my_bids"][0]["refusal"] == {
            "summary": "Bid refused: too late",
            "content": "the deadline for bids has passed",
        }
        status, seen = await alpha.api("GET", f"/api/v1/requests/{posted['id']}", as_="city")
        assert seen["bids"] == []

        # A second request; alpha cancels it, and gamma bids before its mirror hears of
        # that: the bid is refused as closed.
        posted, _, on_gamma = await directed_request(c, title="A second portal")
        status, _ = await alpha.api(
            "POST", f"/api/v1/requests/{posted['id']}/cancel", as_="city", json={"reason": "x"}
        )
        assert status == 200
        status, closed = await gamma.api(
            "POST", f"/api/v1/requests/{on_gamma['id']}/bids", as_="help", json=bid_body(c)
        )
        assert status == 201, closed
        await c.settle()
        async with gamma.node.uow(readonly=True) as tx:
            iri = await tx.bids.iri_of(closed["id"])
            assert iri is not None
            refusal = await tx.commission_links.refusal(iri)
        assert refusal == (
            "Bid refused: request not open",
            "this request is cancelled and takes no bids",
        )
        # By now gamma's mirror knows of the cancellation and refuses bids itself.
        _, mirror = await gamma.api("GET", f"/api/v1/requests/{on_gamma['id']}", as_="help")
        assert mirror["state"] == "cancelled"
        assert mirror["cancel_reason"] == "x"
        status, _ = await gamma.api(
            "POST", f"/api/v1/requests/{on_gamma['id']}/bids", as_="help", json=bid_body(c)
        )
        assert status == 409
        for node in (alpha, beta, gamma):
            assert await dead_errors(node) == [], node.name


async def test_only_owners_offer_and_only_the_requester_answers(tmp_path: Any) -> None:
    async with cluster(tmp_path, "alpha", "beta", "gamma") as c:
        alpha, beta, gamma = c["alpha"], c["beta"], c["gamma"]
        await commission_network(c)
        posted, on_beta, _ = await directed_request(c)
        status, bid = await beta.api(
            "POST", f"/api/v1/requests/{on_beta['id']}/bids", as_="dev", json=bid_body(c)
        )
        assert status == 201, bid
        await c.settle()
        async with beta.node.uow(readonly=True) as tx:
            bid_iri = await tx.bids.iri_of(bid["id"])
        assert bid_iri is not None

        # gamma's help pretends to be the requester and accepts beta's bid: refused.
        fake = {
            "type": "Offer",
            "id": f"{beta.origin}/x",
            "actor": beta.actor("dev"),
            "object": bid_iri,
        }
        await send_as(c, gamma, "help", "Accept", fake, beta)
        _, mine = await beta.api("GET", f"/api/v1/requests/{on_beta['id']}", as_="dev")
        assert [b["status"] for b in mine["my_bids"]] == ["submitted"]
        assert any("only the requester" in e for e in await dead_errors(beta))

        # gamma's help offers a bid whose object lives on beta (not its own): refused.
        stolen = {
            **(await alpha_bid_object(beta, bid_iri, f"{alpha.origin}/requests/{posted['id']}"))
        }
        await send_as(c, gamma, "help", "Offer", stolen, alpha)
        assert any("belongs to the actor" in e for e in await dead_errors(alpha))
        _, seen = await alpha.api("GET", f"/api/v1/requests/{posted['id']}", as_="city")
        assert [b["bidder"]["id"] for b in seen["bids"]] == [beta.actor("dev")]


async def alpha_bid_object(beta: ClusterNode, bid_iri: str, request_iri: str) -> dict[str, Any]:
    """beta's bid object as beta sent it (to be replayed by somebody else)."""
    async with beta.node.uow(readonly=True) as tx:
        local = await tx.commission_links.local_id(bid_iri, "bid")
        assert local is not None
        found = await tx.bids.get(local)
    assert found is not None
    return bid_to_ap(bid_iri, request_iri, found.bidder, found.terms)
