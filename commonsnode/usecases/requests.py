"""Use-cases for commission requests: create, publish, close, cancel, read, list, open data.

Parties are named by actor IRI (`Party`), so a request from this node's organisation and, later,
one announced by another node go through the same functions; the web layer resolves handles.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from commonsnode.clock import Clock
from commonsnode.commission_events import CommissionEvent, CommissionStep
from commonsnode.errors import ConflictError, InvalidError, NotFoundError
from commonsnode.model.bids import Bid, settle
from commonsnode.model.contracts import Contract, Party
from commonsnode.model.evaluation import Ranking, rank_bids
from commonsnode.model.ocds import release_package
from commonsnode.model.requests import (
    REQUEST_KINDS,
    STEP_ACTIONS,
    Action,
    Request,
    new_request,
    parse_request_terms,
    transition,
    visible_to,
)
from commonsnode.ports import UnitOfWork, UnitOfWorkFactory
from commonsnode.usecases.remote_links import RemoteLink, link_row, linked_id

PAGE = 50
AUDIENCES = ("public", "directed")  # the board's filter: open to anybody, or to those invited


@dataclass(frozen=True, slots=True)
class RequestView:
    """What one reader may see of a request: the ranking only for the requester, a bidder's
    own bids only for that bidder."""

    request: Request
    requester_name: str
    ranking: Ranking | None
    own_bids: tuple[Bid, ...]
    bid_count: int | None
    contract_id: str | None
    bidder_names: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class OcdsPublisher:
    """Who publishes the node's OCDS data and under which registered ocid prefix."""

    ocid_prefix: str
    name: str
    uri: str


async def create_request(
    uow: UnitOfWorkFactory,
    clock: Clock,
    requester: Party,
    body: Mapping[str, Any],
    *,
    request_id: str,
    publish: bool = True,
    tell: bool = True,
    received: RemoteLink | None = None,
) -> Request:
    """A new request by `requester`; published at once unless `publish` is False (a draft).

    `recipients` in `body` must already be actor IRIs. `tell` False: a mirror of another
    node's request, whose own node told it already (nothing to queue). `received` links the
    mirror to the request's IRI in the same transaction; a request received already is
    returned as it was kept.
    """
    terms = parse_request_terms(body)
    if requester.id in terms.recipients:
        raise InvalidError(
            "recipients: a request is not directed to its own requester", field="recipients"
        )
    now = clock.now()
    request = new_request(request_id, requester.id, terms, now)
    if publish:
        request = transition(request, "publish", requester.id, now)
    async with uow() as tx:
        kept = await linked_id(tx, received)
        existing = await tx.commission_requests.get(kept) if kept else None
        if existing is not None:
            return existing
        await link_row(tx, received, request.id, now)
        await tx.commission_requests.add(request, requester.name)
        if publish and tell:
            await tx.jobs.enqueue(
                CommissionEvent("request-published", requester.id, request.id).to_job()
            )
    return request


async def load_visible(tx: UnitOfWork, request_id: str, actor: str | None) -> Request:
    """The request if `actor` may see it; otherwise as if it did not exist (404)."""
    request = await tx.commission_requests.get(request_id)
    if request is None or not visible_to(request, actor):
        raise NotFoundError(f"no request {request_id}")
    return request


async def close_if_due(tx: UnitOfWork, request: Request, now: float) -> Request:
    """An open request whose deadline has passed is closed by the node (actor None)."""
    if request.state == "open" and now >= request.terms.deadline:
        request = transition(request, "close", None, now)
        await tx.commission_requests.update(request)
    return request


async def act_on_request(
    uow: UnitOfWorkFactory,
    clock: Clock,
    request_id: str,
    actor: str,
    action: str,
    *,
    reason: str | None = None,
    tell: bool = True,
) -> Request:
    """publish, close or cancel (award has its own use-case: it makes a contract). The step is
    queued to be told: the publication, or the new state and, on a cancellation, every bidder
    its bid's outcome; not when `tell` is False (a mirror following its requester's node)."""
    if action not in STEP_ACTIONS:
        raise InvalidError(f"action: one of {', '.join(STEP_ACTIONS)}", field="action")
    now = clock.now()
    async with uow() as tx:
        request = await tx.commission_requests.get(request_id, for_update=True)
        if request is None or not visible_to(request, actor):
            raise NotFoundError(f"no request {request_id}")
        typed: Action = action  # type: ignore[assignment]
        request = transition(request, typed, actor, now, reason=reason)
        await tx.commission_requests.update(request)
        if action == "cancel":
            # Every bidder learns that nobody was awarded.
            await tx.bids.set_status(settle(await tx.bids.for_request(request_id), awarded=""))
        if tell:
            step: CommissionStep = "request-published" if action == "publish" else "request-updated"
            await tx.jobs.enqueue(CommissionEvent(step, actor, request_id).to_job())
            if action == "cancel":
                await tx.jobs.enqueue(CommissionEvent("bids-told", actor, request_id).to_job())
    return request


async def ranking(tx: UnitOfWork, request: Request) -> Ranking:
    """The request's bids ranked by its criteria; a bidder's reputation is its stored score
    (1–5 stars mapped onto 0–1), neutral (0.5) while this node has none for it."""
    bids = await tx.bids.for_request(request.id)
    marks = await tx.bids.marks(request.id)
    reputation: dict[str, float] = {}
    for bidder in {bid.bidder for bid in bids}:
        stored = await tx.reputation.stored(bidder)
        if stored is not None:
            reputation[bidder] = min(1.0, max(0.0, (stored.score - 1.0) / 4.0))
    return rank_bids(request, bids, reputation=reputation, approach_marks=marks)


async def view_request(uow: UnitOfWorkFactory, request_id: str, actor: str | None) -> RequestView:
    """The request as `actor` (None: anonymous) may see it."""
    async with uow(readonly=True) as tx:
        request = await load_visible(tx, request_id, actor)
        name = await tx.commission_requests.name_of(request_id)
        found = await tx.contracts.for_request(request_id)
        if actor == request.requester:
            ranked = await ranking(tx, request)
            return RequestView(
                request,
                name,
                ranked,
                (),
                len(ranked.bids),
                found[0] if found else None,
                await tx.bids.names(request_id),
            )
        bids = await tx.bids.for_request(request_id) if actor else []
        own = tuple(b for b in bids if b.bidder == actor)
        party = found is not None and actor in (
            found[1].terms.buyer.id,
            found[1].terms.supplier.id,
        )
        return RequestView(request, name, None, own, None, found[0] if party and found else None)


async def list_requests(
    uow: UnitOfWorkFactory,
    actor: str | None,
    *,
    after: str | None = None,
    state: str | None = None,
    kind: str | None = None,
    audience: str | None = None,
    limit: int = PAGE,
) -> list[Request]:
    """The request board: what `actor` may see, newest first; filtered by the database, so a
    full page means there may be more and a short one that there are none."""
    if state is not None and state not in ("draft", "open", "evaluating", "awarded", "cancelled"):
        raise InvalidError(
            "state: one of draft, open, evaluating, awarded, cancelled", field="state"
        )
    if kind is not None and kind not in REQUEST_KINDS:
        raise InvalidError(f"kind: one of {', '.join(REQUEST_KINDS)}", field="kind")
    if audience is not None and audience not in AUDIENCES:
        raise InvalidError(f"audience: one of {', '.join(AUDIENCES)}", field="audience")
    directed = None if audience is None else audience == "directed"
    async with uow(readonly=True) as tx:
        return await tx.commission_requests.visible(
            actor, limit, after=after, state=state, kind=kind, directed=directed
        )


async def open_data(
    uow: UnitOfWorkFactory,
    request_id: str,
    actor: str | None,
    publisher: OcdsPublisher,
    package_uri: str,
) -> dict[str, Any]:
    """The request's OCDS 1.1 release package (bid details only once awarded or cancelled)."""
    async with uow(readonly=True) as tx:
        request = await load_visible(tx, request_id, actor)
        if request.state == "draft":
            raise ConflictError("a draft request is not published, so it has no open data")
        bids = await tx.bids.for_request(request_id)
        names = {request.requester: await tx.commission_requests.name_of(request_id)}
        names.update(await tx.bids.names(request_id))
        found = await tx.contracts.for_request(request_id)
        contract: Contract | None = found[1] if found else None
        payments = await tx.ledger.for_contract(contract.id) if contract else []
    return release_package(
        request,
        bids,
        contract=contract,
        payments=payments,
        names=names,
        ocid_prefix=publisher.ocid_prefix,
        package_uri=package_uri,
        publisher_name=publisher.name,
        publisher_uri=publisher.uri,
    )
