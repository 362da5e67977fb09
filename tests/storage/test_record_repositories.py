"""Deployments, support offers and credits on SQLite and PostgreSQL: round trips, one record
per organisation and listing, replacement, cascade with the listing, contract credits once."""

from __future__ import annotations

from dataclasses import replace

import pytest

from commonsnode.clock import FixedClock
from commonsnode.errors import ConflictError, ForbiddenError
from commonsnode.model.follows import Follow
from commonsnode.model.listings import DeclaredParty, Provenance
from commonsnode.model.records import DeploymentTerms, OfferTerms
from commonsnode.usecases.contract_credits import credit_parties
from commonsnode.usecases.organisations import create_organisation
from commonsnode.usecases.records import (
    IncomingRecord,
    declare_deployment,
    forget_remote_record,
    listing_records,
    offer_support,
    remove_remote_record,
    store_remote_record,
    withdraw_record,
)
from commonsnode.usecases.remote_listings import remove_remote_listing, store_remote_listing
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.keys import TEST_KEYS
from tests.storage.test_listing_repository import facts, local, org
from tests.unit.commonsnode.test_credit_events import signed

AUTHOR = "https://b.example/orgs/town"


def incoming(listing_id: str, iri: str, author: str = AUTHOR, purpose: str = "x") -> IncomingRecord:
    return IncomingRecord(
        kind="deployment",
        listing_id=listing_id,
        terms=DeploymentTerms("2021", purpose),
        declarer_name="Town",
        provenance=Provenance(iri, author, "b.example", 50.0, author),
        declared_at=40.0,
    )


async def test_local_records_round_trip_replace_and_withdraw(
    uow: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    city = await org(uow, clock)
    acme = await create_organisation(
        uow, clock, handle="acme", name="Acme", kind="support-company", keys=TEST_KEYS
    )
    listing = local(city.id, clock)
    async with uow() as tx:
        await tx.listings.add(listing)
    use = {"since": "2021-06", "purpose": "budgets", "scale": "big", "notes": "fine"}
    first = await declare_deployment(uow, clock, city, listing.id, use)
    again = await declare_deployment(uow, clock, city, listing.id, {**use, "purpose": "polls"})
    assert (first.created, again.created, again.record.id) == (True, False, first.record.id)
    offer = {"services": ["hosting"], "regions": ["IT"], "languages": ["it"], "price_hint": "€"}
    await offer_support(uow, clock, acme, listing.id, offer)

    found = await listing_records(uow, [listing.id])
    (deployment,) = found.deployments
    assert deployment == again.record
    assert deployment.terms == DeploymentTerms("2021-06", "polls", "big", "fine")
    (support,) = found.support_offers
    assert support.terms == OfferTerms(("hosting",), ("IT",), ("it",), None, "€")
    async with uow(readonly=True) as tx:
        assert await tx.deployments.counts([listing.id, "other"]) == {listing.id: 1}
        assert await tx.support_offers.get_local(listing.id, acme.id) == support

    await withdraw_record(uow, clock, city, listing.id, "deployment")
    assert (await listing_records(uow, [listing.id])).deployments == ()


async def test_a_second_local_record_of_one_org_for_one_listing_conflicts(
    uow: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    city = await org(uow, clock)
    listing = local(city.id, clock)
    async with uow() as tx:
        await tx.listings.add(listing)
    made = await declare_deployment(uow, clock, city, listing.id, {"since": "2021", "purpose": "x"})
    duplicate = replace(made.record, id="another")
    with pytest.raises(ConflictError):
        async with uow() as tx:
            await tx.deployments.save(duplicate)


async def test_remote_records_one_per_author_removed_by_the_author_and_with_the_listing(
    uow: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    city = await org(uow, clock)
    listing = local(city.id, clock)
    async with uow() as tx:
        await tx.listings.add(listing)
    kept = await store_remote_record(uow, clock, incoming(listing.id, "https://b.example/d/1"))
    assert kept is not None
    # A new IRI from the same author replaces its record (one per author and listing).
    replaced = await store_remote_record(
        uow, clock, incoming(listing.id, "https://b.example/d/2", purpose="y")
    )
    assert replaced is not None
    assert replaced.id == kept.id
    assert replaced.provenance is not None
    assert replaced.provenance.origin_iri == "https://b.example/d/2"
    # Another author's record is its own.
    other = await store_remote_record(
        uow, clock, incoming(listing.id, "https://c.example/d/1", "https://c.example/orgs/x")
    )
    assert other is not None
    assert len((await listing_records(uow, [listing.id])).deployments) == 2
    # Unknown listing: not kept.
    assert await store_remote_record(uow, clock, incoming("nope", "https://b.example/d/3")) is None
    # Only the author removes it.
    with pytest.raises(ForbiddenError, match="not the author"):
        await remove_remote_record(
            uow, "deployment", "https://b.example/d/2", "https://e.example/eve"
        )
    assert await remove_remote_record(uow, "deployment", "https://b.example/d/2", AUTHOR)
    assert not await remove_remote_record(uow, "deployment", "https://b.example/d/2", AUTHOR)
    # Gone at its origin (410): dropped whoever relayed it.
    assert await forget_remote_record(uow, "deployment", "https://c.example/d/1")
    assert not await forget_remote_record(uow, "deployment", "https://c.example/d/1")
    assert (await listing_records(uow, [listing.id])).deployments == ()


async def test_credits_follow_remote_listings_and_contracts_credit_once(
    uow: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    city = await org(uow, clock)
    author = "https://a.example/orgs/city"
    async with uow() as tx:
        await tx.follows.save(
            Follow("f1", "out", city.id, author, "accepted", "https://here.example/a/1", 1.0, 1.0)
        )
    origin = "https://a.example/listings/1"
    parties = (DeclaredParty("funder", "Region", "https://region.example"),)
    provenance = Provenance(origin, author, "a.example", clock.now(), author)
    stored = await store_remote_listing(uow, clock, facts(parties=parties), provenance, clock.now())
    assert stored is not None
    (credit,) = (await listing_records(uow, [stored.id])).credits
    assert (credit.role, credit.party_name, credit.source) == ("funder", "Region", "publiccode")

    contract = signed()
    for expected in (2, 0):  # a replayed completion adds nothing
        async with uow() as tx:
            added = await credit_parties(tx, stored, contract, clock.now())
        assert len(added) == expected
    # The author's update re-derives the declared credits; the contract's stay.
    await store_remote_listing(uow, clock, facts(parties=()), provenance, clock.now())
    roles = {(c.role, c.source) for c in (await listing_records(uow, [stored.id])).credits}
    assert roles == {("funder", "contract"), ("builder", "contract")}
    # The author deletes its listing: its credits and records go with it.
    await store_remote_record(uow, clock, incoming(stored.id, "https://b.example/d/9"))
    assert await remove_remote_listing(uow, clock, origin, author)
    found = await listing_records(uow, [stored.id])
    assert (found.credits, found.deployments) == ((), ())
