"""The listing repository on SQLite and PostgreSQL: round trips, uniqueness, search, paging."""

from __future__ import annotations

from dataclasses import replace

import pytest

from commonsnode.clock import FixedClock
from commonsnode.errors import ConflictError
from commonsnode.ids import new_id
from commonsnode.model.listings import (
    ListingFacts,
    ListingQuery,
    ListingText,
    Provenance,
    ToolListing,
    new_local_listing,
    remote_listing,
    withdraw,
)
from commonsnode.model.organisations import Organisation
from commonsnode.usecases.organisations import create_organisation
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.keys import TEST_KEYS


def facts(
    name: str = "Medusa", repo: str = "https://github.com/x/medusa", **more: object
) -> ListingFacts:
    return ListingFacts(
        name=name,
        repository=repo,
        descriptions=(
            ListingText("en", "Short words", "Long words about 100% of it", ("Fast",)),
            ListingText("it", "Parole brevi", "Parole lunghe"),
        ),
        license="EUPL-1.2",
        development_status="stable",
        software_type="standalone/web",
        platforms=("web", "linux"),
        categories=("cloud-management", "office"),
        release_date="2024-01-02",
        used_by=("City of X",),
        **more,  # type: ignore[arg-type]
    )


async def org(uow: SqlUnitOfWorkFactory, clock: FixedClock, handle: str = "city") -> Organisation:
    return await create_organisation(
        uow, clock, handle=handle, name=handle.title(), kind="government", keys=TEST_KEYS
    )


def local(org_id: str, clock: FixedClock, **changes: object) -> ToolListing:
    clock.advance(1)
    return new_local_listing(
        new_id(clock.now()), org_id, facts(**changes), "name: Medusa\n", clock.now()
    )


def remote(clock: FixedClock, iri: str, **changes: object) -> ToolListing:
    clock.advance(1)
    origin = Provenance(
        iri, "https://b.example/orgs/dev", "b.example", clock.now(), "https://b.example/orgs/dev"
    )
    return remote_listing(new_id(clock.now()), facts(**changes), origin, clock.now() - 100)


async def test_local_and_remote_listings_round_trip(
    uow: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    city = await org(uow, clock)
    mine = local(city.id, clock)
    theirs = remote(clock, "https://b.example/listings/1")
    async with uow() as tx:
        await tx.listings.add(mine)
        await tx.listings.add(theirs)
    async with uow(readonly=True) as tx:
        assert await tx.listings.get_by_id(mine.id) == mine
        assert await tx.listings.get_by_id(theirs.id) == theirs
        assert await tx.listings.get_by_origin(theirs.provenance.origin_iri) == theirs  # type: ignore[union-attr]
        assert await tx.listings.get_by_id("missing") is None


async def test_one_published_listing_per_organisation_and_repository(
    uow: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    city = await org(uow, clock)
    first = local(city.id, clock)
    async with uow() as tx:
        await tx.listings.add(first)
    same_tool = local(city.id, clock, repo="https://GitHub.com/X/Medusa.git/")
    with pytest.raises(ConflictError):
        async with uow() as tx:
            await tx.listings.add(same_tool)
    async with uow(readonly=True) as tx:
        found = await tx.listings.get_local_by_repository(city.id, "github.com/x/medusa")
    assert found == first
    async with uow() as tx:  # once withdrawn, the tool may be listed again
        await tx.listings.update(withdraw(first, city.id, clock.now()))
        await tx.listings.add(same_tool)
        assert (
            await tx.listings.get_local_by_repository(city.id, "github.com/x/medusa") == same_tool
        )


async def test_a_remote_object_iri_is_stored_once(
    uow: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    async with uow() as tx:
        await tx.listings.add(remote(clock, "https://b.example/listings/1"))
    with pytest.raises(ConflictError):
        async with uow() as tx:
            await tx.listings.add(remote(clock, "https://b.example/listings/1"))


async def test_update_and_delete(uow: SqlUnitOfWorkFactory, clock: FixedClock) -> None:
    theirs = remote(clock, "https://b.example/listings/1")
    async with uow() as tx:
        await tx.listings.add(theirs)
    changed = replace(theirs, facts=facts(name="Medusa 2"), updated_at=theirs.updated_at + 5)
    async with uow() as tx:
        await tx.listings.update(changed)
    async with uow() as tx:
        assert await tx.listings.get_by_id(theirs.id) == changed
        assert await tx.listings.delete(theirs.id) is True
        assert await tx.listings.delete(theirs.id) is False


async def test_search_over_text_facets_origin_and_pages(
    uow: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    city = await org(uow, clock)
    a = local(city.id, clock, name="Alpha mail")
    b = remote(
        clock, "https://b.example/listings/2", name="Beta_docs", repo="https://b.example/beta"
    )
    c = local(city.id, clock, name="Gone", repo="https://example.org/gone")
    async with uow() as tx:
        for listing in (a, b, c):
            await tx.listings.add(listing)
        await tx.listings.update(withdraw(c, city.id, clock.now()))

    async def ids(**query: object) -> list[str]:
        async with uow(readonly=True) as tx:
            return [x.id for x in await tx.listings.search(ListingQuery(**query))]  # type: ignore[arg-type]

    assert await ids() == [b.id, a.id]
    assert await ids(q="alpha") == [a.id]
    assert await ids(q="PAROLE lunghe") == [b.id, a.id]
    assert await ids(q="100%") == [b.id, a.id]
    assert await ids(q="1000%") == []
    assert await ids(q="beta_") == [b.id]
    assert await ids(q="betaxdocs") == []  # `_` is not a wildcard
    assert await ids(category="office") == [b.id, a.id]
    assert await ids(category="offic") == []
    assert await ids(platform="linux", license="EUPL-1.2") == [b.id, a.id]
    assert await ids(development_status="beta") == []
    assert await ids(software_type="standalone/web", origin="local") == [a.id]
    assert await ids(origin="remote") == [b.id]
    assert await ids(limit=1) == [b.id]
    assert await ids(limit=1, after=b.id) == [a.id]
