"""Use-cases for the payments ledger: record a payment (idempotent) and read the ledger.

The ledger is rebuilt from the stored payments with the model's rules, so both parties and any
later node derive the same entries; the database's unique (contract, reference) makes a repeated
payment a no-op even when two recordings race.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from commonsnode.commission_events import CommissionEvent, PaymentNotice
from commonsnode.errors import ConflictError, ForbiddenError
from commonsnode.model.contracts import Contract
from commonsnode.model.ledger import (
    Entry,
    Ledger,
    balances,
    booked,
    is_balanced,
    parse_payment,
    record,
)
from commonsnode.model.money import Money
from commonsnode.ports import UnitOfWork, UnitOfWorkFactory
from commonsnode.usecases.contracts import party_contract


@dataclass(frozen=True, slots=True)
class LedgerView:
    """A contract's ledger as both parties see it, with balances per account."""

    contract: Contract
    ledger: Ledger
    balances: dict[tuple[str, str], Money]
    balanced: bool


async def _ledger(tx: UnitOfWork, contract: Contract) -> Ledger:
    return booked(contract, await tx.ledger.for_contract(contract.id))


async def record_payment(
    uow: UnitOfWorkFactory,
    contract_id: str,
    actor: str,
    body: Mapping[str, Any],
    *,
    tell: bool = True,
) -> tuple[Entry, bool]:
    """The buyer records a payment against a milestone; (entry, False) when it was booked
    already (same contract, reference and content), ConflictError when the reference is taken
    by a different payment. A new payment is queued to be told to the supplier's node (not
    one the buyer's node told us: `tell` False)."""
    async with uow() as tx:
        contract, _ = await party_contract(tx, contract_id, actor, for_update=True)
        if actor != contract.terms.buyer.id:
            raise ForbiddenError("only the buyer (the payer) records payments on this contract")
        payment = parse_payment(body, contract)
        ledger = await _ledger(tx, contract)
        updated = record(ledger, contract, payment)
        entry = updated.find(payment.contract, payment.reference)
        assert entry is not None
        if updated is ledger:
            return entry, False
        lines = [(p.account, p.amount.amount, p.kind) for p in entry.postings]
        if not await tx.ledger.add(payment, lines):
            # Booked by a racing recording meanwhile: the same payment is fine, another is not.
            again = (await _ledger(tx, contract)).find(payment.contract, payment.reference)
            if again is None or again.payment != payment:
                raise ConflictError(
                    f"reference {payment.reference!r} is already booked for a different payment"
                )
            return again, False
        if tell:
            told = CommissionEvent(
                "payment-recorded",
                actor,
                contract_id=contract_id,
                payment=PaymentNotice.of(payment),
            )
            await tx.jobs.enqueue(told.to_job())
    return entry, True


async def ledger_view(uow: UnitOfWorkFactory, contract_id: str, actor: str) -> LedgerView:
    """The contract's ledger, the same for both parties."""
    async with uow(readonly=True) as tx:
        contract, _ = await party_contract(tx, contract_id, actor)
        ledger = await _ledger(tx, contract)
    return LedgerView(contract, ledger, balances(ledger), is_balanced(ledger))
