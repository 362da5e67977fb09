"""Payments ledger: double entry, per milestone, idempotent by the payment's reference.

Each payment of A (minor units) against a contract with a fee of N basis points books one entry
of postings that sum to zero:
    buyer (payer)     −A          what left the buyer
    supplier (payee)  +(A − F)    what the supplier keeps
    operator          +F          the commons operator's fee, F = fee(A, N) (half-even rounding)
so the fee is deducted from what the supplier receives; the buyer pays the contract price and
nothing more. A zero fee books no operator posting.

The ledger holds no node-local data (no row ids, no arrival times) and keeps entries in one
order (payment date, then contract, then reference), so the buyer's node and the supplier's node
derive identical ledgers, and identical per-party statements, from the same payments in any
arrival order. Recording a payment whose (contract, reference) is already booked changes nothing
if it is the same payment and is refused if it is not. A payment may come before its milestone
is accepted (an advance) but the payments against a milestone never exceed its amount.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

from commonsnode.errors import ConflictError, InvalidError
from commonsnode.model.contracts import Contract
from commonsnode.model.dates import parse_date
from commonsnode.model.money import Money, fee, parse_money, total

PostingKind = Literal["paid", "received", "fee"]
MAX_REFERENCE = 200
PAYABLE_STATES = frozenset({"signed", "in-progress", "completed"})


@dataclass(frozen=True, slots=True)
class Payment:
    """A payment from the buyer to the supplier against one milestone (1-based)."""

    contract: str
    milestone: int
    payer: str
    payee: str
    amount: Money
    date: date
    reference: str

    @property
    def key(self) -> tuple[str, str]:
        """What makes a payment the same payment: its contract and its reference."""
        return (self.contract, self.reference)


@dataclass(frozen=True, slots=True)
class Posting:
    """One line of an entry: `amount` into (+) or out of (−) `account` (an actor IRI)."""

    account: str
    amount: Money
    kind: PostingKind


@dataclass(frozen=True, slots=True)
class Entry:
    """A booked payment and its postings (which sum to zero)."""

    payment: Payment
    postings: tuple[Posting, ...]

    @property
    def accounts(self) -> frozenset[str]:
        return frozenset(p.account for p in self.postings)


@dataclass(frozen=True, slots=True)
class Ledger:
    """The booked entries, in their one canonical order."""

    entries: tuple[Entry, ...] = ()

    def find(self, contract: str, reference: str) -> Entry | None:
        return next((e for e in self.entries if e.payment.key == (contract, reference)), None)


def parse_payment(data: object, contract: Contract) -> Payment:
    """Check a payment body `{"milestone", "amount", "date", "reference"}` against `contract`.

    `milestone` is the 1-based index of the milestone in the contract document (an integer, or
    its decimal string); payer and payee come from the contract, not from the body.
    """
    if not isinstance(data, Mapping):
        raise InvalidError("a payment is a JSON object")
    milestone = data.get("milestone")
    if isinstance(milestone, str) and milestone.isdigit():
        milestone = int(milestone)
    count = len(contract.terms.milestones)
    if type(milestone) is not int or not 1 <= milestone <= count:
        raise InvalidError(f"milestone: a number from 1 to {count}", field="milestone")
    reference = data.get("reference")
    if not isinstance(reference, str) or not reference.strip() or len(reference) > MAX_REFERENCE:
        raise InvalidError(
            f"reference: required, at most {MAX_REFERENCE} characters (e.g. the bank transfer id)",
            field="reference",
        )
    return Payment(
        contract=contract.id,
        milestone=milestone,
        payer=contract.terms.buyer.id,
        payee=contract.terms.supplier.id,
        amount=parse_money(data.get("amount"), "amount"),
        date=parse_date(data.get("date"), "date"),
        reference=reference.strip(),
    )


def postings_for(payment: Payment, contract: Contract) -> tuple[Posting, ...]:
    """The entry's postings: payer out, payee in net of fee, operator in with the fee."""
    cut = fee(payment.amount, contract.terms.fee_basis_points)
    lines = [
        Posting(payment.payer, -payment.amount, "paid"),
        Posting(payment.payee, payment.amount - cut, "received"),
    ]
    if cut.amount:
        lines.append(Posting(contract.terms.operator.id, cut, "fee"))
    return tuple(lines)


def paid_for(ledger: Ledger, contract: str, milestone: int, currency: str) -> Money:
    """What has been paid so far against one milestone of one contract."""
    return total(
        (
            e.payment.amount
            for e in ledger.entries
            if e.payment.contract == contract and e.payment.milestone == milestone
        ),
        currency,
    )


def _order(entry: Entry) -> tuple[date, str, str]:
    return (entry.payment.date, entry.payment.contract, entry.payment.reference)


def record(ledger: Ledger, contract: Contract, payment: Payment) -> Ledger:
    """Book `payment`; the same payment again returns the ledger unchanged."""
    if payment.contract != contract.id:
        raise InvalidError("payment: not for this contract", field="contract")
    existing = ledger.find(payment.contract, payment.reference)
    if existing is not None:
        if existing.payment == payment:
            return ledger
        raise ConflictError(
            f"reference {payment.reference!r} is already booked for a different payment"
        )
    if contract.state not in PAYABLE_STATES:
        raise ConflictError(f"a contract that is {contract.state} takes no payments")
    if (payment.payer, payment.payee) != (contract.terms.buyer.id, contract.terms.supplier.id):
        raise InvalidError("payment: from the buyer to the supplier of the contract")
    count = len(contract.terms.milestones)
    if not 1 <= payment.milestone <= count:
        raise InvalidError(f"milestone: a number from 1 to {count}", field="milestone")
    due = contract.terms.milestones[payment.milestone - 1].amount
    if payment.amount.currency != due.currency:
        raise InvalidError(
            f"amount: the contract is in {due.currency}, not {payment.amount.currency}",
            field="amount",
        )
    paid = paid_for(ledger, contract.id, payment.milestone, due.currency)
    if paid + payment.amount > due:
        raise ConflictError(
            f"milestone {payment.milestone} is {due}; {paid} is paid already, "
            f"so at most {due - paid} more"
        )
    entry = Entry(payment=payment, postings=postings_for(payment, contract))
    return Ledger(entries=tuple(sorted((*ledger.entries, entry), key=_order)))


def booked(contract: Contract, payments: Iterable[Payment]) -> Ledger:
    """The ledger of payments already booked (their checks passed when they were recorded)."""
    entries = [Entry(payment=p, postings=postings_for(p, contract)) for p in payments]
    return Ledger(entries=tuple(sorted(entries, key=_order)))


def replay(contract: Contract, payments: Iterable[Payment]) -> Ledger:
    """The ledger of one contract from its payments, in whatever order they arrived."""
    ledger = Ledger()
    for payment in payments:
        ledger = record(ledger, contract, payment)
    return ledger


def balances(ledger: Ledger) -> dict[tuple[str, str], Money]:
    """Each account's balance per currency: +received, −paid."""
    sums: dict[tuple[str, str], int] = defaultdict(int)
    for entry in ledger.entries:
        for posting in entry.postings:
            sums[(posting.account, posting.amount.currency)] += posting.amount.amount
    return {key: Money(amount, key[1]) for key, amount in sorted(sums.items())}


def is_balanced(ledger: Ledger) -> bool:
    """Every entry sums to zero in its currency (so the whole ledger does too)."""
    return all(
        sum(p.amount.amount for p in e.postings) == 0
        and len({p.amount.currency for p in e.postings}) == 1
        for e in ledger.entries
    )


def statement(ledger: Ledger, party: str) -> tuple[Entry, ...]:
    """The entries `party` takes part in, each whole: both parties see the same lines."""
    return tuple(e for e in ledger.entries if party in e.accounts)
