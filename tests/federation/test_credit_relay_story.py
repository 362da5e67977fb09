"""A completed contract's credit reaches every node holding the listing: the publisher (delta)
credits its listing, then its organisation and its catalog Announce the signed credit, and a
node following either (gamma follows delta's organisation, epsilon follows delta's catalog)
credits its own copy after checking the announcer, the publisher's proof and both parties'
proofs. A credit announced by anybody else, or with a changed contract, credits nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import sqlalchemy as sa

from commonsnode.credit_events import CreditEvent
from commonsnode.model.contracts import Contract
from federation.credits import credit_iri, credit_object
from federation.integrity import sign_as
from tests.federation.cluster import Cluster, ClusterNode, cluster
from tests.federation.test_catalog_story import catalog_follows, publish_many
from tests.federation.test_commission_story import (
    DAY,
    FEE,
    bid_body,
    eur,
    mirror_of,
    request_body,
)
from tests.federation.test_listing_story import dead_errors, remote_items, send_as

pytestmark = pytest.mark.cluster


async def complete(
    c: Cluster,
    buyer: tuple[ClusterNode, str],
    supplier: tuple[ClusterNode, str],
    listing: str,
    title: str,
    before_completion: Callable[[], Awaitable[None]] | None = None,
) -> str:
    """`buyer` directs a change request about `listing` to `supplier`, awards its bid; both sign
    and every milestone is delivered and accepted (`before_completion` runs just before the
    last acceptance). Returns the buyer's local contract id."""
    (b_node, b_org), (s_node, s_org) = buyer, supplier
    body = request_body(c, [s_node.actor(s_org)], kind="change", listing=listing, title=title)
    status, posted = await b_node.api("POST", "/api/v1/requests", as_=b_org, json=body)
    assert status == 201, posted
    await c.settle()
    mirror = await mirror_of(s_node, s_org, title)
    status, bid = await s_node.api(
        "POST", f"/api/v1/requests/{mirror['id']}/bids", as_=s_org, json=bid_body(c)
    )
    assert status == 201, bid
    await c.settle()
    c.clock.advance(11 * DAY)
    _, seen = await b_node.api("GET", f"/api/v1/requests/{posted['id']}", as_=b_org)
    (win,) = [b["id"] for b in seen["bids"]]
    status, contract = await b_node.api(
        "POST", f"/api/v1/requests/{posted['id']}/award", as_=b_org, json={"bid": win}
    )
    assert status == 201, contract
    await c.settle()
    iri = contract["document"]["id"]
    _, listed = await s_node.api("GET", "/api/v1/contracts", as_=s_org)
    (copy,) = [item for item in listed["items"] if item["iri"] == iri]
    ids = {"buyer": contract["id"], "supplier": copy["id"]}
    for role, node, org in (("buyer", b_node, b_org), ("supplier", s_node, s_org)):
        status, signed = await node.api("POST", f"/api/v1/contracts/{ids[role]}/sign", as_=org)
        assert status == 200, signed
        await c.settle()
    for n in (1, 2):
        for role, node, org, step in (
            ("supplier", s_node, s_org, "deliver"),
            ("buyer", b_node, b_org, "accept"),
        ):
            if (n, step) == (2, "accept") and before_completion is not None:
                await before_completion()
            status, done = await node.api(
                "POST", f"/api/v1/contracts/{ids[role]}/milestones/{n}/{step}", as_=org
            )
            assert status == 200, done
            await c.settle()
    _, done = await b_node.api("GET", f"/api/v1/contracts/{ids['buyer']}", as_=b_org)
    assert done["state"] == "completed", done
    return str(ids["buyer"])


async def copy_id(node: ClusterNode, as_: str, listing_iri: str) -> str:
    """The local id of `node`'s copy of another node's listing."""
    (found,) = [
        i for i in await remote_items(node, as_) if i["provenance"]["origin"] == listing_iri
    ]
    return str(found["id"])


async def contract_credits(node: ClusterNode, as_: str, listing_id: str) -> set[tuple[str, ...]]:
    status, shown = await node.api("GET", f"/api/v1/listings/{listing_id}", as_=as_)
    assert status == 200, shown
    return {
        (c["role"], c["party"]["iri"], c["source_ref"])
        for c in shown["credits"]
        if c["source"] == "contract"
    }


async def held_contract(node: ClusterNode, local_id: str) -> Contract:
    async with node.node.uow(readonly=True) as tx:
        found = await tx.contracts.get(local_id)
    assert found is not None
    return found[0]


async def publisher_credit(
    publisher: ClusterNode, handle: str, target: dict[str, Any], contract: Contract, **edit: Any
) -> dict[str, Any]:
    """The credit object the publisher announces, with `edit` applied, signed by `handle`."""
    fed = publisher.node.federation
    async with publisher.node.uow(readonly=True) as tx:
        org = await tx.organisations.get_by_handle(handle)
    assert org is not None
    event = CreditEvent.of(target["id"], contract, fed.clock.now())
    credit = credit_object(event, target["iri"], fed.iris.org(handle))
    credit.update(edit)
    return await sign_as(fed, org.id, handle, credit)


async def forget_contract_credits(node: ClusterNode) -> None:
    async with node.node.db.transaction() as connection:
        await connection.execute(sa.text("DELETE FROM credits WHERE source = 'contract'"))


async def credit_announces(node: ClusterNode) -> list[tuple[bool, str | None]]:
    """(public, organisation handle or None for the catalog) of each credit Announce sent."""
    async with node.node.db.transaction(readonly=True) as connection:
        rows = await connection.execute(
            sa.text(
                "SELECT a.public, o.handle FROM activities a "
                "LEFT JOIN organisations o ON o.id = a.org_id "
                "WHERE a.type = 'Announce' AND a.document LIKE '%CommissionCredit%'"
            )
        )
        return sorted(((bool(row[0]), row[1]) for row in rows), key=lambda r: r[1] or "")


NODES = ("alpha", "beta", "gamma", "delta", "epsilon")


async def credit_network(c: Cluster) -> tuple[dict[str, Any], dict[str, Any]]:
    """delta's pub publishes a listing; gamma's reader follows pub, epsilon's catalog follows
    delta's catalog; both hold the listing. Returns the listing and a second one of pub's."""
    alpha, beta, gamma, delta, epsilon = (c[n] for n in NODES)
    await alpha.org("city", name="City of Alpha")
    await beta.org("dev", kind="developer", name="Dev Co-op")
    await gamma.org("reader")
    await epsilon.org("reader")
    pub = await delta.org("pub", name="Tool Publisher")
    status, _ = await gamma.api(
        "POST", "/api/v1/follows", as_="reader", json={"target": delta.actor("pub")}
    )
    assert status == 202
    await catalog_follows(c, "epsilon", "delta")
    first, second = await publish_many(delta, pub, 2)
    await c.settle()
    listings = []
    for iri in (first, second):
        listing_id = iri.rsplit("/", 1)[1]
        listings.append({"id": listing_id, "iri": iri})
        for node in (gamma, epsilon):
            await copy_id(node, "reader", iri)  # held
    return listings[0], listings[1]


async def test_a_completed_contract_credits_every_copy_of_the_listing(tmp_path: Any) -> None:
    async with cluster(tmp_path, *NODES, settings=FEE) as c:
        alpha, beta, gamma, delta, epsilon = (c[n] for n in NODES)
        listing, _ = await credit_network(c)
        cid = await complete(c, (alpha, "city"), (beta, "dev"), listing["iri"], "A change")
        contract = await held_contract(alpha, cid)
        expected = {
            ("funder", alpha.actor("city"), contract.id),
            ("builder", beta.actor("dev"), contract.id),
        }
        # The publisher credited its listing from alpha's Add, then told the holders.
        assert await contract_credits(delta, "pub", listing["id"]) == expected
        for node in (gamma, epsilon):
            held = await copy_id(node, "reader", listing["iri"])
            assert await contract_credits(node, "reader", held) == expected, node.name
        for node in (alpha, beta, gamma, delta, epsilon):
            assert await dead_errors(node) == [], node.name
        # Told to the followers of delta's organisation and catalog only: the evidence is
        # the contract document, which is not public (not as:Public, not in any outbox).
        assert await credit_announces(delta) == [(False, None), (False, "pub")]
        _, copy = await epsilon.api("GET", f"/api/v1/listings/{held}", as_="reader")
        async with epsilon.http.get(f"{epsilon.origin}/tools/{copy['repository_key']}") as page:
            html = await page.text()
        assert page.status == 200
        assert "Dev Co-op" in html
        assert "City of Alpha" in html
        assert "a completed contract" in html

        # A contract made on delta itself, about its own listing, travels the same way.
        await delta.org("town", name="Town of Delta")
        await delta.org("smith", kind="developer", name="Smith Ltd")
        local = await complete(c, (delta, "town"), (delta, "smith"), listing["iri"], "Another")
        own = await held_contract(delta, local)
        expected |= {
            ("funder", delta.actor("town"), own.id),
            ("builder", delta.actor("smith"), own.id),
        }
        assert await contract_credits(delta, "pub", listing["id"]) == expected
        for node in (gamma, epsilon):
            held = await copy_id(node, "reader", listing["iri"])
            assert await contract_credits(node, "reader", held) == expected, node.name
        for node in (alpha, beta, gamma, delta, epsilon):
            assert await dead_errors(node) == [], node.name


async def test_a_credit_is_taken_only_from_the_publisher_and_with_its_proofs(
    tmp_path: Any,
) -> None:
    async with cluster(tmp_path, *NODES, settings=FEE) as c:
        alpha, beta, gamma, delta, epsilon = (c[n] for n in NODES)
        listing, other = await credit_network(c)
        cid = await complete(c, (alpha, "city"), (beta, "dev"), listing["iri"], "A change")
        contract = await held_contract(alpha, cid)
        held = await copy_id(epsilon, "reader", listing["iri"])
        assert len(await contract_credits(epsilon, "reader", held)) == 2
        await forget_contract_credits(epsilon)
        await delta.org("other")
        genuine = await publisher_credit(delta, "pub", listing, contract)

        # The publisher's own signed credit, announced by somebody else: refused, whoever it
        # is (another node's organisation, or another organisation of the listing's node).
        await send_as(c, gamma, "reader", "Announce", genuine, epsilon)
        await send_as(c, delta, "other", "Announce", genuine, epsilon)
        errors = await dead_errors(epsilon)
        assert len(errors) == 2, errors
        assert all("is neither the author" in e for e in errors), errors

        # Announced by the publisher, but changed: the evidence's price (re-signed by the
        # publisher, so only the parties' proofs catch it), the evidence unsigned after an
        # edit, a credit signed by another organisation, another listing's credit, a credit
        # naming no listing.
        evidence = genuine["evidence"]
        doc = {**evidence["document"], "price": eur(1)}
        tampered = await publisher_credit(
            delta, "pub", listing, contract, evidence={**evidence, "document": doc}
        )
        unsigned = {**genuine, "evidence": {**evidence, "document": doc}}
        foreign = await publisher_credit(delta, "other", listing, contract)
        elsewhere = await publisher_credit(
            delta,
            "pub",
            listing,
            contract,
            listing=other["iri"],
            id=credit_iri(other["iri"], contract.id),
        )
        nameless = await publisher_credit(delta, "pub", listing, contract, listing="")
        for bad in (tampered, unsigned, foreign, elsewhere, nameless):
            await send_as(c, delta, "pub", "Announce", bad, epsilon)
        errors = await dead_errors(epsilon)
        assert len(errors) == 7, errors
        for reason in (
            "names no listing",
            "does not verify for this party",  # the parties' proofs over the changed document
            "proof refused: bad_proof",  # the publisher's proof over the changed credit
            "orgs/other is not the author",
            "the contract is about another listing",
        ):
            assert sum(reason in e for e in errors) == 1, (reason, errors)
        assert await contract_credits(epsilon, "reader", held) == set()
        elsewhere_held = await copy_id(epsilon, "reader", other["iri"])
        assert await contract_credits(epsilon, "reader", elsewhere_held) == set()

        # A party on a domain blocked here: its actor is not fetched, the credit not taken.
        beta_host = beta.host.split(":")[0]
        async with epsilon.node.uow() as tx:
            await tx.moderation.set_rule(beta_host, "block", "spam", c.clock.now())
        epsilon.node.federation.forget_policy()
        await send_as(c, delta, "pub", "Announce", genuine, epsilon)
        assert sum("blocked here" in e for e in await dead_errors(epsilon)) == 1
        assert await contract_credits(epsilon, "reader", held) == set()
        async with epsilon.node.uow() as tx:
            await tx.moderation.remove_rule(beta_host)
        epsilon.node.federation.forget_policy()

        # The genuine credit from the publisher is taken (and a replay adds nothing).
        for _ in range(2):
            await send_as(c, delta, "pub", "Announce", genuine, epsilon)
        assert await contract_credits(epsilon, "reader", held) == {
            ("funder", alpha.actor("city"), contract.id),
            ("builder", beta.actor("dev"), contract.id),
        }
        assert len(await dead_errors(epsilon)) == 8


async def test_a_party_node_down_delays_the_credit_but_does_not_lose_it(tmp_path: Any) -> None:
    """Neither the publisher nor the holders have seen the supplier's actor: each must fetch
    it to check its proof. The supplier's node is down when the buyer's Add reaches the
    publisher, and again when the publisher's Announce reaches the holders; each inbox job is
    retried (not refused), and the credit arrives everywhere once the node is back."""
    async with cluster(tmp_path, *NODES, settings=FEE) as c:
        alpha, beta, gamma, delta, epsilon = (c[n] for n in NODES)
        listing, _ = await credit_network(c)
        cid = await complete(
            c, (alpha, "city"), (beta, "dev"), listing["iri"], "A change", beta.go_down
        )
        contract = await held_contract(alpha, cid)
        expected = {
            ("funder", alpha.actor("city"), contract.id),
            ("builder", beta.actor("dev"), contract.id),
        }
        assert await contract_credits(delta, "pub", listing["id"]) == set()
        assert await dead_errors(delta) == []

        # beta is back: the publisher's retry takes the Add and Announces the credit, which
        # reaches the holders while beta is down again.
        await beta.come_back()
        c.clock.advance(60)
        await delta.worker.drain()
        assert await contract_credits(delta, "pub", listing["id"]) == expected
        await beta.go_down()
        await c.settle()
        for node in (gamma, epsilon):
            held = await copy_id(node, "reader", listing["iri"])
            assert await contract_credits(node, "reader", held) == set(), node.name
            assert await dead_errors(node) == [], node.name

        await beta.come_back()
        c.clock.advance(60)
        await c.settle()
        for node in (gamma, epsilon):
            held = await copy_id(node, "reader", listing["iri"])
            assert await contract_credits(node, "reader", held) == expected, node.name
        for node in (alpha, beta, gamma, delta, epsilon):
            assert await dead_errors(node) == [], node.name
