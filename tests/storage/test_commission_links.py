"""Commission links and refusals on SQLite and PostgreSQL: one link per (IRI, kind), the first
stays; a refusal is kept once; a received object's link is written with its row."""

from __future__ import annotations

import pytest

from commonsnode.clock import FixedClock
from commonsnode.model.contracts import Party
from commonsnode.usecases.bids import submit_bid
from commonsnode.usecases.remote_links import AlreadyReceived, RemoteLink
from commonsnode.usecases.requests import create_request
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.storage.test_commission_repositories import BID as BID_BODY
from tests.storage.test_commission_repositories import request_body

REQUEST = "https://city.example/requests/r1"
CONTRACT = "https://city.example/contracts/c1"
BID = "https://dev.example/requests/m1/bids/b1"
CITY = Party("https://city.example/orgs/city", "City")
DEV = Party("https://dev.example/orgs/dev", "Dev")


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


async def test_a_replayed_request_or_bid_is_the_row_kept_the_first_time(
    uow: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    """The link is written with the mirror (or the bid) it names, so the inbox job's replay of
    the same activity finds that row: no second mirror, and a bid is not refused as a
    duplicate (nor as late, once the request closed)."""
    body = request_body(deadline="2027-03-01")
    received = RemoteLink(REQUEST, "request")
    first = await create_request(
        uow, clock, CITY, body, request_id="m1", tell=False, received=received
    )
    again = await create_request(
        uow, clock, CITY, body, request_id="m2", tell=False, received=received
    )
    assert again == first
    offer = RemoteLink("https://dev.example/activities/o1", "offer")
    bid = await submit_bid(
        uow, clock, "m1", DEV, BID_BODY, bid_id="b1", bid_iri=BID, tell=False, offer=offer
    )
    clock.advance(400 * 86_400.0)
    replayed = await submit_bid(
        uow, clock, "m1", DEV, BID_BODY, bid_id="b2", bid_iri=BID, tell=False, offer=offer
    )
    assert replayed == bid
    async with uow(readonly=True) as tx:
        assert await tx.commission_requests.get("m2") is None
        assert [b.id for b in await tx.bids.for_request("m1")] == ["b1"]
        assert await tx.commission_links.local_id(REQUEST, "request") == "m1"
        assert await tx.commission_links.local_id(offer.iri, "offer") == "b1"


async def test_a_racing_receipt_keeps_nothing(uow: SqlUnitOfWorkFactory, clock: FixedClock) -> None:
    """The IRI was linked by another transaction meanwhile: this one writes no row at all."""
    async with uow() as tx:
        await tx.commission_links.link(REQUEST, "request", "elsewhere", clock.now())
    with pytest.raises(AlreadyReceived):
        await create_request(
            uow,
            clock,
            CITY,
            request_body(deadline="2027-03-01"),
            request_id="m1",
            tell=False,
            received=RemoteLink(REQUEST, "request"),
        )
    async with uow(readonly=True) as tx:
        assert await tx.commission_requests.get("m1") is None
