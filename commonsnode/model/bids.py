"""Bids: a developer's or support company's offer on a request, sent to the requester only.

`parse_bid_terms` checks the body on its own; `check_admissible` checks it against the request
(the rules a requester's node applies to every bid, local or from another node). Each refusal
is its own error class, so the API and the federation inbox can say exactly why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Literal

from commonsnode.errors import ConflictError, ForbiddenError, InvalidError
from commonsnode.model.dates import parse_date
from commonsnode.model.money import Money, parse_money, total
from commonsnode.model.requests import Request

BidStatus = Literal["submitted", "awarded", "not-awarded", "refused"]

MAX_APPROACH = 20_000
MAX_TITLE = 200
MAX_MILESTONES = 50
MAX_TEAM = 50
MAX_TIMELINE_DAYS = 3_650


class LateBidError(ConflictError):
    """The deadline for bids has passed."""

    title = "Bid refused: too late"


class ClosedRequestError(ConflictError):
    """The request is not open for bids (draft, evaluating, awarded or cancelled)."""

    title = "Bid refused: request not open"


class OwnRequestError(ForbiddenError):
    """A requester may not bid on its own request."""

    title = "Bid refused: own request"


class NotInvitedError(ForbiddenError):
    """A directed request takes bids from its recipients only."""

    title = "Bid refused: not invited"


@dataclass(frozen=True, slots=True)
class Milestone:
    """A deliverable, when it is due, and what it is paid on acceptance."""

    title: str
    due: date
    amount: Money


@dataclass(frozen=True, slots=True)
class BidTerms:
    """What the bidder offers: the body of `POST /api/v1/requests/{id}/bids`, checked."""

    price: Money
    timeline_days: int
    approach: str
    milestones: tuple[Milestone, ...]
    team: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Bid:
    """A bid as the requester's node keeps it; `id` is the bid object's IRI or local id."""

    id: str
    request_id: str
    bidder: str
    terms: BidTerms
    submitted_at: float
    status: BidStatus = "submitted"


def _milestone(value: object, index: int) -> Milestone:
    field = f"milestones[{index}]"
    if not isinstance(value, Mapping):
        raise InvalidError(f'{field}: {{"title", "due", "amount"}}', field="milestones")
    title = value.get("title")
    if not isinstance(title, str) or not title.strip() or len(title) > MAX_TITLE:
        raise InvalidError(
            f"{field}.title: required, at most {MAX_TITLE} characters", field="milestones"
        )
    return Milestone(
        title=title.strip(),
        due=parse_date(value.get("due"), f"{field}.due"),
        amount=parse_money(value.get("amount"), f"{field}.amount"),
    )


def parse_bid_terms(data: object) -> BidTerms:
    """Check a bid body: positive price, whole days, an approach, milestones paying the price.

    Milestones are in the price's currency, in order of due date, and add up to the price
    exactly, so the contract's payment schedule is the milestones themselves.
    """
    if not isinstance(data, Mapping):
        raise InvalidError("a bid is a JSON object")
    price = parse_money(data.get("price"), "price")
    days = data.get("timeline_days")
    if type(days) is not int or not 1 <= days <= MAX_TIMELINE_DAYS:
        raise InvalidError(
            f"timeline_days: a whole number of days from 1 to {MAX_TIMELINE_DAYS}",
            field="timeline_days",
        )
    approach = data.get("approach")
    if not isinstance(approach, str) or not approach.strip():
        raise InvalidError("approach: describe how you will do the work", field="approach")
    if len(approach) > MAX_APPROACH:
        raise InvalidError(f"approach: at most {MAX_APPROACH} characters", field="approach")
    raw = data.get("milestones")
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_MILESTONES:
        raise InvalidError(
            f"milestones: a list of 1 to {MAX_MILESTONES} milestones", field="milestones"
        )
    milestones = tuple(_milestone(item, i) for i, item in enumerate(raw))
    for i, milestone in enumerate(milestones):
        if milestone.amount.currency != price.currency:
            raise InvalidError(
                f"milestones[{i}].amount: in {price.currency}, the bid's currency",
                field="milestones",
            )
        if i and milestone.due < milestones[i - 1].due:
            raise InvalidError(
                f"milestones[{i}].due: milestones are listed in order of due date",
                field="milestones",
            )
    paid = total((m.amount for m in milestones), price.currency)
    if paid != price:
        raise InvalidError(
            f"milestones: amounts add up to {paid}, not the price {price}", field="milestones"
        )
    team = data.get("team", [])
    if (
        not isinstance(team, list)
        or len(team) > MAX_TEAM
        or not all(isinstance(t, str) and 0 < len(t.strip()) <= MAX_TITLE for t in team)
    ):
        raise InvalidError(f"team: a list of at most {MAX_TEAM} names or roles", field="team")
    return BidTerms(
        price=price,
        timeline_days=days,
        approach=approach.strip(),
        milestones=milestones,
        team=tuple(t.strip() for t in team),
    )


def check_admissible(request: Request, bidder: str, terms: BidTerms, now: float) -> None:
    """Refuse a bid the request cannot take, with the reason; returns None when it may.

    Order matters for the message: who is bidding, then the request's state, then the deadline,
    then the terms against the budget's currency.
    """
    if bidder == request.requester:
        raise OwnRequestError("the requester cannot bid on its own request")
    if request.state != "open":
        raise ClosedRequestError(f"this request is {request.state} and takes no bids")
    if now >= request.terms.deadline:
        raise LateBidError("the deadline for bids has passed")
    if request.is_directed and bidder not in request.terms.recipients:
        raise NotInvitedError("this request takes bids only from the organisations it invited")
    currency = request.terms.budget.currency
    if terms.price.currency != currency:
        raise InvalidError(
            f"price: this request is budgeted in {currency}, not {terms.price.currency}",
            field="price",
        )


def new_bid(bid_id: str, request: Request, bidder: str, terms: BidTerms, now: float) -> Bid:
    """An admissible bid on `request` (refuses it otherwise)."""
    check_admissible(request, bidder, terms, now)
    return Bid(id=bid_id, request_id=request.id, bidder=bidder, terms=terms, submitted_at=now)


def check_award(request: Request, bid: Bid) -> None:
    """The bid awarded must be one of this request's bids."""
    if bid.request_id != request.id:
        raise InvalidError("bid: not a bid on this request", field="bid")


def settle(bids: list[Bid] | tuple[Bid, ...], awarded: str) -> tuple[Bid, ...]:
    """After the award every bidder learns the outcome: one bid awarded, the others not."""
    return tuple(replace(b, status="awarded" if b.id == awarded else "not-awarded") for b in bids)


def terms_to_json(terms: BidTerms) -> dict[str, Any]:
    """The bid body as the contract writes it (for federation and storage)."""
    return {
        "price": terms.price.to_json(),
        "timeline_days": terms.timeline_days,
        "approach": terms.approach,
        "milestones": [
            {"title": m.title, "due": m.due.isoformat(), "amount": m.amount.to_json()}
            for m in terms.milestones
        ],
        "team": list(terms.team),
    }
