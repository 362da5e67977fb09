"""Commission links and refusals on SQLite and PostgreSQL: one link per (IRI, kind), the first
stays; a refusal is kept once."""

from __future__ import annotations

from commonsnode.clock import FixedClock
from storage.unit_of_work import SqlUnitOfWorkFactory

REQUEST = "https://city.example/requests/r1"
CONTRACT = "https://city.example/contracts/c1"
BID = "https://dev.example/requests/m1/bids/b1"


async def test_links_are_per_iri_and_kind(uow: SqlUnitOfWorkFactory, clock: FixedClock) -> None:
    now = clock.now()
    async with uow() as tx:
        assert await tx.commission_links.link(REQUEST, "request", "m1", now) is True
        assert await tx.commission_links.link(REQUEST, "request", "m2", now) is False
        # The same IRI under another kind is another link (an award names the contract too).
        assert await tx.commission_links.link(CONTRACT, "award", "b1", now) is True
        assert await tx.commission_links.link(CONTRACT, "contract", "k1", now) is True
    async with uow(readonly=True) as tx:
        assert await tx.commission_links.local_id(REQUEST, "request") == "m1"
        assert await tx.commission_links.local_id(REQUEST, "bid") is None
        assert await tx.commission_links.local_id(CONTRACT, "contract") == "k1"
        assert await tx.commission_links.iri_of("m1", "request") == REQUEST
        assert await tx.commission_links.iri_of("k1", "award") is None


async def test_many_rows_iris_in_one_query(uow: SqlUnitOfWorkFactory, clock: FixedClock) -> None:
    async with uow() as tx:
        await tx.commission_links.link(BID, "offer", "b1", clock.now())
        await tx.commission_links.link(BID + "-later", "offer", "b1", clock.now() + 1)
        await tx.commission_links.link(REQUEST, "offer", "b2", clock.now())
        await tx.commission_links.link(CONTRACT, "award", "b3", clock.now())
    async with uow(readonly=True) as tx:
        found = await tx.commission_links.iris_of(["b1", "b2", "b3", "b4"], "offer")
        assert found == {"b1": BID, "b2": REQUEST}  # the first link of b1, as iri_of
        assert await tx.commission_links.iri_of("b1", "offer") == BID
        assert await tx.commission_links.iris_of([], "offer") == {}


async def test_a_refusal_is_kept_once(uow: SqlUnitOfWorkFactory, clock: FixedClock) -> None:
    async with uow() as tx:
        assert await tx.commission_links.refusal(BID) is None
        await tx.commission_links.add_refusal(BID, "Bid refused: too late", "late", clock.now())
        await tx.commission_links.add_refusal(BID, "other", "other", clock.now())
    async with uow(readonly=True) as tx:
        assert await tx.commission_links.refusal(BID) == ("Bid refused: too late", "late")
