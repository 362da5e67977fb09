"""Commission contracts and the parties' proofs (implements commonsnode.ports.ContractRepository).

The signed document is stored as JSON and read back through `terms_from_document`, so what the
parties signed is what every later check verifies.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from commonsnode.model.contract_documents import terms_from_document
from commonsnode.model.contracts import Contract, Signature, document
from storage.commission_tables import commission_contracts as contracts_table
from storage.commission_tables import commission_signatures as signatures_table
from storage.db import Dialect


def _progress(contract: Contract) -> dict[str, Any]:
    return {
        "state": contract.state,
        "milestone_states": json.dumps(list(contract.milestone_states)),
        "accepted_at": json.dumps(list(contract.accepted_at)),
        "dispute_reason": contract.dispute_reason,
        "disputed_by": contract.disputed_by,
        "disputed_from": contract.disputed_from,
        "termination_reason": contract.termination_reason,
        "updated_at": contract.updated_at,
    }


class SqlContractRepository:
    def __init__(self, connection: AsyncConnection, dialect: Dialect) -> None:
        self._connection = connection
        self._dialect = dialect

    async def add(self, local_id: str, contract: Contract, request_id: str) -> None:
        terms = contract.terms
        await self._connection.execute(
            contracts_table.insert().values(
                id=local_id,
                iri=terms.id,
                request_id=request_id,
                buyer=terms.buyer.id,
                supplier=terms.supplier.id,
                listing=terms.listing,
                document=json.dumps(document(terms), ensure_ascii=False),
                created_at=contract.updated_at,
                **_progress(contract),
            )
        )
        await self._add_signatures(local_id, contract)

    async def _add_signatures(self, local_id: str, contract: Contract) -> None:
        known = set(
            await self._connection.scalars(
                sa.select(signatures_table.c.party).where(
                    signatures_table.c.contract_id == local_id
                )
            )
        )
        new = [s for s in contract.signatures if s.party not in known]
        if new:
            await self._connection.execute(
                signatures_table.insert(),
                [
                    {
                        "contract_id": local_id,
                        "party": s.party,
                        "proof": json.dumps(dict(s.proof), ensure_ascii=False),
                        "recorded_at": s.recorded_at,
                    }
                    for s in new
                ],
            )

    async def save(self, contract: Contract) -> None:
        local_id = await self._connection.scalar(
            sa.select(contracts_table.c.id).where(contracts_table.c.iri == contract.id)
        )
        await self._connection.execute(
            contracts_table.update()
            .where(contracts_table.c.id == local_id)
            .values(**_progress(contract))
        )
        await self._add_signatures(str(local_id), contract)

    async def _load(self, rows: list[Any]) -> list[Contract]:
        if not rows:
            return []
        signed = await self._connection.execute(
            sa.select(signatures_table)
            .where(signatures_table.c.contract_id.in_([row.id for row in rows]))
            .order_by(signatures_table.c.recorded_at, signatures_table.c.party)
        )
        signatures: dict[str, list[Signature]] = {}
        for s in signed:
            signatures.setdefault(s.contract_id, []).append(
                Signature(party=s.party, proof=json.loads(s.proof), recorded_at=s.recorded_at)
            )
        return [
            Contract(
                terms=terms_from_document(json.loads(row.document)),
                state=row.state,
                milestone_states=tuple(json.loads(row.milestone_states)),
                accepted_at=tuple(json.loads(row.accepted_at)),
                updated_at=row.updated_at,
                signatures=tuple(signatures.get(row.id, ())),
                dispute_reason=row.dispute_reason,
                disputed_by=row.disputed_by,
                disputed_from=row.disputed_from,
                termination_reason=row.termination_reason,
            )
            for row in rows
        ]

    async def get(self, local_id: str, *, for_update: bool = False) -> tuple[Contract, str] | None:
        statement = sa.select(contracts_table).where(contracts_table.c.id == local_id)
        if for_update and self._dialect == "postgresql":  # SQLite: the writer lock suffices
            statement = statement.with_for_update()
        row = (await self._connection.execute(statement)).first()
        if row is None:
            return None
        (contract,) = await self._load([row])
        return contract, row.request_id

    async def for_request(self, request_id: str) -> tuple[str, Contract] | None:
        row = (
            await self._connection.execute(
                sa.select(contracts_table).where(contracts_table.c.request_id == request_id)
            )
        ).first()
        if row is None:
            return None
        (contract,) = await self._load([row])
        return row.id, contract

    async def for_party(
        self, party: str, limit: int, after: str | None = None
    ) -> list[tuple[str, Contract]]:
        table = contracts_table
        statement = sa.select(table).where(
            sa.or_(table.c.buyer == party, table.c.supplier == party)
        )
        if after is not None:
            statement = statement.where(table.c.id < after)
        rows = list(
            await self._connection.execute(statement.order_by(table.c.id.desc()).limit(limit))
        )
        contracts = await self._load(rows)
        return [(row.id, contract) for row, contract in zip(rows, contracts, strict=True)]

    async def completed_for_listing(self, listing: str) -> list[Contract]:
        rows = list(
            await self._connection.execute(
                sa.select(contracts_table)
                .where(contracts_table.c.listing == listing, contracts_table.c.state == "completed")
                .order_by(contracts_table.c.updated_at, contracts_table.c.id)
            )
        )
        return await self._load(rows)
