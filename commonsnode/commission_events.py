"""The domain events of commission steps (request, bid, award, contract, payment), written as
jobs in the use case's own transaction (the outbox) and told to the other party's node by the
worker once the step has committed, so a step made here is never lost on the way there.

Each event names the acting party by actor IRI; federation/commission_events.py tells only
what a party of this node did; a step applied from another node's activity queues no
event at all (the use cases take `tell=False` from the inbox), the worker's check is a second
guard.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from commonsnode.errors import DomainError
from commonsnode.jobs import NewJob
from commonsnode.model.contracts import ACTORS
from commonsnode.model.dates import parse_date
from commonsnode.model.ledger import Payment
from commonsnode.model.money import Money, parse_money

COMMISSION_EVENT_JOB = "event.commission"

CommissionStep = Literal[
    "request-published",  # a request was published: Offer{Article} or Create{Article}
    "request-updated",  # closed, awarded or cancelled: Update{Article}
    "bids-told",  # after the award or a cancellation: Accept/Reject{Offer} to remote bidders
    "bid-offered",  # a bid on another node's request: Offer{Bid} to the requester
    "contract-sent",  # at the award: Create{CommissionContract} to the supplier
    "contract-told",  # a party signed or acted: Update{CommissionContract} to the other one
    "payment-recorded",  # the buyer paid: Create{Payment} to the supplier
    "completion-announced",  # completed: Add{CommissionCredit} to the listing's publisher
]
_STEPS: tuple[str, ...] = CommissionStep.__args__  # type: ignore[attr-defined]
_CONTRACT_STEPS = ("contract-sent", "contract-told", "payment-recorded", "completion-announced")
# every action the contract model knows, so a new one cannot be refused here by omission
_CONTRACT_ACTIONS = ("sign", *ACTORS)


@dataclass(frozen=True, slots=True)
class PaymentNotice:
    """What the supplier's node needs to book the same payment: the parsed payment body."""

    milestone: int
    amount: Money
    date: date
    reference: str

    @classmethod
    def of(cls, payment: Payment) -> PaymentNotice:
        return cls(payment.milestone, payment.amount, payment.date, payment.reference)

    def to_json(self) -> dict[str, Any]:
        """The payment body `record_payment` takes (and `Create{Payment}` carries)."""
        return {
            "milestone": self.milestone,
            "amount": self.amount.to_json(),
            "date": self.date.isoformat(),
            "reference": self.reference,
        }

    @classmethod
    def from_json(cls, value: object) -> PaymentNotice:
        if not isinstance(value, Mapping):
            raise TypeError("payment: an object")
        milestone, reference = value["milestone"], value["reference"]
        if type(milestone) is not int or milestone < 1:
            raise ValueError(f"payment milestone {milestone!r}")
        if not isinstance(reference, str) or not reference:
            raise ValueError(f"payment reference {reference!r}")
        try:
            amount = parse_money(value["amount"], "amount")
            paid = parse_date(value["date"], "date")
        except DomainError as exc:
            raise ValueError(f"payment: {exc}") from exc
        return cls(milestone, amount, paid, reference)


@dataclass(frozen=True, slots=True)
class CommissionEvent:
    """One commission step `actor` made; the ids name the rows the step changed.

    request-*, bids-told and bid-offered name the request (bid-offered also the bid, bids-told
    the contract an award made); the contract steps name the contract, contract-told its
    `action` (with `milestone`, `reason`, or a sign's `proof`), payment-recorded the payment.
    """

    step: CommissionStep
    actor: str
    request_id: str | None = None
    bid_id: str | None = None
    contract_id: str | None = None
    action: str | None = None
    milestone: int | None = None
    reason: str | None = None
    proof: Mapping[str, Any] | None = None
    payment: PaymentNotice | None = None

    def __post_init__(self) -> None:
        """A step without the ids it needs is a programming error here, a bad payload there."""
        if self.step not in _STEPS:
            raise ValueError(f"unknown commission step {self.step!r}")
        if not self.actor:
            raise ValueError("a commission event names its acting party")
        contract_step = self.step in _CONTRACT_STEPS
        if contract_step and not self.contract_id:
            raise ValueError(f"{self.step} names its contract")
        if not contract_step and not self.request_id:
            raise ValueError(f"{self.step} names its request")
        if self.step == "bid-offered" and not self.bid_id:
            raise ValueError("bid-offered names its bid")
        if self.step == "contract-told" and self.action not in _CONTRACT_ACTIONS:
            raise ValueError(f"contract-told: unknown action {self.action!r}")
        if (self.action == "sign") != (self.proof is not None):
            raise ValueError("a signature (and only a signature) carries its proof")
        if (self.step == "payment-recorded") != (self.payment is not None):
            raise ValueError("payment-recorded (and only it) carries the payment")

    def to_job(self) -> NewJob:
        """One request's steps run in order, and so do one contract's between its parties (its
        Create before the signatures, a delivery before its acceptance)."""
        payload: dict[str, Any] = {"step": self.step, "actor": self.actor}
        for key, value in (
            ("request", self.request_id),
            ("bid", self.bid_id),
            ("contract", self.contract_id),
            ("action", self.action),
            ("milestone", self.milestone),
            ("reason", self.reason),
        ):
            if value is not None:
                payload[key] = value
        if self.proof is not None:
            payload["proof"] = dict(self.proof)
        if self.payment is not None:
            payload["payment"] = self.payment.to_json()
        if self.step == "completion-announced":
            # told to the listing's publisher, not a party: its node being down must not hold
            # back the parties' own later steps (a payment after the last acceptance)
            key = f"commission-credit:{self.contract_id}"
        elif self.step in _CONTRACT_STEPS:
            key = f"commission-contract:{self.contract_id}"
        else:
            key = f"commission-request:{self.request_id}"
        return NewJob(COMMISSION_EVENT_JOB, payload, ordering_key=key)

    @classmethod
    def from_payload(cls, payload: Mapping[str, object]) -> CommissionEvent:
        """The event a job carries; KeyError/TypeError/ValueError on a malformed payload."""
        unknown = set(payload) - _KEYS
        if unknown:
            raise ValueError(f"unknown keys {sorted(unknown)}")
        proof = payload.get("proof")
        if proof is not None and not (
            isinstance(proof, Mapping) and all(isinstance(k, str) for k in proof)
        ):
            raise TypeError("proof: an object")
        milestone = payload.get("milestone")
        if milestone is not None and type(milestone) is not int:
            raise TypeError(f"milestone {milestone!r}")
        payment = payload.get("payment")
        return cls(
            step=_text(payload["step"], "step"),  # type: ignore[arg-type]
            actor=_text(payload["actor"], "actor"),
            request_id=_optional(payload, "request"),
            bid_id=_optional(payload, "bid"),
            contract_id=_optional(payload, "contract"),
            action=_optional(payload, "action"),
            milestone=milestone,
            reason=_optional(payload, "reason"),
            proof=dict(proof) if proof is not None else None,
            payment=PaymentNotice.from_json(payment) if payment is not None else None,
        )


_KEYS = {
    "step",
    "actor",
    "request",
    "bid",
    "contract",
    "action",
    "milestone",
    "reason",
    "proof",
    "payment",
}


def _text(value: object, key: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{key}: a string")
    return value


def _optional(payload: Mapping[str, object], key: str) -> str | None:
    value = payload.get(key)
    return None if value is None else _text(value, key)
