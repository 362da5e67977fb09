"""Requests: body checks and the one state machine (every transition allowed and refused)."""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import Any

import pytest

from commonsnode.errors import ConflictError, ForbiddenError, InvalidError
from commonsnode.model.dates import parse_instant
from commonsnode.model.money import Money
from commonsnode.model.requests import (
    ACTIONS,
    TRANSITIONS,
    Request,
    allowed_actions,
    new_request,
    parse_request_terms,
    transition,
    visible_to,
)

CITY = "https://city.example/orgs/city"
DEV = "https://dev.example/orgs/dev"
NOW = 1_800_000_000.0
DEADLINE = "2027-02-01T12:00:00Z"
STATES = ("draft", "open", "evaluating", "awarded", "cancelled")


def body(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "new-tool",
        "title": "Participatory budgeting tool",
        "description": "Residents propose and vote on projects.",
        "requirements": ["WCAG 2.1 AA", "EUPL-1.2"],
        "budget": {
            "min": {"amount": 1_000_000, "currency": "EUR"},
            "max": {"amount": 5_000_000, "currency": "EUR"},
        },
        "deadline": DEADLINE,
        "criteria": {"price": 40, "timeline": 20, "reputation": 10, "approach": 30},
    }
    data.update(changes)
    return data


def request_in(state: str) -> Request:
    draft = new_request("req-1", CITY, parse_request_terms(body()), NOW)
    return replace(draft, state=state)  # type: ignore[arg-type]


def test_a_full_body_is_read() -> None:
    terms = parse_request_terms(body(recipients=[DEV, DEV]))
    assert terms.kind == "new-tool"
    assert terms.budget.min == Money(1_000_000, "EUR")
    assert terms.budget.currency == "EUR"
    assert terms.criteria.total == 100
    assert terms.deadline == parse_instant(DEADLINE, "deadline")
    assert terms.recipients == (DEV,)
    assert terms.requirements == ("WCAG 2.1 AA", "EUPL-1.2")


def test_a_bare_date_deadline_means_the_end_of_that_utc_day() -> None:
    assert parse_instant("2027-02-01", "deadline") == parse_instant(
        "2027-02-02T00:00:00+00:00", "deadline"
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "hosting"}, "kind"),
        ({"title": "  "}, "title"),
        ({"description": 5}, "description"),
        ({"budget": {"min": {"amount": 1, "currency": "EUR"}}}, "budget.max"),
        (
            {
                "budget": {
                    "min": {"amount": 1, "currency": "USD"},
                    "max": {"amount": 2, "currency": "EUR"},
                }
            },
            "budget",
        ),
        (
            {
                "budget": {
                    "min": {"amount": 3, "currency": "EUR"},
                    "max": {"amount": 2, "currency": "EUR"},
                }
            },
            "budget",
        ),
        ({"deadline": "2027-02-01T12:00:00"}, "deadline"),
        ({"deadline": "next week"}, "deadline"),
        ({"criteria": {"price": 0, "timeline": 0}}, "criteria"),
        ({"criteria": {"price": -1}}, "criteria"),
        ({"criteria": {"price": True}}, "criteria"),
        ({"criteria": {"beauty": 1}}, "criteria"),
        ({"criteria": [1, 2]}, "criteria"),
        ({"listing": "https://city.example/listings/1"}, "listing"),
        ({"kind": "change"}, "listing"),
        ({"recipients": ["acct:dev@dev.example"]}, "recipients"),
        ({"requirements": "all of them"}, "requirements"),
    ],
)
def test_bad_bodies_are_refused_with_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidError) as error:
        parse_request_terms(body(**changes))
    assert error.value.field == field


def test_change_and_support_name_a_listing() -> None:
    terms = parse_request_terms(body(kind="support", listing="https://a.example/listings/9"))
    assert terms.listing == "https://a.example/listings/9"


def test_a_new_request_is_a_draft() -> None:
    assert new_request("r", CITY, parse_request_terms(body()), NOW).state == "draft"


# Times at which each allowed move's own condition holds.
deadline = parse_instant(DEADLINE, "deadline")
WHEN = {"publish": NOW, "close": deadline, "award": deadline + 10, "cancel": NOW}


@pytest.mark.parametrize(("state", "action"), sorted(TRANSITIONS))
def test_every_allowed_transition(state: str, action: str) -> None:
    moved = transition(request_in(state), action, CITY, WHEN[action], bid_id="bid-1")  # type: ignore[arg-type]
    assert moved.state == TRANSITIONS[(state, action)]  # type: ignore[index]
    assert moved.updated_at == WHEN[action]


REFUSED = sorted(set(itertools.product(STATES, ACTIONS)) - set(TRANSITIONS))


@pytest.mark.parametrize(("state", "action"), REFUSED)
def test_every_other_transition_is_refused(state: str, action: str) -> None:
    with pytest.raises(ConflictError, match=f"is {state}"):
        transition(request_in(state), action, CITY, WHEN[action], bid_id="bid-1")  # type: ignore[arg-type]


def test_the_table_covers_each_state() -> None:
    assert allowed_actions(request_in("draft")) == ("publish", "cancel")
    assert allowed_actions(request_in("awarded")) == ()
    assert allowed_actions(request_in("cancelled")) == ()


@pytest.mark.parametrize(("state", "action"), sorted(TRANSITIONS))
def test_only_the_requester_moves_a_request(state: str, action: str) -> None:
    with pytest.raises(ForbiddenError, match="requester"):
        transition(request_in(state), action, DEV, WHEN[action], bid_id="b")  # type: ignore[arg-type]


def test_the_node_may_close_at_the_deadline_but_do_nothing_else() -> None:
    closed = transition(request_in("open"), "close", None, deadline)
    assert closed.state == "evaluating"
    assert closed.closed_at == deadline
    with pytest.raises(ForbiddenError):
        transition(request_in("draft"), "publish", None, NOW)


def test_publishing_after_the_deadline_is_refused() -> None:
    with pytest.raises(ConflictError, match="deadline"):
        transition(request_in("draft"), "publish", CITY, deadline)


def test_closing_before_the_deadline_is_refused() -> None:
    with pytest.raises(ConflictError, match="until the deadline"):
        transition(request_in("open"), "close", CITY, deadline - 1)


def test_an_award_names_its_bid() -> None:
    with pytest.raises(InvalidError, match="bid"):
        transition(request_in("evaluating"), "award", CITY, deadline)
    awarded = transition(request_in("evaluating"), "award", CITY, deadline + 5, bid_id="b7")
    assert (awarded.awarded_bid, awarded.awarded_at) == ("b7", deadline + 5)


def test_cancelling_keeps_the_reason() -> None:
    cancelled = transition(request_in("open"), "cancel", CITY, NOW, reason=" budget cut ")
    assert cancelled.cancel_reason == "budget cut"
    assert cancelled.cancelled_at == NOW


def test_an_unknown_action_is_invalid() -> None:
    with pytest.raises(InvalidError):
        transition(request_in("open"), "reopen", CITY, NOW)  # type: ignore[arg-type]


def test_bids_are_accepted_only_while_open_before_the_deadline() -> None:
    assert request_in("open").accepts_bids(deadline - 1)
    assert not request_in("open").accepts_bids(deadline)
    assert not request_in("evaluating").accepts_bids(NOW)


def test_visibility_public_directed_and_draft() -> None:
    public = request_in("open")
    assert visible_to(public, None)
    assert visible_to(public, DEV)
    directed = replace(public, terms=replace(public.terms, recipients=(DEV,)))
    assert visible_to(directed, DEV)
    assert visible_to(directed, CITY)
    assert not visible_to(directed, "https://other.example/orgs/x")
    assert not visible_to(directed, None)
    draft = request_in("draft")
    assert visible_to(draft, CITY)
    assert not visible_to(draft, DEV)
