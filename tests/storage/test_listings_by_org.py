"""ListingRepository.by_org and count_by_org on SQLite and PostgreSQL: one organisation's
published listings, newest first, keyset-paged, without withdrawn, remote or other orgs' ones."""

from __future__ import annotations

from commonsnode.clock import FixedClock
from commonsnode.model.listings import withdraw
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.storage.test_listing_repository import local, org, remote


async def test_by_org_pages_newest_first_without_withdrawn_or_others(
    db_url: str, uow: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    city = await org(uow, clock, "city")
    other = await org(uow, clock, "other")
    mine = [local(city.id, clock, repo=f"https://git.example/city/{i}") for i in range(5)]
    async with uow() as tx:
        for listing in mine:
            await tx.listings.add(listing)
        # the same repository by another organisation, and a remote listing of it
        await tx.listings.add(local(other.id, clock, repo="https://git.example/city/0"))
        await tx.listings.add(remote(clock, "https://b.example/listings/1"))
        gone = withdraw(mine[2], city.id, clock.now())
        await tx.listings.update(gone)
    newest_first = [x.id for x in reversed(mine) if x.id != gone.id]

    async with uow(readonly=True) as tx:
        first = await tx.listings.by_org(city.id, 2)
        second = await tx.listings.by_org(city.id, 2, first[-1].id)
        last = await tx.listings.by_org(city.id, 2, second[-1].id)
        everything = await tx.listings.by_org(city.id, 50)
        assert await tx.listings.count_by_org(city.id) == 4
        assert await tx.listings.count_by_org(other.id) == 1
        assert await tx.listings.by_org("no-such-org", 10) == []
        assert await tx.listings.count_by_org("no-such-org") == 0
    assert [x.id for x in first + second] == newest_first
    assert last == []
    assert [x.id for x in everything] == newest_first
    assert everything[0] == mine[-1]  # whole records, as stored
