"""Payments ledger: double entry with the operator's fee, idempotent, identical on both sides."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from commonsnode.errors import ConflictError, InvalidError
from commonsnode.model.bids import Bid, BidTerms, Milestone
from commonsnode.model.contracts import Contract, Party, contract_from_award
from commonsnode.model.ledger import (
    Ledger,
    Posting,
    balances,
    is_balanced,
    parse_payment,
    record,
    replay,
    statement,
)
from commonsnode.model.money import Money
from commonsnode.model.requests import new_request, parse_request_terms

CITY = "https://city.example/orgs/city"
DEV = "https://dev.example/orgs/dev"
OPERATOR = "https://commons.example/actor"
NOW = 1_800_000_000.0


def contract(currency: str = "EUR", amounts: tuple[int, ...] = (5_000_00, 10_000_00)) -> Contract:
    terms = parse_request_terms(
        {
            "kind": "new-tool",
            "title": "Tool",
            "description": "A tool.",
            "budget": {
                "min": {"amount": 0, "currency": currency},
                "max": {"amount": sum(amounts), "currency": currency},
            },
            "deadline": "2027-06-01",
            "criteria": {"price": 1},
        }
    )
    request = replace(
        new_request("req", CITY, terms, NOW), state="awarded", awarded_bid="bid", awarded_at=NOW
    )
    milestones = tuple(
        Milestone(f"M{i}", date(2027, 7, i), Money(a, currency))
        for i, a in enumerate(amounts, start=1)
    )
    bid = Bid(
        id="bid",
        request_id="req",
        bidder=DEV,
        terms=BidTerms(Money(sum(amounts), currency), 30, "…", milestones),
        submitted_at=NOW,
    )
    awarded = contract_from_award(
        f"https://city.example/contracts/{currency}",
        request,
        bid,
        buyer_name="City",
        supplier_name="Dev",
        operator=Party(OPERATOR, "Operator"),
        fee_basis_points=250,
        now=NOW,
    )
    return replace(awarded, state="in-progress")


def pay(c: Contract, milestone: int, amount: int, reference: str, day: str = "2027-07-15") -> Any:
    return parse_payment(
        {
            "milestone": milestone,
            "amount": {"amount": amount, "currency": c.terms.price.currency},
            "date": day,
            "reference": reference,
        },
        c,
    )


def test_a_payment_books_payer_payee_and_operator_fee() -> None:
    c = contract()
    ledger = record(Ledger(), c, pay(c, 1, 5_000_00, "TX-1"))
    (entry,) = ledger.entries
    assert entry.postings == (
        Posting(CITY, Money(-5_000_00, "EUR"), "paid"),
        Posting(DEV, Money(4_875_00, "EUR"), "received"),
        Posting(OPERATOR, Money(125_00, "EUR"), "fee"),
    )
    assert is_balanced(ledger)
    assert balances(ledger) == {
        (CITY, "EUR"): Money(-5_000_00, "EUR"),
        (DEV, "EUR"): Money(4_875_00, "EUR"),
        (OPERATOR, "EUR"): Money(125_00, "EUR"),
    }


@pytest.mark.parametrize(
    ("currency", "amount", "fee"),
    [("EUR", 1, 0), ("EUR", 20, 0), ("EUR", 60, 2), ("JPY", 999, 25), ("KWD", 1_001, 25)],
)
def test_fee_edge_cases_still_balance(currency: str, amount: int, fee: int) -> None:
    c = contract(currency, (amount,))
    ledger = record(Ledger(), c, pay(c, 1, amount, "TX"))
    assert is_balanced(ledger)
    postings = {p.kind: p.amount.amount for p in ledger.entries[0].postings}
    assert postings.get("fee", 0) == fee
    assert postings["received"] == amount - fee


def test_recording_the_same_payment_twice_changes_nothing() -> None:
    c = contract()
    once = record(Ledger(), c, pay(c, 1, 2_000_00, "TX-1"))
    twice = record(once, c, pay(c, 1, 2_000_00, "TX-1"))
    assert twice == once
    assert balances(twice) == balances(once)


def test_a_reference_reused_for_another_payment_is_refused() -> None:
    c = contract()
    once = record(Ledger(), c, pay(c, 1, 2_000_00, "TX-1"))
    with pytest.raises(ConflictError, match="already booked"):
        record(once, c, pay(c, 1, 3_000_00, "TX-1"))


def test_a_milestone_cannot_be_overpaid() -> None:
    c = contract()
    ledger = record(Ledger(), c, pay(c, 1, 4_000_00, "TX-1"))
    with pytest.raises(ConflictError, match=r"at most 1,000\.00 EUR more"):
        record(ledger, c, pay(c, 1, 1_000_01, "TX-2"))
    assert len(record(ledger, c, pay(c, 1, 1_000_00, "TX-2")).entries) == 2


@pytest.mark.parametrize("state", ["awaiting-signatures", "disputed"])
def test_no_payment_before_the_contract_is_in_force_or_while_disputed(state: str) -> None:
    c = replace(contract(), state=state)
    with pytest.raises(ConflictError, match=state):
        record(Ledger(), c, pay(c, 1, 100, "TX"))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"milestone": 3}, "milestone"),
        ({"milestone": 0}, "milestone"),
        ({"reference": " "}, "reference"),
        ({"amount": {"amount": 10.5, "currency": "EUR"}}, "amount"),
        ({"date": "15/07/2027"}, "date"),
    ],
)
def test_bad_payment_bodies_are_refused(body: dict[str, Any], field: str) -> None:
    data = {
        "milestone": 1,
        "amount": {"amount": 100, "currency": "EUR"},
        "date": "2027-07-15",
        "reference": "TX",
        **body,
    }
    with pytest.raises(InvalidError) as error:
        parse_payment(data, contract())
    assert error.value.field == field


def test_a_payment_in_another_currency_is_refused() -> None:
    c = contract()
    payment = replace(pay(c, 1, 100, "TX"), amount=Money(100, "USD"))
    with pytest.raises(InvalidError, match="in EUR"):
        record(Ledger(), c, payment)


def test_milestone_may_be_given_as_its_number_in_text() -> None:
    c = contract()
    data = {"milestone": "2", "amount": {"amount": 1, "currency": "EUR"}}
    assert parse_payment({**data, "date": "2027-07-15", "reference": "r"}, c).milestone == 2


def test_both_parties_derive_identical_ledgers_and_statements_in_any_order() -> None:
    c = contract()
    payments = [
        pay(c, 1, 5_000_00, "TX-1", "2027-07-10"),
        pay(c, 2, 3_333_33, "TX-2", "2027-08-01"),
        pay(c, 2, 6_666_67, "TX-3", "2027-08-02"),
    ]
    ledgers = [replay(c, order) for order in itertools.permutations(payments)]
    assert all(ledger == ledgers[0] for ledger in ledgers)
    ledger = ledgers[0]
    assert is_balanced(ledger)
    assert statement(ledger, CITY) == statement(ledger, DEV) == ledger.entries
    assert statement(ledger, OPERATOR) == ledger.entries
    assert statement(ledger, "https://someone.example/else") == ()
    fees = sum(p.amount.amount for e in ledger.entries for p in e.postings if p.kind == "fee")
    assert fees == 125_00 + 83_33 + 166_67  # 83.33325 → 83.33; 166.66675 → 166.67
    assert balances(ledger)[(CITY, "EUR")] == Money(-15_000_00, "EUR")
