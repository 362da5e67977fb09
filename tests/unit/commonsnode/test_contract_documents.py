"""A stored or received contract document reads back into terms that sign the same bytes."""

from __future__ import annotations

import pytest

from commonsnode.errors import InvalidError
from commonsnode.model.bids import new_bid, parse_bid_terms
from commonsnode.model.contract_documents import terms_from_document
from commonsnode.model.contracts import (
    ContractTerms,
    Party,
    canonical,
    contract_from_award,
    document,
)
from commonsnode.model.requests import new_request, parse_request_terms, transition

CITY = "https://city.example/orgs/city"
DEV = "https://dev.example/orgs/dev"


def eur(amount: int) -> dict[str, object]:
    return {"amount": amount, "currency": "EUR"}


def terms() -> ContractTerms:
    request = new_request(
        "r1",
        CITY,
        parse_request_terms(
            {
                "kind": "support",
                "listing": "https://city.example/listings/1",
                "title": "Hosting",
                "description": "Host it",
                "requirements": ["ISO 27001"],
                "budget": {"min": eur(0), "max": eur(90_000)},
                "deadline": "2027-03-01",
                "criteria": {"price": 1},
            }
        ),
        1_800_000_000.5,
    )
    request = transition(request, "publish", CITY, 1_800_000_000.5)
    bid = new_bid(
        "b1",
        request,
        DEV,
        parse_bid_terms(
            {
                "price": eur(90_000),
                "timeline_days": 365,
                "approach": "Managed hosting",
                "milestones": [
                    {"title": "Q1", "due": "2027-06-30", "amount": eur(45_001)},
                    {"title": "Q2", "due": "2027-09-30", "amount": eur(44_999)},
                ],
                "team": ["ops"],
            }
        ),
        1_800_000_100.25,
    )
    request = transition(request, "close", None, request.terms.deadline + 0.75)
    request = transition(request, "award", CITY, request.terms.deadline + 3.5, bid_id="b1")
    return contract_from_award(
        "https://city.example/contracts/c1",
        request,
        bid,
        buyer_name="City",
        supplier_name="Dev",
        operator=Party("https://city.example/actor", "Operator"),
        fee_basis_points=175,
        now=request.terms.deadline + 3.5,
        request_iri="https://city.example/requests/r1",
        bid_iri="https://city.example/requests/r1/bids/b1",
    ).terms


def test_document_round_trips_to_the_same_canonical_bytes() -> None:
    original = terms()
    again = terms_from_document(document(original))
    assert canonical(again) == canonical(original)
    assert again.milestones == original.milestones
    assert again.listing == original.listing


def test_a_document_that_does_not_round_trip_is_refused() -> None:
    doc = document(terms())
    doc["paymentSchedule"][0]["platformFee"]["amount"] += 1  # a fee the terms do not give
    with pytest.raises(InvalidError, match="canonical"):
        terms_from_document(doc)
    with pytest.raises(InvalidError, match="missing or malformed"):
        terms_from_document({k: v for k, v in document(terms()).items() if k != "price"})
    with pytest.raises(InvalidError, match="not a CommissionContract"):
        terms_from_document({**document(terms()), "version": 2})
