"""Use-cases for awards and contracts: award (makes the contract), sign, milestones, credit.

Signatures are FEP-8b32 proofs made elsewhere (the web or federation layer holds the keys) and
checked through an injected `Verifiers` factory, so a signature that arrives from another node
is recorded by the same `sign_contract`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from commonsnode.clock import Clock
from commonsnode.commission_events import CommissionEvent
from commonsnode.errors import ConflictError, ForbiddenError, InvalidError, NotFoundError
from commonsnode.model.bids import check_award, settle
from commonsnode.model.contracts import (
    ACTORS,
    Contract,
    ContractAction,
    Credit,
    Party,
    Verifier,
    add_signature,
    completion_credit,
    contract_from_award,
    transition,
)
from commonsnode.model.requests import transition as request_transition
from commonsnode.ports import UnitOfWork, UnitOfWorkFactory
from commonsnode.reputation_events import recompute_job
from commonsnode.usecases.contract_credits import (
    ContractOrigin,
    ListingIris,
    credit_completed_contract,
    is_own_listing,
)
from commonsnode.usecases.requests import close_if_due

# Given the parties' actor IRIs and the proofs' verificationMethod ids, a Verifier that checks
# proofs against the parties' own keys.
Verifiers = Callable[[Sequence[str], Sequence[str]], Awaitable[Verifier]]
PAGE = 50


class CommissionIris(Protocol):
    """The IRIs this node gives the objects of a commission (the same on every node)."""

    def request(self, request_id: str) -> str: ...

    def contract(self, contract_id: str) -> str: ...


@dataclass(frozen=True, slots=True)
class CommissionSettings:
    """The platform fee (basis points) booked to the operator on every payment."""

    fee_basis_points: int
    operator: Party


def parties(contract: Contract) -> tuple[str, str]:
    return (contract.terms.buyer.id, contract.terms.supplier.id)


def methods(contract: Contract, *proofs: Mapping[str, Any]) -> list[str]:
    """The key ids the recorded proofs (and any new ones) name, for the verifier to load."""
    found = [s.proof.get("verificationMethod") for s in contract.signatures]
    found += [p.get("verificationMethod") for p in proofs if isinstance(p, Mapping)]
    return [m for m in found if isinstance(m, str)]


async def verifier_for(verifiers: Verifiers, contract: Contract, *proofs: Any) -> Verifier:
    return await verifiers(parties(contract), methods(contract, *proofs))


async def award(
    uow: UnitOfWorkFactory,
    clock: Clock,
    settings: CommissionSettings,
    iris: CommissionIris,
    request_id: str,
    actor: str,
    bid_id: object,
    *,
    contract_id: str,
) -> tuple[str, Contract]:
    """The requester awards one bid: the request closes (if due) and is awarded, every bid
    learns its outcome, and the contract awaiting both signatures is made. Queued to be told:
    the bidders their outcome, the recipients the request's state, the supplier the contract."""
    if not isinstance(bid_id, str) or not bid_id:
        raise InvalidError("bid: name the bid to award", field="bid")
    now = clock.now()
    async with uow() as tx:
        request = await tx.commission_requests.get(request_id, for_update=True)
        if request is None or (request.requester != actor and request.state == "draft"):
            raise NotFoundError(f"no request {request_id}")
        if actor != request.requester:
            raise ForbiddenError("only the requester may award this request")
        bid = await tx.bids.get(bid_id)
        if bid is None or bid.request_id != request_id:
            raise InvalidError(f"bid: {bid_id} is not a bid on this request", field="bid")
        check_award(request, bid)
        if request.state == "open" and now < request.terms.deadline:
            raise ConflictError("bids are accepted until the deadline; award after it")
        request = await close_if_due(tx, request, now)
        request = request_transition(request, "award", actor, now, bid_id=bid.id)
        await tx.commission_requests.update(request)
        await tx.bids.set_status(settle(await tx.bids.for_request(request_id), bid.id))
        names = await tx.bids.names(request_id)
        contract = contract_from_award(
            iris.contract(contract_id),
            request,
            bid,
            buyer_name=await tx.commission_requests.name_of(request_id),
            supplier_name=names.get(bid.bidder, bid.bidder),
            operator=settings.operator,
            fee_basis_points=settings.fee_basis_points,
            now=now,
            request_iri=iris.request(request_id),
            bid_iri=await tx.bids.iri_of(bid.id),
        )
        await tx.contracts.add(contract_id, contract, request_id)
        for event in (
            CommissionEvent("bids-told", actor, request_id, contract_id=contract_id),
            CommissionEvent("request-updated", actor, request_id),
            CommissionEvent("contract-sent", actor, contract_id=contract_id),
        ):
            await tx.jobs.enqueue(event.to_job())
    return contract_id, contract


async def party_contract(
    tx: UnitOfWork, contract_id: str, actor: str, *, for_update: bool = False
) -> tuple[Contract, str]:
    found = await tx.contracts.get(contract_id, for_update=for_update)
    if found is None:
        raise NotFoundError(f"no contract {contract_id}")
    if found[0].role_of(actor) is None:
        raise ForbiddenError("only the buyer and the supplier may see or act on this contract")
    return found


async def get_contract(
    uow: UnitOfWorkFactory, contract_id: str, actor: str
) -> tuple[Contract, str]:
    """(contract, request id) for one of its parties."""
    async with uow(readonly=True) as tx:
        return await party_contract(tx, contract_id, actor)


async def list_contracts(
    uow: UnitOfWorkFactory, actor: str, *, after: str | None = None, limit: int = PAGE
) -> list[tuple[str, Contract]]:
    """The contracts `actor` is a party to, newest first."""
    async with uow(readonly=True) as tx:
        return await tx.contracts.for_party(actor, limit, after=after)


async def sign_contract(
    uow: UnitOfWorkFactory,
    clock: Clock,
    verifiers: Verifiers,
    contract_id: str,
    party: str,
    proof: Mapping[str, Any],
    *,
    tell: bool = True,
) -> Contract:
    """Record `party`'s proof over the contract document; both verified proofs put it in force.
    A new signature is queued to be told to the other party (a repeated one is not, nor one
    that came from the other party's node: `tell` False)."""
    now = clock.now()
    async with uow() as tx:
        contract, _ = await party_contract(tx, contract_id, party, for_update=True)
        verify = await verifier_for(verifiers, contract, proof)
        signed = add_signature(contract, party, proof, verify, now)
        if signed is not contract:
            await tx.contracts.save(signed)
        if signed is not contract and tell:
            event = CommissionEvent(
                "contract-told", party, contract_id=contract_id, action="sign", proof=proof
            )
            await tx.jobs.enqueue(event.to_job())
    return signed


async def act_on_contract(
    uow: UnitOfWorkFactory,
    clock: Clock,
    verifiers: Verifiers,
    contract_id: str,
    actor: str,
    action: str,
    *,
    listings: ListingIris | None = None,
    milestone: int | None = None,
    reason: str | None = None,
    tell: bool = True,
) -> Contract:
    """start, deliver, accept, reject or dispute; delivering a signed contract starts it.

    The acceptance that completes the contract also credits its listing (`listings` names our
    own listings, to find the one the contract's listing IRI means; without it, the listing
    IRIs of the contract's own origin, which is ours for a contract awarded here). The step is
    queued to be told to the other party, and a completion to the listing's publisher when
    that is another node; nothing is queued when `tell` is False (the step came from the
    other party's node, which tells it).
    """
    if action not in ACTORS:
        raise InvalidError(f"action: one of {', '.join(ACTORS)}", field="action")
    now = clock.now()
    async with uow() as tx:
        contract, _ = await party_contract(tx, contract_id, actor, for_update=True)
        verify = await verifier_for(verifiers, contract)
        was = contract.state
        typed: ContractAction = action  # type: ignore[assignment]
        if typed == "deliver" and contract.state == "signed":
            contract = transition(contract, "start", actor, now, verify)
        contract = transition(
            contract, typed, actor, now, verify, milestone=milestone, reason=reason
        )
        await tx.contracts.save(contract)
        if tell:
            told = CommissionEvent(
                "contract-told",
                actor,
                contract_id=contract_id,
                action=action,
                milestone=milestone,
                reason=reason,
            )
            await tx.jobs.enqueue(told.to_job())
        if contract.state == "completed" and was != "completed":
            await credit_completed_contract(tx, listings, contract, now)
            await tx.jobs.enqueue(recompute_job(now))  # a finished contract feeds reputation
            listing = contract.terms.listing
            ours = listings or ContractOrigin.of(contract)
            if tell and listing and not is_own_listing(ours, listing):
                completed = CommissionEvent("completion-announced", actor, contract_id=contract_id)
                await tx.jobs.enqueue(completed.to_job())
    return contract


async def credits_for_listing(uow: UnitOfWorkFactory, listing: str) -> list[Credit]:
    """The credits completed contracts give a listing ("commissioned by X, built by Y"), for
    the catalog to show and reputation to count."""
    async with uow(readonly=True) as tx:
        return [completion_credit(c) for c in await tx.contracts.completed_for_listing(listing)]
