"""The commission payments ledger (implements commonsnode.ports.LedgerRepository).

A payment is unique per (contract, reference): the constraint, not a prior read, decides, so
two racing recordings of the same payment book it once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from commonsnode.errors import NotFoundError
from commonsnode.model.ledger import Payment
from commonsnode.model.money import Money
from storage.commission_tables import commission_contracts as contracts_table
from storage.commission_tables import commission_payments as payments_table
from storage.commission_tables import commission_postings as postings_table


class SqlLedgerRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def _local_id(self, contract_iri: str) -> str:
        local_id = await self._connection.scalar(
            sa.select(contracts_table.c.id).where(contracts_table.c.iri == contract_iri)
        )
        if local_id is None:
            raise NotFoundError(f"no contract {contract_iri}")
        return str(local_id)

    async def add(self, payment: Payment, postings: Sequence[tuple[str, int, str]]) -> bool:
        contract_id = await self._local_id(payment.contract)
        try:
            async with self._connection.begin_nested():
                payment_id = (
                    await self._connection.execute(
                        payments_table.insert()
                        .values(
                            contract_id=contract_id,
                            reference=payment.reference,
                            milestone=payment.milestone,
                            payer=payment.payer,
                            payee=payment.payee,
                            currency=payment.amount.currency,
                            amount=payment.amount.amount,
                            paid_on=payment.date.isoformat(),
                        )
                        .returning(payments_table.c.id)
                    )
                ).scalar_one()
                await self._connection.execute(
                    postings_table.insert(),
                    [
                        {
                            "payment_id": payment_id,
                            "line": line,
                            "account": account,
                            "currency": payment.amount.currency,
                            "amount": amount,
                            "kind": kind,
                        }
                        for line, (account, amount, kind) in enumerate(postings, start=1)
                    ],
                )
        except IntegrityError:
            return False
        return True

    async def for_contract(self, contract_id: str) -> list[Payment]:
        rows = await self._connection.execute(
            sa.select(payments_table)
            .join(contracts_table, contracts_table.c.id == payments_table.c.contract_id)
            .where(contracts_table.c.iri == contract_id)
            .order_by(payments_table.c.id)
        )
        return [
            Payment(
                contract=contract_id,
                milestone=row.milestone,
                payer=row.payer,
                payee=row.payee,
                amount=Money(int(row.amount), row.currency),
                date=date.fromisoformat(row.paid_on),
                reference=row.reference,
            )
            for row in rows
        ]
