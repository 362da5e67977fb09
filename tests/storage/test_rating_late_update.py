"""A late Update of an old rating (a retried delivery, a relay, a backfill) must not overwrite
the newer rating of the same author and listing: versions are ordered by the author's time."""

from __future__ import annotations

from commonsnode.clock import FixedClock
from commonsnode.model.ratings import Rating
from commonsnode.usecases.ratings import store_remote_rating
from federation.convert.ratings import from_ap, to_ap
from federation.iris import LocalIris
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.storage.test_listing_repository import remote

PEER = LocalIris("https://c.example")
AUTHOR = "https://c.example/orgs/town"
LISTING = "https://b.example/listings/1"


def note(overall: int, text: str, created: float, updated: float) -> dict[str, object]:
    """The Note the author's node sends for one version of its rating."""
    rating = Rating("r1", "l1", {"overall": overall}, text, created, updated, "o1")
    return to_ap(
        rating,
        PEER,
        handle="town",
        rater_name="Town",
        tool_name="Medusa",
        listing_iri=LISTING,
        listing_author=None,
    )


async def receive(
    uow: SqlUnitOfWorkFactory, clock: FixedClock, document: dict[str, object]
) -> Rating | None:
    """What the inbox handler does with a proven Note (federation/inbox/handlers)."""
    async with uow(readonly=True) as tx:
        listing = await tx.listings.get_by_origin(LISTING)
    assert listing is not None
    read = from_ap(dict(document), clock.now())
    return await store_remote_rating(
        uow,
        clock,
        listing,
        origin_iri=str(document["id"]),
        author_iri=AUTHOR,
        node_host="c.example",
        via_iri=AUTHOR,
        scores=read.scores,
        text=read.text,
        published_at=read.published_at,
        authored_at=read.updated_at,
    )


async def test_an_older_version_arriving_late_keeps_the_newer_one(
    uow: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    async with uow() as tx:
        await tx.listings.add(remote(clock, LISTING))
    t0 = clock.now()
    first = note(2, "Slow.", t0, t0)
    second = note(5, "Fixed now.", t0, t0 + 3600)

    clock.advance(7200)
    assert (await receive(uow, clock, first)) is not None
    newer = await receive(uow, clock, second)
    assert newer is not None
    assert (dict(newer.scores), newer.text) == ({"overall": 5}, "Fixed now.")

    clock.advance(60)
    late = await receive(uow, clock, first)  # the first version, redelivered after the Update
    assert late is not None
    assert (dict(late.scores), late.text) == ({"overall": 5}, "Fixed now.")
    async with uow(readonly=True) as tx:
        kept = await tx.ratings.get_by_origin(str(first["id"]))
    assert kept is not None
    assert (dict(kept.scores), kept.text) == ({"overall": 5}, "Fixed now.")

    # A version written later still replaces it.
    third = note(4, "Good.", t0, t0 + 7000)
    changed = await receive(uow, clock, third)
    assert changed is not None
    assert (dict(changed.scores), changed.text) == ({"overall": 4}, "Good.")


async def test_the_author_time_is_not_taken_from_the_future(
    uow: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    async with uow() as tx:
        await tx.listings.add(remote(clock, LISTING))
    t0 = clock.now()
    # A clock far ahead on the author's node must not freeze the rating against later Updates.
    ahead = await receive(uow, clock, note(1, "Ahead.", t0, t0 + 10**9))
    assert ahead is not None
    assert ahead.updated_at == clock.now()
    clock.advance(10)
    fixed = await receive(uow, clock, note(3, "Later.", t0, t0 + 5))
    assert fixed is not None
    assert fixed.text == "Later."
