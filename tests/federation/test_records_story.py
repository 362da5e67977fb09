"""Deployments and support offers between real nodes: declared on one node, signed, shown on
the listing author's node and the declarer's followers' nodes with their source; updates and
withdrawals follow; forgeries are refused and store nothing."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from commonsnode.model.records import DeploymentTerms, ListingRecord, OfferTerms
from commonsnode.usecases.records import listing_records
from federation.convert.records import to_note
from federation.fetch import FetchBudget
from federation.integrity import sign_as, verify_author
from federation.records import listing_iri
from tests.federation.cluster import Cluster, ClusterNode, cluster
from tests.federation.test_listing_story import dead_errors, publish_file, remote_items, send_as

pytestmark = pytest.mark.cluster

USE = {"since": "2021-03", "purpose": "participatory budgeting", "scale": "40 000 residents"}
OFFER = {"services": ["hosting", "maintenance"], "regions": ["IT", "EU"], "languages": ["it"]}


async def follow(c: Cluster, node: ClusterNode, handle: str, target: str) -> None:
    status, _ = await node.api("POST", "/api/v1/follows", as_=handle, json={"target": target})
    assert status == 202
    await c.settle()


async def items(node: ClusterNode, listing_id: str, what: str, as_: str) -> list[dict[str, Any]]:
    status, body = await node.api("GET", f"/api/v1/listings/{listing_id}/{what}", as_=as_)
    assert status == 200, body
    return body["items"]  # type: ignore[no-any-return]


async def tool_page(node: ClusterNode, key: str) -> str:
    async with node.http.get(f"{node.origin}/tools/{key}") as response:
        assert response.status == 200
        return await response.text()


async def network(c: Cluster) -> tuple[dict[str, Any], str, str]:
    """alpha's city publishes; beta's town and gamma's acme follow it, town follows acme.

    Returns alpha's listing and the listing's ids on beta and gamma.
    """
    alpha, beta, gamma = c["alpha"], c["beta"], c["gamma"]
    await alpha.org("city", name="City of Alderney")
    await beta.org("town", name="Town of Bramble")
    await gamma.org("acme", kind="support-company", name="Acme Hosting")
    await follow(c, beta, "town", alpha.actor("city"))
    await follow(c, gamma, "acme", alpha.actor("city"))
    await follow(c, beta, "town", gamma.actor("acme"))
    published = await publish_file(alpha, "city")
    await c.settle()
    (on_beta,) = await remote_items(beta, "town")
    (on_gamma,) = await remote_items(gamma, "acme")
    return published, on_beta["id"], on_gamma["id"]


async def test_a_deployment_on_beta_shows_on_the_publishers_node_with_its_source(
    tmp_path: Path,
) -> None:
    async with cluster(tmp_path, "alpha", "beta", "gamma") as c:
        alpha, beta = c["alpha"], c["beta"]
        published, on_beta, _ = await network(c)
        path = f"/api/v1/listings/{on_beta}/deployments"
        status, declared = await beta.api("POST", path, as_="town", json=USE)
        assert status == 201, declared
        await c.settle()

        (seen,) = await items(alpha, published["id"], "deployments", "city")
        assert seen["iri"] == declared["iri"]
        assert (seen["since"], seen["purpose"], seen["scale"]) == (
            "2021-03",
            "participatory budgeting",
            "40 000 residents",
        )
        assert seen["local"] is False
        assert seen["declarer"] == {"iri": beta.actor("town"), "name": "Town of Bramble"}
        assert seen["source"]["node"] == beta.host
        assert seen["source"]["declared_by"] == "itself"
        status, one = await alpha.api("GET", f"/api/v1/listings/{published['id']}", as_="city")
        assert one["deployments_count"] == 1
        page = await tool_page(alpha, published["repository_key"])
        assert "Town of Bramble" in page
        assert beta.host in page
        assert "declared by the organisation itself" in page

        # The Note dereferences at its IRI, signed: a bare-id Update is fetched and verified.
        headers = {"Accept": "application/activity+json"}
        async with beta.http.get(declared["iri"], headers=headers) as response:
            assert response.status == 200
            served = await response.json(content_type=None)
        assert served["type"] == "Note"
        assert served["inReplyTo"] == published["iri"]
        assert served["deploymentOf"] == published["iri"]
        assert served["proof"]["verificationMethod"] == beta.actor("town") + "#ed25519-key"
        assert "Town of Bramble uses Medusa since 2021-03" in served["content"]
        assert await verify_author(c["gamma"].node.federation, served, FetchBudget()) == (
            beta.actor("town")
        )
        await send_as(c, beta, "town", "Update", declared["iri"], to=alpha)
        assert await dead_errors(alpha) == []

        # Re-declaring replaces (an Update of the same Note); withdrawing deletes everywhere.
        status, _ = await beta.api("POST", path, as_="town", json={**USE, "purpose": "polls"})
        assert status == 200
        await c.settle()
        (seen,) = await items(alpha, published["id"], "deployments", "city")
        assert seen["purpose"] == "polls"
        status, _ = await beta.api("DELETE", path, as_="town")
        assert status == 204
        await c.settle()
        assert await items(alpha, published["id"], "deployments", "city") == []
        assert await dead_errors(alpha) == []


async def test_a_support_offer_on_gamma_reaches_the_author_and_the_offerers_followers(
    tmp_path: Path,
) -> None:
    async with cluster(tmp_path, "alpha", "beta", "gamma") as c:
        alpha, beta, gamma = c["alpha"], c["beta"], c["gamma"]
        published, on_beta, _ = await network(c)
        # The remote listing named by its IRI, as an organisation copies it from anywhere.
        path = f"/api/v1/listings/{quote(published['iri'], safe='')}/support-offers"
        status, offered = await gamma.api("POST", path, as_="acme", json=OFFER)
        assert status == 201, offered
        await c.settle()
        for node, listing_id, as_ in ((alpha, published["id"], "city"), (beta, on_beta, "town")):
            (seen,) = await items(node, listing_id, "support-offers", as_)
            assert seen["iri"] == offered["iri"]
            assert seen["services"] == ["hosting", "maintenance"]
            assert seen["regions"] == ["IT", "EU"]
            assert seen["source"]["node"] == gamma.host
            assert seen["declarer"]["name"] == "Acme Hosting"
        page = await tool_page(beta, published["repository_key"])
        assert "Acme Hosting" in page
        assert "hosting, maintenance" in page

        status, _ = await gamma.api("POST", path, as_="acme", json={**OFFER, "regions": ["DE"]})
        assert status == 200
        await c.settle()
        for node, listing_id, as_ in ((alpha, published["id"], "city"), (beta, on_beta, "town")):
            (seen,) = await items(node, listing_id, "support-offers", as_)
            assert seen["regions"] == ["DE"]
        status, _ = await gamma.api("DELETE", path, as_="acme")
        assert status == 204
        await c.settle()
        assert await items(alpha, published["id"], "support-offers", "city") == []
        assert await items(beta, on_beta, "support-offers", "town") == []
        assert await dead_errors(alpha) == []
        assert await dead_errors(beta) == []


async def test_forged_deployments_are_refused_and_nothing_is_stored(tmp_path: Path) -> None:
    """Attack: mallory (beta) claims town's use of the tool: under town's name, with a proof
    by mallory's key sent as town, and a genuine proof on a changed Note."""
    async with cluster(tmp_path, "alpha", "beta", "gamma") as c:
        alpha, beta = c["alpha"], c["beta"]
        published, on_beta, _ = await network(c)
        mallory = await beta.org("mallory", kind="developer")
        town = await beta.org("town2", name="Town Two")
        fed = beta.node.federation
        async with beta.node.uow(readonly=True) as tx:
            listing = await tx.listings.get_by_id(on_beta)
        assert listing is not None
        # A genuine Note of town2's, as the API would make it (never stored on beta).
        record = ListingRecord(
            id="0190a000-0000-7000-8000-000000000001",
            kind="deployment",
            listing_id=on_beta,
            terms=DeploymentTerms(since="2020", purpose="everything"),
            declarer_name="Town Two",
            declared_at=fed.clock.now(),
            updated_at=fed.clock.now(),
            org_id=town.id,
        )
        note = to_note(
            record,
            fed.iris,
            "town2",
            listing_iri(fed, listing),
            "Medusa",
            alpha.actor("city"),
        )
        by_mallory = await sign_as(fed, mallory.id, "mallory", note)
        genuine = await sign_as(fed, town.id, "town2", note)
        changed = {**genuine, "purpose": "nothing at all"}
        unsigned = {k: v for k, v in note.items() if k != "proof"}
        await send_as(c, beta, "mallory", "Create", genuine, to=alpha)  # wrong attributedTo
        await send_as(c, beta, "town2", "Create", by_mallory, to=alpha)  # another org's key
        await send_as(c, beta, "town2", "Create", changed, to=alpha)  # bad proof
        await send_as(c, beta, "town2", "Create", unsigned, to=alpha)  # no proof

        found = await listing_records(alpha.node.uow, [published["id"]])
        assert found.deployments == ()
        errors = await dead_errors(alpha)
        assert len(errors) == 4, errors
        # mallory's Create is reduced to the Note's id (not mallory's own) and fetched: beta
        # never published it, so its origin answers 404.
        assert sum("answered 404" in e or "not the author" in e for e in errors) == 1
        assert sum("key_not_listed" in e for e in errors) == 1
        assert sum("bad_proof" in e for e in errors) == 1
        assert sum("proof_missing" in e for e in errors) == 1

        # The genuine one, sent by its author, is kept.
        await send_as(c, beta, "town2", "Create", genuine, to=alpha)
        found = await listing_records(alpha.node.uow, [published["id"]])
        assert [d.declarer_name for d in found.deployments] == ["Town Two"]


async def test_a_deployment_of_a_listing_not_held_is_dropped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with cluster(tmp_path, "alpha", "beta", "gamma") as c:
        alpha, beta = c["alpha"], c["beta"]
        await network(c)
        caplog.set_level(logging.INFO, logger="commonsnode.inbox")
        town = await beta.org("town3", name="Town Three")
        fed = beta.node.federation
        record = ListingRecord(
            id="0190a000-0000-7000-8000-000000000002",
            kind="deployment",
            listing_id="unused",
            terms=DeploymentTerms(since="2020", purpose="everything"),
            declarer_name="Town Three",
            declared_at=fed.clock.now(),
            updated_at=fed.clock.now(),
            org_id=town.id,
        )
        unknown = c["gamma"].origin + "/listings/never-announced"
        note = to_note(record, fed.iris, "town3", unknown, "Ghost", None)
        await send_as(
            c, beta, "town3", "Create", await sign_as(fed, town.id, "town3", note), to=alpha
        )
        async with alpha.node.uow(readonly=True) as tx:
            assert await tx.deployments.get_by_origin(note["id"]) is None
        assert await dead_errors(alpha) == []  # dropped and logged, not an error to retry
        assert f"listing {unknown} is not held here, dropped" in caplog.text


async def test_credits_travel_with_the_listing_and_show_with_their_source(tmp_path: Path) -> None:
    async with cluster(tmp_path, "alpha", "beta") as c:
        alpha, beta = c["alpha"], c["beta"]
        await alpha.org("city")
        await beta.org("town")
        await follow(c, beta, "town", alpha.actor("city"))
        published = await publish_file(alpha, "city", "valid_with_fundedBy.yml")
        await c.settle()
        (on_beta,) = await remote_items(beta, "town")
        status, one = await beta.api("GET", f"/api/v1/listings/{on_beta['id']}", as_="town")
        assert status == 200
        funder = "http://example.org/my-organisation"
        assert {"role": "funder", "party": {"name": funder, "iri": funder}} in [
            {"role": x["role"], "party": x["party"]} for x in one["credits"]
        ]
        assert {x["source"] for x in one["credits"]} == {"publiccode"}
        status, tool = await beta.api(
            "GET", f"/api/v1/tools/{published['repository_key']}", as_="town"
        )
        assert status == 200
        assert any(x["role"] == "funder" for x in tool["credits"])
        assert (tool["deployments"], tool["support_offers"]) == ([], [])
        page = await tool_page(beta, published["repository_key"])
        assert f'Funded by <a href="{funder}">{funder}</a>' in page
        assert f"listing on {alpha.host}" in page


async def test_a_support_offer_from_a_government_is_refused(tmp_path: Path) -> None:
    """Attack: a government on beta (no services to sell) sends a signed offer anyway."""
    async with cluster(tmp_path, "alpha", "beta", "gamma") as c:
        alpha, beta = c["alpha"], c["beta"]
        published, on_beta, _ = await network(c)
        town = await beta.org("town4", name="Town Four")
        async with alpha.node.uow(readonly=True) as tx:  # alpha knows town4's kind
            assert await tx.actors.get(beta.actor("town4")) is None
        await follow(c, alpha, "city", beta.actor("town4"))
        fed = beta.node.federation
        record = ListingRecord(
            id="0190a000-0000-7000-8000-000000000003",
            kind="support",
            listing_id=on_beta,
            terms=OfferTerms(("hosting",), ("IT",)),
            declarer_name="Town Four",
            declared_at=fed.clock.now(),
            updated_at=fed.clock.now(),
            org_id=town.id,
        )
        note = to_note(record, fed.iris, "town4", published["iri"], "Medusa", None)
        signed = await sign_as(fed, town.id, "town4", note)
        await send_as(c, beta, "town4", "Create", signed, to=alpha)
        assert (await listing_records(alpha.node.uow, [published["id"]])).support_offers == ()
        (error,) = await dead_errors(alpha)
        assert "is a government" in error
