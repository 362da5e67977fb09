"""Commission storage on SQLite and PostgreSQL: requests, bids, contracts and the ledger."""

from __future__ import annotations

from datetime import date

from commonsnode.clock import FixedClock
from commonsnode.model.bids import new_bid, parse_bid_terms, settle
from commonsnode.model.contracts import Party, Signature, contract_from_award
from commonsnode.model.ledger import Payment, postings_for
from commonsnode.model.money import Money
from commonsnode.model.requests import new_request, parse_request_terms, transition
from storage.unit_of_work import SqlUnitOfWorkFactory

CITY = "https://city.example/orgs/city"
DEV = "https://city.example/orgs/dev"
HELP = "https://other.example/orgs/help"
OPERATOR = Party("https://city.example/actor", "Operator")


def eur(amount: int) -> dict[str, object]:
    return {"amount": amount, "currency": "EUR"}


def request_body(**changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "kind": "new-tool",
        "title": "Permit tracker",
        "description": "Track building permits",
        "budget": {"min": eur(1_000_000), "max": eur(5_000_000)},
        "deadline": "2027-03-01",
        "criteria": {"price": 40, "timeline": 30, "reputation": 20, "approach": 10},
        "requirements": ["EUPL licence", "WCAG 2.1 AA"],
    }
    body.update(changes)
    return body


BID = {
    "price": eur(3_000_000),
    "timeline_days": 90,
    "approach": "Iterative, open from day one",
    "milestones": [
        {"title": "Prototype", "due": "2027-04-01", "amount": eur(1_000_000)},
        {"title": "Release", "due": "2027-06-01", "amount": eur(2_000_000)},
    ],
    "team": ["lead developer"],
}


async def test_requests_round_trip_and_visibility(
    uow: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    now = clock.now()
    public = transition(
        new_request("r1", CITY, parse_request_terms(request_body()), now), "publish", CITY, now
    )
    directed = transition(
        new_request("r2", CITY, parse_request_terms(request_body(recipients=[DEV])), now),
        "publish",
        CITY,
        now,
    )
    draft = new_request("r3", CITY, parse_request_terms(request_body()), now)
    async with uow() as tx:
        for request in (public, directed, draft):
            await tx.commission_requests.add(request, "City")
    async with uow(readonly=True) as tx:
        assert await tx.commission_requests.get("r1") == public
        assert await tx.commission_requests.get("r2") == directed
        assert await tx.commission_requests.name_of("r1") == "City"
        assert {r.id for r in await tx.commission_requests.visible(CITY, 10)} == {"r1", "r2", "r3"}
        assert [r.id for r in await tx.commission_requests.visible(DEV, 10)] == ["r2", "r1"]
        assert [r.id for r in await tx.commission_requests.visible(HELP, 10)] == ["r1"]
        assert [r.id for r in await tx.commission_requests.visible(None, 10)] == ["r1"]
        assert [r.id for r in await tx.commission_requests.visible(CITY, 1, after="r2")] == ["r1"]
    closed = transition(public, "cancel", CITY, now + 1, reason="no money")
    async with uow() as tx:
        await tx.commission_requests.update(closed)
    async with uow(readonly=True) as tx:
        assert await tx.commission_requests.get("r1") == closed


async def test_bids_contracts_and_an_idempotent_ledger(
    uow: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    now = clock.now()
    request = transition(
        new_request("r1", CITY, parse_request_terms(request_body()), now), "publish", CITY, now
    )
    bid = new_bid("b1", request, DEV, parse_bid_terms(BID), now + 1)
    other = new_bid("b2", request, HELP, parse_bid_terms(BID), now + 2)
    async with uow() as tx:
        await tx.commission_requests.add(request, "City")
        await tx.bids.add(bid, "Dev Co-op", "https://city.example/requests/r1/bids/b1")
        await tx.bids.add(other, "Help Ltd", "https://other.example/bids/9")
        await tx.bids.set_mark("b2", 7)
    async with uow(readonly=True) as tx:
        assert await tx.bids.for_request("r1") == [bid, other]
        assert await tx.bids.get("b1") == bid
        assert await tx.bids.iri_of("b2") == "https://other.example/bids/9"
        assert await tx.bids.iris_for_request(bid.request_id) == {
            bid.id: "https://city.example/requests/r1/bids/b1",
            other.id: "https://other.example/bids/9",
        }
        assert await tx.bids.names("r1") == {DEV: "Dev Co-op", HELP: "Help Ltd"}
        assert await tx.bids.marks("r1") == {"b2": 7}

    closed = transition(request, "close", None, request.terms.deadline)
    awarded = transition(closed, "award", CITY, closed.terms.deadline + 1, bid_id="b1")
    contract = contract_from_award(
        "https://city.example/contracts/c1",
        awarded,
        bid,
        buyer_name="City",
        supplier_name="Dev Co-op",
        operator=OPERATOR,
        fee_basis_points=250,
        now=awarded.terms.deadline + 1,
    )
    async with uow() as tx:
        await tx.commission_requests.update(awarded)
        await tx.bids.set_status(settle([bid, other], "b1"))
        await tx.contracts.add("c1", contract, "r1")
    signed = contract.__class__(
        terms=contract.terms,
        state="signed",
        milestone_states=contract.milestone_states,
        updated_at=contract.updated_at + 5,
        signatures=(Signature(CITY, {"proofValue": "z1"}, contract.updated_at + 5),),
        accepted_at=contract.accepted_at,
    )
    async with uow() as tx:
        await tx.contracts.save(signed)
    async with uow(readonly=True) as tx:
        assert [b.status for b in await tx.bids.for_request("r1")] == ["awarded", "not-awarded"]
        assert await tx.contracts.get("c1") == (signed, "r1")
        assert await tx.contracts.for_request("r1") == ("c1", signed)
        assert await tx.contracts.for_party(DEV, 10) == [("c1", signed)]
        assert await tx.contracts.for_party(HELP, 10) == []
        assert await tx.contracts.get("missing") is None

    payment = Payment(
        contract=contract.id,
        milestone=1,
        payer=CITY,
        payee=DEV,
        amount=Money(1_000_000, "EUR"),
        date=date(2027, 4, 2),
        reference="TX-1",
    )
    lines = [(p.account, p.amount.amount, p.kind) for p in postings_for(payment, signed)]
    async with uow() as tx:
        assert await tx.ledger.add(payment, lines) is True
    async with uow() as tx:
        # The unique (contract, reference) decides: the second booking writes nothing.
        assert await tx.ledger.add(payment, lines) is False
    async with uow(readonly=True) as tx:
        assert await tx.ledger.for_contract(contract.id) == [payment]


async def test_the_board_filters_by_kind_and_audience_in_the_query(
    uow: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    # Two support requests (one directed to DEV), then thirty newer change requests: a page of
    # ten filtered after loading would hold no support request at all.
    now = clock.now()
    tool = "https://city.example/listings/x"
    bodies = [request_body(kind="support", listing=tool)]
    bodies += [request_body(kind="support", listing=tool, recipients=[DEV])]
    bodies += [request_body(kind="change", listing=tool)] * 30
    async with uow() as tx:
        for number, body in enumerate(bodies):
            made = new_request(f"r{number:02d}", CITY, parse_request_terms(body), now)
            await tx.commission_requests.add(transition(made, "publish", CITY, now), "City")
    async with uow(readonly=True) as tx:
        requests = tx.commission_requests
        assert [r.id for r in await requests.visible(DEV, 10, kind="support")] == ["r01", "r00"]
        assert [r.id for r in await requests.visible(None, 10, kind="support")] == ["r00"]
        assert [r.id for r in await requests.visible(DEV, 10, directed=True)] == ["r01"]
        assert [r.id for r in await requests.visible(HELP, 10, directed=True)] == []
        public = await requests.visible(DEV, 10, kind="support", directed=False)
        assert [r.id for r in public] == ["r00"]
        assert await requests.visible(None, 10, kind="new-tool") == []
        # Paging through a filtered list: full pages of matches, then the rest, nothing twice.
        seen: list[str] = []
        after = None
        while page := await requests.visible(HELP, 10, after=after, kind="change"):
            assert len(page) == 10 or len(seen) + len(page) == 30
            seen += [r.id for r in page]
            after = page[-1].id
        assert seen == [f"r{n:02d}" for n in range(31, 1, -1)]
        assert await requests.visible(HELP, 10, state="open", kind="change", after="r12") == [
            await requests.get(f"r{n:02d}") for n in range(11, 1, -1)
        ]
