"""Commission steps write their event job in the step's own transaction (SQLite and
PostgreSQL): an accepted step queues what it tells, a refused one and a repeated payment
queue nothing."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from commonsnode.clock import FixedClock
from commonsnode.commission_events import COMMISSION_EVENT_JOB
from commonsnode.errors import ConflictError, DomainError, ForbiddenError
from commonsnode.model.contracts import Party, Verifier
from commonsnode.usecases.bids import submit_bid
from commonsnode.usecases.contracts import (
    CommissionSettings,
    act_on_contract,
    award,
    sign_contract,
)
from commonsnode.usecases.payments import record_payment
from commonsnode.usecases.requests import act_on_request, create_request
from storage.db import Database
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.storage.test_commission_repositories import BID, request_body

ORIGIN = "https://city.example"
CITY = Party(f"{ORIGIN}/orgs/city", "City")
DEV = Party("https://dev.example/orgs/dev", "Dev")
SETTINGS = CommissionSettings(250, Party(f"{ORIGIN}/actor", "Operator"))
DAY = 86_400.0


class Iris:
    def request(self, request_id: str) -> str:
        return f"{ORIGIN}/requests/{request_id}"

    def contract(self, contract_id: str) -> str:
        return f"{ORIGIN}/contracts/{contract_id}"


def verify(document: Mapping[str, Any], party: str) -> bool:
    """A stand-in for the parties' keys: a proof verifies when it names its party."""
    return bool(document["proof"].get("by") == party)


async def verifiers(parties: Sequence[str], methods: Sequence[str]) -> Verifier:
    return verify


async def events(database: Database) -> list[dict[str, Any]]:
    async with database.transaction(readonly=True) as connection:
        rows = await connection.execute(
            sa.text("SELECT payload FROM jobs WHERE kind = :kind ORDER BY id"),
            {"kind": COMMISSION_EVENT_JOB},
        )
        return [json.loads(row.payload) for row in rows]


async def steps_after(database: Database, seen: int) -> list[str]:
    return [e["step"] for e in (await events(database))[seen:]]


async def test_each_accepted_step_queues_its_event_and_a_refused_one_nothing(
    uow: SqlUnitOfWorkFactory, database: Database, clock: FixedClock
) -> None:
    body = request_body(recipients=[DEV.id], deadline="2027-03-01")
    await create_request(uow, clock, CITY, body, request_id="draft", publish=False)
    assert await events(database) == []  # a draft tells nobody
    with pytest.raises(DomainError):
        await create_request(uow, clock, CITY, {**body, "recipients": [CITY.id]}, request_id="x")
    assert await events(database) == []

    await create_request(uow, clock, CITY, body, request_id="r1")
    assert await events(database) == [
        {"step": "request-published", "actor": CITY.id, "request": "r1"}
    ]

    with pytest.raises(DomainError):  # the requester may not bid on its own request
        await submit_bid(uow, clock, "r1", CITY, BID, bid_id="b0", bid_iri=f"{ORIGIN}/b0")
    assert await steps_after(database, 1) == []
    await submit_bid(uow, clock, "r1", DEV, BID, bid_id="b1", bid_iri=f"{ORIGIN}/b1")
    assert (await events(database))[1:] == [
        {"step": "bid-offered", "actor": DEV.id, "request": "r1", "bid": "b1"}
    ]

    with pytest.raises(ConflictError):  # bids are taken until the deadline
        await award(uow, clock, SETTINGS, Iris(), "r1", CITY.id, "b1", contract_id="c1")
    assert await steps_after(database, 2) == []
    clock.advance(400 * DAY)
    await award(uow, clock, SETTINGS, Iris(), "r1", CITY.id, "b1", contract_id="c1")
    assert await steps_after(database, 2) == ["bids-told", "request-updated", "contract-sent"]

    with pytest.raises(DomainError):  # a proof that does not verify for its party
        await sign_contract(uow, clock, verifiers, "c1", CITY.id, {"by": DEV.id})
    assert await steps_after(database, 5) == []
    for party in (CITY, DEV):
        await sign_contract(uow, clock, verifiers, "c1", party.id, {"by": party.id})
    await sign_contract(uow, clock, verifiers, "c1", CITY.id, {"by": CITY.id})  # the same again
    told = (await events(database))[5:]
    assert [(e["step"], e["action"], e["actor"], e["proof"]) for e in told] == [
        ("contract-told", "sign", CITY.id, {"by": CITY.id}),
        ("contract-told", "sign", DEV.id, {"by": DEV.id}),
    ]

    with pytest.raises(ForbiddenError):  # only the supplier delivers
        await act_on_contract(uow, clock, verifiers, "c1", CITY.id, "deliver", milestone=1)
    assert await steps_after(database, 7) == []
    await act_on_contract(uow, clock, verifiers, "c1", DEV.id, "deliver", milestone=1)
    assert (await events(database))[7:] == [
        {
            "step": "contract-told",
            "actor": DEV.id,
            "contract": "c1",
            "action": "deliver",
            "milestone": 1,
        }
    ]

    payment = {"milestone": 1, "amount": BID["milestones"][0]["amount"], "date": "2027-09-01"}
    with pytest.raises(ForbiddenError):  # only the buyer pays
        await record_payment(uow, "c1", DEV.id, {**payment, "reference": "TX-1"})
    assert await steps_after(database, 8) == []
    _, created = await record_payment(uow, "c1", CITY.id, {**payment, "reference": " TX-1 "})
    assert created
    again = await record_payment(uow, "c1", CITY.id, {**payment, "reference": "TX-1"})
    assert again[1] is False  # the idempotent repeat tells nothing again
    (paid,) = (await events(database))[8:]
    assert paid["step"] == "payment-recorded"
    assert paid["payment"] == {**payment, "reference": "TX-1"}


async def test_a_cancellation_tells_the_recipients_and_the_bidders(
    uow: SqlUnitOfWorkFactory, database: Database, clock: FixedClock
) -> None:
    body = request_body(recipients=[DEV.id], deadline="2027-03-01")
    await create_request(uow, clock, CITY, body, request_id="r1", publish=False)
    with pytest.raises(DomainError):  # only the requester publishes
        await act_on_request(uow, clock, "r1", DEV.id, "publish")
    assert await events(database) == []
    await act_on_request(uow, clock, "r1", CITY.id, "publish")
    await act_on_request(uow, clock, "r1", CITY.id, "cancel", reason="no budget")
    with pytest.raises(DomainError):  # cancelled already
        await act_on_request(uow, clock, "r1", CITY.id, "cancel")
    assert [(e["step"], e["request"]) for e in await events(database)] == [
        ("request-published", "r1"),
        ("request-updated", "r1"),
        ("bids-told", "r1"),
    ]


async def completed_contract(
    uow: SqlUnitOfWorkFactory,
    clock: FixedClock,
    request_id: str,
    listing: str,
    *,
    tell: bool = True,
) -> None:
    """A change request about `listing`, awarded and carried to completion; `tell` False for
    the buyer's acceptances, as the supplier's node applies them from the buyer's node."""
    deadline = datetime.fromtimestamp(clock.now() + 30 * DAY, UTC).date().isoformat()
    body = request_body(kind="change", listing=listing, recipients=[DEV.id], deadline=deadline)
    await create_request(uow, clock, CITY, body, request_id=request_id)
    bid = f"{request_id}-bid"
    await submit_bid(uow, clock, request_id, DEV, BID, bid_id=bid, bid_iri=f"{ORIGIN}/{bid}")
    clock.advance(400 * DAY)
    contract = f"{request_id}-contract"
    await award(uow, clock, SETTINGS, Iris(), request_id, CITY.id, bid, contract_id=contract)
    for party in (CITY, DEV):
        await sign_contract(uow, clock, verifiers, contract, party.id, {"by": party.id})
    for milestone in (1, 2):
        await act_on_contract(
            uow, clock, verifiers, contract, DEV.id, "deliver", milestone=milestone
        )
        await act_on_contract(
            uow, clock, verifiers, contract, CITY.id, "accept", milestone=milestone, tell=tell
        )


async def test_a_completion_is_announced_only_about_another_nodes_listing(
    uow: SqlUnitOfWorkFactory, database: Database, clock: FixedClock
) -> None:
    # the contract is awarded here, so without `listings` its own origin names our listings
    await completed_contract(uow, clock, "ours", f"{ORIGIN}/listings/tool-1")
    await completed_contract(uow, clock, "theirs", "https://tools.example/listings/tool-2")
    announced = [e for e in await events(database) if e["step"] == "completion-announced"]
    assert announced == [
        {"step": "completion-announced", "actor": CITY.id, "contract": "theirs-contract"}
    ]


async def test_a_step_applied_from_another_node_queues_no_event(
    uow: SqlUnitOfWorkFactory, database: Database, clock: FixedClock
) -> None:
    """The inbox applies another node's steps with `tell=False`: that node tells its own steps,
    so a job here would only find, three transactions later, that there is nothing to do."""
    body = request_body(recipients=[DEV.id], deadline="2027-03-01")
    await create_request(uow, clock, CITY, body, request_id="mirror", tell=False)
    await create_request(uow, clock, CITY, body, request_id="cancelled", tell=False)
    await act_on_request(uow, clock, "cancelled", CITY.id, "cancel", tell=False)
    await submit_bid(
        uow, clock, "mirror", DEV, BID, bid_id="b1", bid_iri=f"{ORIGIN}/b1", tell=False
    )
    clock.advance(400 * DAY)
    await award(uow, clock, SETTINGS, Iris(), "mirror", CITY.id, "b1", contract_id="c1")
    seen = len(await events(database))  # the award's own steps
    await sign_contract(uow, clock, verifiers, "c1", CITY.id, {"by": CITY.id}, tell=False)
    await sign_contract(uow, clock, verifiers, "c1", DEV.id, {"by": DEV.id}, tell=False)
    await act_on_contract(uow, clock, verifiers, "c1", DEV.id, "deliver", milestone=1, tell=False)
    payment = {"milestone": 1, "amount": BID["milestones"][0]["amount"], "date": "2027-09-01"}
    _, created = await record_payment(
        uow, "c1", CITY.id, {**payment, "reference": "TX"}, tell=False
    )
    assert created
    assert await steps_after(database, seen) == []
    # the contract's completion, applied from the buyer's node, announces nothing either
    await completed_contract(
        uow, clock, "remote", "https://tools.example/listings/tool-2", tell=False
    )
    assert "completion-announced" not in await steps_after(database, seen)
