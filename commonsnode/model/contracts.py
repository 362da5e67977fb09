"""Contracts: what an award binds both parties to, signed by each, verifiable on any node.

The signed content is `document(terms)`: plain JSON of strings, integers, lists and objects
(money in minor units, dates as ISO 8601, parties by actor IRI), with no node-local ids or
formatting, so every node derives the same bytes with JCS (RFC 8785) and each party's FEP-8b32
`eddsa-jcs-2022` proof covers exactly that. The domain never touches keys: signature checks come
in as a `Verifier`, which the federation layer implements with its proofs module.

A contract is in force only when both the buyer's and the supplier's proofs verify. Lifecycle:
awaiting-signatures → signed → in-progress (milestones: pending → delivered → accepted, a
rejected delivery goes back to pending) → completed once every milestone is accepted; signed or
in-progress → disputed. A dispute ends one of two ways: the party that raised it withdraws it
(`withdraw-dispute`), and the contract goes back to the state it was disputed from (kept as
`disputed_from` when the dispute is raised: a started contract with no milestone moved yet is
in-progress, which the milestones alone cannot tell); or either party ends the contract
(`terminate`, with a reason) → terminated, for good: no completion credit, no reputation, no
more payments. Every move goes through `transition` and its two tables.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

import rfc8785

from commonsnode.errors import ConflictError, ForbiddenError, InvalidError
from commonsnode.model.bids import Bid, Milestone
from commonsnode.model.dates import iso_instant
from commonsnode.model.money import Money, check_basis_points, fee, total
from commonsnode.model.requests import Request, RequestKind

ContractState = Literal[
    "awaiting-signatures", "signed", "in-progress", "completed", "disputed", "terminated"
]
MilestoneState = Literal["pending", "delivered", "accepted"]
ContractAction = Literal[
    "start", "deliver", "accept", "reject", "dispute", "withdraw-dispute", "terminate"
]
Role = Literal["buyer", "supplier"]
DOCUMENT_TYPE = "CommissionContract"
DOCUMENT_VERSION = 1
FEE_ROUNDING = "half-even to a whole minor unit, on each payment"

# (contract state, action) → contract state; None: the milestone decides (accept) or the
# state the dispute was raised from comes back (withdraw-dispute); see `transition`.
TRANSITIONS: Mapping[tuple[ContractState, ContractAction], ContractState | None] = {
    ("signed", "start"): "in-progress",
    ("in-progress", "deliver"): "in-progress",
    ("in-progress", "accept"): None,
    ("in-progress", "reject"): "in-progress",
    ("signed", "dispute"): "disputed",
    ("in-progress", "dispute"): "disputed",
    ("disputed", "withdraw-dispute"): None,
    ("disputed", "terminate"): "terminated",
}
MILESTONE_TRANSITIONS: Mapping[tuple[MilestoneState, ContractAction], MilestoneState] = {
    ("pending", "deliver"): "delivered",
    ("delivered", "accept"): "accepted",
    ("delivered", "reject"): "pending",
}
# The actions taken on one milestone (their paths name it).
MILESTONE_ACTIONS: frozenset[ContractAction] = frozenset(a for _, a in MILESTONE_TRANSITIONS)
# Who may take each action: the supplier delivers, the buyer judges, either starts, disputes
# or terminates a disputed contract. Either role may withdraw a dispute, but only the party
# that raised it (`disputed_by`, checked in `transition`).
ACTORS: Mapping[ContractAction, frozenset[Role]] = {
    "start": frozenset({"buyer", "supplier"}),
    "deliver": frozenset({"supplier"}),
    "accept": frozenset({"buyer"}),
    "reject": frozenset({"buyer"}),
    "dispute": frozenset({"buyer", "supplier"}),
    "withdraw-dispute": frozenset({"buyer", "supplier"}),
    "terminate": frozenset({"buyer", "supplier"}),
}
# Actions that need a reason, and what the refusal says is missing.
REASONS: Mapping[ContractAction, str] = {
    "dispute": "say what the dispute is about",
    "terminate": "say why the contract ends",
}
MAX_REASON = 2_000

# (signed document = the contract document with one party's `proof`, that party's actor IRI)
# → True when the proof verifies with a key of that actor.
Verifier = Callable[[Mapping[str, Any], str], bool]


@dataclass(frozen=True, slots=True)
class Party:
    """An organisation named in the contract: its actor IRI and the name it had at award."""

    id: str
    name: str

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name}


@dataclass(frozen=True, slots=True)
class ContractTerms:
    """Everything the parties sign; nothing here changes after the award."""

    id: str
    request: str
    bid: str
    buyer: Party
    supplier: Party
    operator: Party
    kind: RequestKind
    title: str
    description: str
    approach: str
    price: Money
    milestones: tuple[Milestone, ...]
    fee_basis_points: int
    awarded_at: float
    requirements: tuple[str, ...] = ()
    team: tuple[str, ...] = ()
    listing: str | None = None


@dataclass(frozen=True, slots=True)
class Signature:
    """One party's FEP-8b32 proof over the contract document."""

    party: str
    proof: Mapping[str, Any]
    recorded_at: float


@dataclass(frozen=True, slots=True)
class Contract:
    """A contract as a party's node keeps it: the terms, the proofs so far, and progress."""

    terms: ContractTerms
    state: ContractState
    milestone_states: tuple[MilestoneState, ...]
    updated_at: float
    signatures: tuple[Signature, ...] = ()
    accepted_at: tuple[float | None, ...] = ()
    dispute_reason: str | None = None
    # Who raised the open dispute, and the state it was raised from (None when not disputed).
    disputed_by: str | None = None
    disputed_from: ContractState | None = None
    termination_reason: str | None = None

    @property
    def id(self) -> str:
        return self.terms.id

    def role_of(self, actor: str) -> Role | None:
        if actor == self.terms.buyer.id:
            return "buyer"
        if actor == self.terms.supplier.id:
            return "supplier"
        return None

    def signature_of(self, party: str) -> Signature | None:
        return next((s for s in self.signatures if s.party == party), None)


def contract_from_award(
    contract_id: str,
    request: Request,
    bid: Bid,
    *,
    buyer_name: str,
    supplier_name: str,
    operator: Party,
    fee_basis_points: int,
    now: float,
    request_iri: str | None = None,
    bid_iri: str | None = None,
) -> Contract:
    """The contract an award produces: the request's scope, the winning bid's terms, the fee.

    Pass the request's and bid's IRIs when their ids are local, so the document names them the
    same way on every node.
    """
    if request.state != "awarded" or request.awarded_bid != bid.id:
        raise ConflictError("a contract comes from the awarded bid of an awarded request")
    if bid.request_id != request.id:
        raise InvalidError("bid: not a bid on this request", field="bid")
    terms = ContractTerms(
        id=contract_id,
        request=request_iri or request.id,
        bid=bid_iri or bid.id,
        buyer=Party(request.requester, buyer_name),
        supplier=Party(bid.bidder, supplier_name),
        operator=operator,
        kind=request.terms.kind,
        title=request.terms.title,
        description=request.terms.description,
        approach=bid.terms.approach,
        price=bid.terms.price,
        milestones=bid.terms.milestones,
        fee_basis_points=check_basis_points(fee_basis_points),
        awarded_at=request.awarded_at if request.awarded_at is not None else now,
        requirements=request.terms.requirements,
        team=bid.terms.team,
        listing=request.terms.listing,
    )
    return unsigned_contract(terms, now)


def unsigned_contract(terms: ContractTerms, now: float) -> Contract:
    """A contract as awarded: no signature yet, every milestone pending."""
    return Contract(
        terms=terms,
        state="awaiting-signatures",
        milestone_states=tuple("pending" for _ in terms.milestones),
        accepted_at=tuple(None for _ in terms.milestones),
        updated_at=now,
    )


def payment_schedule(terms: ContractTerms) -> list[dict[str, Any]]:
    """One payment per milestone, on acceptance: gross, the operator's fee, what the payee nets."""
    lines = []
    for index, milestone in enumerate(terms.milestones, start=1):
        cut = fee(milestone.amount, terms.fee_basis_points)
        lines.append(
            {
                "milestone": index,
                "when": "on acceptance",
                "amount": milestone.amount.to_json(),
                "platformFee": cut.to_json(),
                "payeeReceives": (milestone.amount - cut).to_json(),
            }
        )
    return lines


def document(terms: ContractTerms) -> dict[str, Any]:
    """The contract document both parties sign (no `proof`; see the module docstring)."""
    scope: dict[str, Any] = {
        "kind": terms.kind,
        "title": terms.title,
        "description": terms.description,
        "requirements": list(terms.requirements),
        "approach": terms.approach,
        "team": list(terms.team),
    }
    if terms.listing is not None:
        scope["listing"] = terms.listing
    schedule = payment_schedule(terms)
    fees = total(
        (Money(line["platformFee"]["amount"], terms.price.currency) for line in schedule),
        terms.price.currency,
    )
    return {
        "type": DOCUMENT_TYPE,
        "version": DOCUMENT_VERSION,
        "id": terms.id,
        "request": terms.request,
        "bid": terms.bid,
        "awarded": iso_instant(terms.awarded_at),
        "buyer": terms.buyer.to_json(),
        "supplier": terms.supplier.to_json(),
        "scope": scope,
        "price": terms.price.to_json(),
        "milestones": [
            {
                "index": index,
                "title": m.title,
                "due": m.due.isoformat(),
                "amount": m.amount.to_json(),
            }
            for index, m in enumerate(terms.milestones, start=1)
        ],
        "paymentSchedule": schedule,
        "platformFee": {
            "basisPoints": terms.fee_basis_points,
            "rounding": FEE_ROUNDING,
            "paidBy": "supplier",
            "operator": terms.operator.to_json(),
            "total": fees.to_json(),
        },
    }


def evidence(contract: Contract) -> dict[str, Any]:
    """The signed contract as a party's node or the listing's publisher shares it with a node
    that is neither party (a completion credit's `evidence`): the document and each party's
    proof, so the receiver checks both signatures itself."""
    return {
        "document": document(contract.terms),
        "signatures": [{"party": s.party, "proof": dict(s.proof)} for s in contract.signatures],
    }


def canonical(terms: ContractTerms) -> bytes:
    """The document's JCS bytes: what every node hashes and every proof covers."""
    return rfc8785.dumps(document(terms))


def signed_document(terms: ContractTerms, proof: Mapping[str, Any]) -> dict[str, Any]:
    """The document with one party's proof attached, as FEP-8b32 verifies it."""
    return {**document(terms), "proof": dict(proof)}


def _verifies(contract: Contract, signature: Signature, verify: Verifier) -> bool:
    try:
        return bool(verify(signed_document(contract.terms, signature.proof), signature.party))
    except (ValueError, KeyError, TypeError):
        return False


def signature_report(contract: Contract, verify: Verifier) -> dict[str, bool]:
    """For each party (buyer, supplier), whether its signature is present and verifies."""
    report = {}
    for party in (contract.terms.buyer.id, contract.terms.supplier.id):
        signature = contract.signature_of(party)
        report[party] = signature is not None and _verifies(contract, signature, verify)
    return report


def in_force(contract: Contract, verify: Verifier) -> bool:
    """Both parties have signed and both proofs verify now; one signature is not enough."""
    return all(signature_report(contract, verify).values())


def add_signature(
    contract: Contract, party: str, proof: Mapping[str, Any], verify: Verifier, now: float
) -> Contract:
    """Record `party`'s proof if it verifies; with both parties' proofs the contract is signed.

    Recording the same proof again changes nothing; a party that signed cannot swap its proof.
    """
    if contract.role_of(party) is None:
        raise ForbiddenError("only the buyer and the supplier sign this contract")
    if not isinstance(proof, Mapping):
        raise InvalidError("proof: an FEP-8b32 DataIntegrityProof object", field="proof")
    existing = contract.signature_of(party)
    if existing is not None:
        if dict(existing.proof) == dict(proof):
            return contract
        raise ConflictError("this party has already signed the contract")
    if contract.state != "awaiting-signatures":
        raise ConflictError(f"a contract that is {contract.state} takes no new signatures")
    signature = Signature(party=party, proof=dict(proof), recorded_at=now)
    if not _verifies(contract, signature, verify):
        raise InvalidError(
            "proof: does not verify for this party over this contract", field="proof"
        )
    signed = replace(contract, signatures=(*contract.signatures, signature), updated_at=now)
    if in_force(signed, verify):
        signed = replace(signed, state="signed")
    return signed


def transition(
    contract: Contract,
    action: ContractAction,
    actor: str,
    now: float,
    verify: Verifier,
    *,
    milestone: int | None = None,
    reason: str | None = None,
) -> Contract:
    """Apply `action` by `actor`; `milestone` (1-based) for deliver, accept and reject."""
    if action not in ACTORS:
        raise InvalidError(f"action: one of {', '.join(ACTORS)}", field="action")
    role = contract.role_of(actor)
    if role is None or role not in ACTORS[action]:
        who = " or ".join(sorted(ACTORS[action]))
        raise ForbiddenError(f"only the {who} may {action} on this contract")
    if (contract.state, action) not in TRANSITIONS:
        raise ConflictError(f"a contract that is {contract.state} cannot take '{action}'")
    if action == "withdraw-dispute" and actor != contract.disputed_by:
        raise ForbiddenError("only the party that raised the dispute may withdraw it")
    if not in_force(contract, verify):
        raise ConflictError("the contract is not in force: both parties' signatures must verify")
    target = TRANSITIONS[(contract.state, action)]
    changes: dict[str, Any] = {"updated_at": now}
    if action in ("deliver", "accept", "reject"):
        count = len(contract.terms.milestones)
        if type(milestone) is not int or not 1 <= milestone <= count:
            raise InvalidError(f"milestone: a number from 1 to {count}", field="milestone")
        states = list(contract.milestone_states)
        current = states[milestone - 1]
        moved = MILESTONE_TRANSITIONS.get((current, action))
        if moved is None:
            raise ConflictError(f"milestone {milestone} is {current} and cannot take '{action}'")
        states[milestone - 1] = moved
        changes["milestone_states"] = tuple(states)
        if action == "accept":
            accepted = list(contract.accepted_at or (None,) * count)
            accepted[milestone - 1] = now
            changes["accepted_at"] = tuple(accepted)
            target = "completed" if all(s == "accepted" for s in states) else "in-progress"
    text = (reason or "").strip()[:MAX_REASON]
    if action in REASONS and not text:
        raise InvalidError(f"reason: {REASONS[action]}", field="reason")
    if action == "dispute":
        changes.update(dispute_reason=text, disputed_by=actor, disputed_from=contract.state)
    elif action == "withdraw-dispute":
        target = contract.disputed_from  # recorded with `disputed_by`, required above
        changes.update(dispute_reason=None, disputed_by=None, disputed_from=None)
    elif action == "terminate":
        changes["termination_reason"] = text
    changes["state"] = target
    return replace(contract, **changes)


@dataclass(frozen=True, slots=True)
class Credit:
    """What a completed contract adds to the tool's listing and to reputation."""

    contract: str
    listing: str | None
    commissioned_by: Party
    built_by: Party
    completed_at: float

    @property
    def text(self) -> str:
        return f"commissioned by {self.commissioned_by.name}, built by {self.built_by.name}"


def completion_credit(contract: Contract) -> Credit:
    """The credit line of a completed contract ("commissioned by X, built by Y")."""
    if contract.state != "completed":
        raise ConflictError("only a completed contract gives credit")
    return Credit(
        contract=contract.id,
        listing=contract.terms.listing,
        commissioned_by=contract.terms.buyer,
        built_by=contract.terms.supplier,
        completed_at=contract.updated_at,
    )
