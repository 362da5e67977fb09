"""The rating repository on SQLite and PostgreSQL: save/replace, one per rater, paging, counts."""

from __future__ import annotations

import pytest

from commonsnode.clock import FixedClock
from commonsnode.errors import ConflictError
from commonsnode.model.rating_aggregates import ScoreCount, summarise
from commonsnode.model.ratings import Rating, give
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.storage.test_listing_repository import local, org, remote


async def setup_listings(uow: SqlUnitOfWorkFactory, clock: FixedClock) -> tuple[str, str, str]:
    city = await org(uow, clock)
    mine = local(city.id, clock)
    theirs = remote(clock, "https://b.example/listings/1", repo="https://github.com/x/other")
    async with uow() as tx:
        await tx.listings.add(mine)
        await tx.listings.add(theirs)
    return city.id, mine.id, theirs.id


def remote_rating(listing_id: str, n: int, overall: int, now: float) -> Rating:
    return give(
        None,
        f"r{n:03d}",
        listing_id,
        {"overall": overall, "privacy": 3},
        f"text {n}",
        now,
        author_iri=f"https://n{n}.example/orgs/x",
        origin_iri=f"https://n{n}.example/ratings/{n}",
        node_host=f"n{n % 2}.example",
        via_iri=f"https://n{n}.example/orgs/x",
    )


async def test_save_replace_and_delete(uow: SqlUnitOfWorkFactory, clock: FixedClock) -> None:
    city, _, theirs = await setup_listings(uow, clock)
    rating = give(None, "r1", theirs, {"overall": 4, "privacy": 5}, "ok", 10.0, org_id=city)
    async with uow() as tx:
        await tx.ratings.save(rating)
    async with uow(readonly=True) as tx:
        assert await tx.ratings.get_by_rater(theirs, city) == rating
        assert await tx.ratings.get_by_id("r1") == rating
    replaced = give(rating, "r2", theirs, {"overall": 2}, "", 20.0, org_id=city)
    async with uow() as tx:
        await tx.ratings.save(replaced)
    async with uow(readonly=True) as tx:
        assert await tx.ratings.get_by_rater(theirs, city) == replaced
        assert (await tx.ratings.score_counts([theirs]))[theirs] == [
            ScoreCount("overall", 2, None, 1)
        ]
    async with uow() as tx:
        assert await tx.ratings.delete("r1")
        assert not await tx.ratings.delete("r1")
        assert await tx.ratings.score_counts([theirs]) == {}


async def test_one_rating_per_rater_and_listing(
    uow: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    city, _, theirs = await setup_listings(uow, clock)
    async with uow() as tx:
        await tx.ratings.save(give(None, "r1", theirs, {"overall": 4}, "", 1.0, org_id=city))
    with pytest.raises(ConflictError):
        async with uow() as tx:
            await tx.ratings.save(give(None, "r2", theirs, {"overall": 1}, "", 2.0, org_id=city))
    async with uow(readonly=True) as tx:
        assert (await tx.ratings.get_by_rater(theirs, city)).scores == {"overall": 4}  # type: ignore[union-attr]


async def test_paging_newest_first_and_grouped_counts(
    uow: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    _, mine, theirs = await setup_listings(uow, clock)
    async with uow() as tx:
        for n in range(5):
            await tx.ratings.save(remote_rating(mine, n, 1 + n % 5, 100.0 + n))
        await tx.ratings.save(remote_rating(theirs, 9, 5, 50.0))
    seen: list[str] = []
    cursor = None
    async with uow(readonly=True) as tx:
        while True:
            page = await tx.ratings.page(mine, 2, cursor)
            seen += [r.id for r in page.ratings]
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        counts = await tx.ratings.score_counts([mine, theirs, "none"])
        found = await tx.ratings.get_by_origin("https://n3.example/ratings/3")
    assert seen == ["r004", "r003", "r002", "r001", "r000"]
    assert found is not None
    assert found.author_iri == "https://n3.example/orgs/x"
    summary = summarise(counts[mine])
    assert summary.count == 5
    assert summary.mean("overall") == 3.0
    assert summary.nodes == {"n0.example": 3, "n1.example": 2}
    assert summarise(counts[theirs]).count == 1
    assert "none" not in counts


async def test_a_deleted_listing_takes_its_ratings(
    uow: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    _, _, theirs = await setup_listings(uow, clock)
    async with uow() as tx:
        await tx.ratings.save(remote_rating(theirs, 1, 4, 1.0))
        await tx.listings.delete(theirs)
    async with uow(readonly=True) as tx:
        assert await tx.ratings.get_by_origin("https://n1.example/ratings/1") is None
        assert await tx.ratings.score_counts([theirs]) == {}
