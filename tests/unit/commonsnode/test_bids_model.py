"""Bids: body checks and every refusal a requester's node gives, with its reason."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import pytest

from commonsnode.errors import InvalidError
from commonsnode.model.bids import (
    ClosedRequestError,
    LateBidError,
    NotInvitedError,
    OwnRequestError,
    check_award,
    new_bid,
    parse_bid_terms,
    settle,
    terms_to_json,
)
from commonsnode.model.money import Money
from commonsnode.model.requests import Request, new_request, parse_request_terms

CITY = "https://city.example/orgs/city"
DEV = "https://dev.example/orgs/dev"
OTHER = "https://other.example/orgs/support"
NOW = 1_800_000_000.0


def open_request(**changes: Any) -> Request:
    data: dict[str, Any] = {
        "kind": "new-tool",
        "title": "Permit tracker",
        "description": "Track building permits.",
        "budget": {
            "min": {"amount": 0, "currency": "EUR"},
            "max": {"amount": 50_000_00, "currency": "EUR"},
        },
        "deadline": "2027-06-01T00:00:00Z",
        "criteria": {"price": 1, "approach": 1},
    }
    data.update(changes)
    draft = new_request("req-1", CITY, parse_request_terms(data), NOW - 100)
    return replace(draft, state="open", published_at=NOW - 50)


def bid_body(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "price": {"amount": 30_000_00, "currency": "EUR"},
        "timeline_days": 90,
        "approach": "Extend an existing open-source permit system.",
        "milestones": [
            {
                "title": "Prototype",
                "due": "2027-07-01",
                "amount": {"amount": 10_000_00, "currency": "EUR"},
            },
            {
                "title": "Release",
                "due": "2027-09-01",
                "amount": {"amount": 20_000_00, "currency": "EUR"},
            },
        ],
        "team": ["lead developer", "designer"],
    }
    data.update(changes)
    return data


def test_a_good_bid_is_read_and_written_back_unchanged() -> None:
    terms = parse_bid_terms(bid_body())
    assert terms.price == Money(30_000_00, "EUR")
    assert [m.title for m in terms.milestones] == ["Prototype", "Release"]
    assert terms_to_json(terms) == bid_body()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"price": {"amount": 30.5, "currency": "EUR"}}, "price"),
        ({"timeline_days": 0}, "timeline_days"),
        ({"timeline_days": 1.5}, "timeline_days"),
        ({"approach": " "}, "approach"),
        ({"milestones": []}, "milestones"),
        (
            {
                "milestones": [
                    {
                        "title": "All",
                        "due": "soon",
                        "amount": {"amount": 30_000_00, "currency": "EUR"},
                    }
                ]
            },
            "milestones[0].due",
        ),
        (
            {
                "milestones": [
                    {
                        "title": "",
                        "due": "2027-07-01",
                        "amount": {"amount": 30_000_00, "currency": "EUR"},
                    }
                ]
            },
            "milestones",
        ),
        ({"team": "everyone"}, "team"),
    ],
)
def test_bad_bid_bodies_are_refused(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidError) as error:
        parse_bid_terms(bid_body(**changes))
    assert error.value.field == field


def test_milestones_must_add_up_to_the_price() -> None:
    body = bid_body(price={"amount": 30_000_01, "currency": "EUR"})
    message = re.escape("add up to 30,000.00 EUR, not the price 30,000.01 EUR")
    with pytest.raises(InvalidError, match=message):
        parse_bid_terms(body)


def test_milestones_are_in_the_price_currency() -> None:
    milestones = bid_body()["milestones"]
    milestones[1] = {**milestones[1], "amount": {"amount": 20_000_00, "currency": "USD"}}
    with pytest.raises(InvalidError, match="in EUR"):
        parse_bid_terms(bid_body(milestones=milestones))


def test_milestones_are_in_date_order() -> None:
    first, second = bid_body()["milestones"]
    with pytest.raises(InvalidError, match="order of due date"):
        parse_bid_terms(bid_body(milestones=[second, first]))


def test_an_admissible_bid_is_taken() -> None:
    bid = new_bid("bid-1", open_request(), DEV, parse_bid_terms(bid_body()), NOW)
    assert (bid.request_id, bid.bidder, bid.status) == ("req-1", DEV, "submitted")


def test_a_late_bid_is_refused() -> None:
    request = open_request()
    with pytest.raises(LateBidError, match="deadline"):
        new_bid("b", request, DEV, parse_bid_terms(bid_body()), request.terms.deadline)


@pytest.mark.parametrize("state", ["draft", "evaluating", "awarded", "cancelled"])
def test_a_bid_on_a_request_not_open_is_refused(state: str) -> None:
    request = replace(open_request(), state=state)
    with pytest.raises(ClosedRequestError, match=state):
        new_bid("b", request, DEV, parse_bid_terms(bid_body()), NOW)


def test_the_requester_cannot_bid_on_its_own_request() -> None:
    with pytest.raises(OwnRequestError, match="own request"):
        new_bid("b", open_request(), CITY, parse_bid_terms(bid_body()), NOW)


def test_a_directed_request_takes_bids_from_its_recipients_only() -> None:
    request = open_request(recipients=[DEV])
    assert new_bid("b", request, DEV, parse_bid_terms(bid_body()), NOW).bidder == DEV
    with pytest.raises(NotInvitedError, match="invited"):
        new_bid("b", request, OTHER, parse_bid_terms(bid_body()), NOW)


def test_a_bid_in_another_currency_than_the_budget_is_refused() -> None:
    body = bid_body(
        price={"amount": 100, "currency": "USD"},
        milestones=[
            {"title": "All", "due": "2027-07-01", "amount": {"amount": 100, "currency": "USD"}}
        ],
    )
    with pytest.raises(InvalidError, match="budgeted in EUR, not USD") as error:
        new_bid("b", open_request(), DEV, parse_bid_terms(body), NOW)
    assert error.value.field == "price"


def test_an_award_names_a_bid_of_the_request_and_every_bidder_learns_the_outcome() -> None:
    request = open_request()
    winner = new_bid("b1", request, DEV, parse_bid_terms(bid_body()), NOW)
    loser = new_bid("b2", request, OTHER, parse_bid_terms(bid_body()), NOW + 1)
    check_award(request, winner)
    with pytest.raises(InvalidError):
        check_award(replace(request, id="req-2"), winner)
    assert [b.status for b in settle([winner, loser], "b1")] == ["awarded", "not-awarded"]
