"""Requests (commissions): what an organisation asks developers and support companies to bid on.

A request moves draft → open → evaluating → awarded | cancelled. Every move goes through
`transition`, which reads the one table `TRANSITIONS` and the one table of who may act, so no
other code decides whether a request may change state.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal, get_args

from commonsnode.errors import ConflictError, ForbiddenError, InvalidError
from commonsnode.model.dates import parse_instant
from commonsnode.model.money import Money, parse_money

RequestKind = Literal["new-tool", "change", "support"]
REQUEST_KINDS: tuple[str, ...] = get_args(RequestKind)
RequestState = Literal["draft", "open", "evaluating", "awarded", "cancelled"]
Action = Literal["publish", "close", "award", "cancel"]
ACTIONS: tuple[str, ...] = get_args(Action)
# The actions taken on the request alone; `award` names a bid and has its own step.
STEP_ACTIONS: tuple[str, ...] = tuple(a for a in ACTIONS if a != "award")
Criterion = Literal["price", "timeline", "reputation", "approach"]
CRITERIA: tuple[Criterion, ...] = get_args(Criterion)

# The whole state machine. A pair that is not here is refused.
TRANSITIONS: Mapping[tuple[RequestState, Action], RequestState] = {
    ("draft", "publish"): "open",
    ("draft", "cancel"): "cancelled",
    ("open", "close"): "evaluating",
    ("open", "cancel"): "cancelled",
    ("evaluating", "award"): "awarded",
    ("evaluating", "cancel"): "cancelled",
}
# `close` may also be done by the node itself (actor None) when the deadline passes.
NODE_ACTIONS: frozenset[Action] = frozenset({"close"})

MAX_TITLE = 200
MAX_DESCRIPTION = 20_000
MAX_REQUIREMENT = 1_000
MAX_REQUIREMENTS = 100
MAX_RECIPIENTS = 200
MAX_WEIGHT = 1_000


@dataclass(frozen=True, slots=True)
class Budget:
    """The range the requester expects to pay, in one currency."""

    min: Money
    max: Money

    @property
    def currency(self) -> str:
        return self.max.currency


@dataclass(frozen=True, slots=True)
class Criteria:
    """Award criteria weights; only their proportions matter (40/30/20/10 = 4/3/2/1)."""

    price: float
    timeline: float
    reputation: float
    approach: float

    def weight(self, criterion: Criterion) -> float:
        return float(getattr(self, criterion))

    @property
    def total(self) -> float:
        return sum(self.weight(c) for c in CRITERIA)

    def to_json(self) -> dict[str, float]:
        return {c: self.weight(c) for c in CRITERIA}


@dataclass(frozen=True, slots=True)
class RequestTerms:
    """What the requester writes: the body of `POST /api/v1/requests`, checked."""

    kind: RequestKind
    title: str
    description: str
    budget: Budget
    deadline: float
    criteria: Criteria
    requirements: tuple[str, ...] = ()
    listing: str | None = None
    # Actor IRIs (acct: handles are resolved to IRIs before they reach the domain); empty = public.
    recipients: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Request:
    """A request as its requester's node keeps it."""

    id: str
    requester: str
    terms: RequestTerms
    state: RequestState
    created_at: float
    updated_at: float
    published_at: float | None = None
    closed_at: float | None = None
    awarded_at: float | None = None
    awarded_bid: str | None = None
    cancelled_at: float | None = None
    cancel_reason: str | None = None

    @property
    def is_directed(self) -> bool:
        return bool(self.terms.recipients)

    def accepts_bids(self, now: float) -> bool:
        """Open and before the deadline: the one test bids are checked against."""
        return self.state == "open" and now < self.terms.deadline


def _text(data: Mapping[str, Any], key: str, limit: int, *, required: bool = True) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise InvalidError(f"{key}: text", field=key)
    value = value.strip()
    if required and not value:
        raise InvalidError(f"{key}: required", field=key)
    if len(value) > limit:
        raise InvalidError(f"{key}: at most {limit} characters", field=key)
    return value


def parse_criteria(value: object) -> Criteria:
    """Four non-negative weights, at least one above zero; a missing criterion weighs 0."""
    if not isinstance(value, Mapping):
        raise InvalidError(
            "criteria: an object with weights for price, timeline, reputation, approach",
            field="criteria",
        )
    unknown = sorted(set(value) - set(CRITERIA))
    if unknown:
        raise InvalidError(
            f"criteria: unknown criteria {', '.join(map(str, unknown))}; use {', '.join(CRITERIA)}",
            field="criteria",
        )
    weights: dict[str, float] = {}
    for criterion in CRITERIA:
        weight = value.get(criterion, 0)
        if (
            isinstance(weight, bool)
            or not isinstance(weight, int | float)
            or not math.isfinite(weight)
            or not 0 <= weight <= MAX_WEIGHT
        ):
            raise InvalidError(
                f"criteria.{criterion}: a number from 0 to {MAX_WEIGHT}", field="criteria"
            )
        weights[criterion] = float(weight)
    if not any(weights.values()):
        raise InvalidError("criteria: at least one weight above zero", field="criteria")
    return Criteria(**weights)


def parse_budget(value: object) -> Budget:
    """`{"min": MONEY, "max": MONEY}` in one currency with min ≤ max (min may be 0)."""
    if not isinstance(value, Mapping):
        raise InvalidError('budget: {"min": MONEY, "max": MONEY}', field="budget")
    low = parse_money(value.get("min"), "budget.min", positive=False)
    high = parse_money(value.get("max"), "budget.max")
    if low.currency != high.currency:
        raise InvalidError("budget: min and max in one currency", field="budget")
    if low > high:
        raise InvalidError("budget: min is more than max", field="budget")
    return Budget(min=low, max=high)


def parse_request_terms(data: object) -> RequestTerms:
    """Check a request body; `recipients` must already be actor IRIs."""
    if not isinstance(data, Mapping):
        raise InvalidError("a request is a JSON object")
    kind = data.get("kind")
    if kind not in REQUEST_KINDS:
        raise InvalidError(f"kind: one of {', '.join(REQUEST_KINDS)}", field="kind")
    listing = data.get("listing")
    if kind == "new-tool":
        if listing is not None:
            raise InvalidError("listing: a new tool has no listing yet", field="listing")
    elif not isinstance(listing, str) or not listing.strip():
        raise InvalidError(f"listing: a {kind} request names the listed tool", field="listing")
    requirements = data.get("requirements", [])
    if not isinstance(requirements, list) or not all(isinstance(r, str) for r in requirements):
        raise InvalidError("requirements: a list of texts", field="requirements")
    if len(requirements) > MAX_REQUIREMENTS or any(len(r) > MAX_REQUIREMENT for r in requirements):
        raise InvalidError(
            f"requirements: at most {MAX_REQUIREMENTS}, each at most {MAX_REQUIREMENT} characters",
            field="requirements",
        )
    recipients = data.get("recipients", [])
    if not isinstance(recipients, list) or not all(
        isinstance(r, str) and r.startswith(("https://", "http://")) for r in recipients
    ):
        raise InvalidError("recipients: a list of actor IRIs", field="recipients")
    if len(recipients) > MAX_RECIPIENTS:
        raise InvalidError(f"recipients: at most {MAX_RECIPIENTS}", field="recipients")
    return RequestTerms(
        kind=kind,
        title=_text(data, "title", MAX_TITLE),
        description=_text(data, "description", MAX_DESCRIPTION),
        budget=parse_budget(data.get("budget")),
        deadline=parse_instant(data.get("deadline"), "deadline"),
        criteria=parse_criteria(data.get("criteria")),
        requirements=tuple(r.strip() for r in requirements if r.strip()),
        listing=listing.strip() if isinstance(listing, str) else None,
        recipients=tuple(dict.fromkeys(recipients)),
    )


def new_request(request_id: str, requester: str, terms: RequestTerms, now: float) -> Request:
    """A draft: nobody sees it until the requester publishes it."""
    return Request(
        id=request_id,
        requester=requester,
        terms=terms,
        state="draft",
        created_at=now,
        updated_at=now,
    )


def visible_to(request: Request, actor: str | None) -> bool:
    """Who may see a request: a draft only its requester; a directed one its requester and
    recipients; a public one anybody (`actor` None is an anonymous reader)."""
    if actor == request.requester:
        return True
    if request.state == "draft":
        return False
    return not request.is_directed or actor in request.terms.recipients


def allowed_actions(request: Request) -> tuple[Action, ...]:
    """The actions the table allows from the request's state (for pages and the API)."""
    return tuple(a for (state, a) in TRANSITIONS if state == request.state)


def transition(
    request: Request,
    action: Action,
    actor: str | None,
    now: float,
    *,
    bid_id: str | None = None,
    reason: str | None = None,
) -> Request:
    """Apply `action` by `actor` (an actor IRI; None is the node's own scheduler) at `now`.

    Checks, in order: the action exists, the actor may act, the table allows the move from the
    current state, and the move's own condition (deadline, awarded bid).
    """
    if action not in ACTIONS:
        raise InvalidError(f"action: one of {', '.join(ACTIONS)}", field="action")
    if actor is None:
        if action not in NODE_ACTIONS:
            raise ForbiddenError(f"only the requester may {action} a request")
    elif actor != request.requester:
        raise ForbiddenError(f"only the requester may {action} this request")
    target = TRANSITIONS.get((request.state, action))
    if target is None:
        raise ConflictError(f"a request that is {request.state} cannot be {_past(action)}")
    changes: dict[str, Any] = {"state": target, "updated_at": now}
    if action == "publish":
        if now >= request.terms.deadline:
            raise ConflictError("the deadline for bids has already passed; set a later one")
        changes["published_at"] = now
    elif action == "close":
        if now < request.terms.deadline:
            raise ConflictError("bids are accepted until the deadline; close it after that")
        changes["closed_at"] = now
    elif action == "award":
        if not bid_id:
            raise InvalidError("bid: name the bid to award", field="bid")
        changes["awarded_bid"] = bid_id
        changes["awarded_at"] = now
    elif action == "cancel":
        changes["cancelled_at"] = now
        changes["cancel_reason"] = (reason or "").strip()[:MAX_REQUIREMENT] or None
    return replace(request, **changes)


def _past(action: Action) -> str:
    return {
        "publish": "published",
        "close": "closed",
        "award": "awarded",
        "cancel": "cancelled",
    }[action]
