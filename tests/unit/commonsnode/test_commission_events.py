"""The commission event a job carries: every step survives the payload round trip, one
request's and one contract's steps share an ordering key, and a malformed payload is refused."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from commonsnode.commission_events import (
    COMMISSION_EVENT_JOB,
    CommissionEvent,
    PaymentNotice,
)
from commonsnode.model.contracts import ACTORS
from commonsnode.model.money import Money

CITY = "https://alpha.example/orgs/city"
PROOF = {"type": "DataIntegrityProof", "proofValue": "z3abc", "verificationMethod": "k#1"}
PAID = PaymentNotice(2, Money(1_000_000, "EUR"), date(2027, 3, 1), "TX-42")

EVENTS = [
    CommissionEvent("request-published", CITY, "r1"),
    CommissionEvent("request-updated", CITY, "r1"),
    CommissionEvent("bids-told", CITY, "r1"),
    CommissionEvent("bids-told", CITY, "r1", contract_id="c1"),
    CommissionEvent("bid-offered", CITY, "r1", bid_id="b1"),
    CommissionEvent("contract-sent", CITY, contract_id="c1"),
    CommissionEvent("contract-told", CITY, contract_id="c1", action="sign", proof=PROOF),
    CommissionEvent("contract-told", CITY, contract_id="c1", action="deliver", milestone=1),
    CommissionEvent("contract-told", CITY, contract_id="c1", action="dispute", reason="late"),
    CommissionEvent("payment-recorded", CITY, contract_id="c1", payment=PAID),
    CommissionEvent("completion-announced", CITY, contract_id="c1"),
]


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: f"{e.step}-{e.action}")
def test_every_step_round_trips_through_its_job(event: CommissionEvent) -> None:
    job = event.to_job()
    assert job.kind == COMMISSION_EVENT_JOB
    assert CommissionEvent.from_payload(job.payload) == event


def test_one_request_and_one_contract_keep_their_order() -> None:
    keys = {e.step: e.to_job().ordering_key for e in EVENTS}
    assert keys["request-published"] == keys["bids-told"] == keys["bid-offered"]
    assert keys["request-published"] == "commission-request:r1"
    assert keys["contract-sent"] == keys["contract-told"] == keys["payment-recorded"]
    assert keys["contract-sent"] == "commission-contract:c1"
    # the credit goes to a third node, whose outage must not hold back the parties' steps
    assert keys["completion-announced"] == "commission-credit:c1"


@pytest.mark.parametrize("action", ["sign", *ACTORS])
def test_every_contract_action_of_the_model_makes_an_event(action: str) -> None:
    event = CommissionEvent(
        "contract-told",
        CITY,
        contract_id="c1",
        action=action,
        proof=PROOF if action == "sign" else None,
        reason="why" if action in ("dispute", "terminate") else None,
    )
    assert CommissionEvent.from_payload(event.to_job().payload) == event


def test_the_payment_travels_as_the_body_record_payment_takes() -> None:
    payload = CommissionEvent("payment-recorded", CITY, contract_id="c1", payment=PAID).to_job()
    assert payload.payload["payment"] == {
        "milestone": 2,
        "amount": {"amount": 1_000_000, "currency": "EUR"},
        "date": "2027-03-01",
        "reference": "TX-42",
    }


def good() -> dict[str, Any]:
    return (
        CommissionEvent("payment-recorded", CITY, contract_id="c1", payment=PAID).to_job().payload
    )


@pytest.mark.parametrize(
    "change",
    [
        {"step": "contract-burnt"},
        {"step": None},
        {"actor": 7},
        {"actor": ""},
        {"contract": None},
        {"contract": ["c1"]},
        {"request": "r1", "contract": None},
        {"surprise": 1},
        {"payment": None},
        {"payment": "TX-42"},
        {"payment": {"milestone": 2, "amount": 10, "date": "2027-03-01", "reference": "x"}},
        {"payment": {**good()["payment"], "milestone": "2"}},
        {"payment": {**good()["payment"], "date": "yesterday"}},
        {"payment": {**good()["payment"], "reference": ""}},
        {"payment": {**good()["payment"], "amount": {"amount": -5, "currency": "EUR"}}},
        {"milestone": "1"},
        {"proof": "signed"},
    ],
)
def test_a_malformed_payload_is_refused(change: dict[str, Any]) -> None:
    payload = {**good(), **change}
    with pytest.raises((KeyError, TypeError, ValueError)):
        CommissionEvent.from_payload(payload)


@pytest.mark.parametrize(
    "payload",
    [
        {"actor": CITY, "request": "r1"},  # no step
        {"step": "request-published", "request": "r1"},  # no actor
        {"step": "request-published", "actor": CITY},  # no request
        {"step": "bid-offered", "actor": CITY, "request": "r1"},  # no bid
        {"step": "contract-told", "actor": CITY, "contract": "c1"},  # no action
        {"step": "contract-told", "actor": CITY, "contract": "c1", "action": "sign"},  # no proof
        {"step": "contract-told", "actor": CITY, "contract": "c1", "action": "pay"},
        {"step": "contract-sent", "actor": CITY, "contract": "c1", "proof": PROOF},
        {"step": "payment-recorded", "actor": CITY, "contract": "c1"},  # no payment
    ],
)
def test_a_step_without_what_it_needs_is_refused(payload: dict[str, Any]) -> None:
    with pytest.raises((KeyError, TypeError, ValueError)):
        CommissionEvent.from_payload(payload)
