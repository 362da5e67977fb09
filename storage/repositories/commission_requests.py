"""Commission requests (implements commonsnode.ports.CommissionRequestRepository)."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from commonsnode.errors import NotFoundError
from commonsnode.model.money import Money
from commonsnode.model.requests import Budget, Criteria, Request, RequestTerms
from storage.commission_tables import commission_request_recipients as recipients_table
from storage.commission_tables import commission_requests as requests_table
from storage.db import Dialect

_STATE_FIELDS = (
    "state",
    "updated_at",
    "published_at",
    "closed_at",
    "awarded_at",
    "awarded_bid",
    "cancelled_at",
    "cancel_reason",
)


def _to_request(row: Any, recipients: tuple[str, ...]) -> Request:
    terms = RequestTerms(
        kind=row.kind,
        title=row.title,
        description=row.description,
        budget=Budget(
            min=Money(int(row.budget_min), row.currency),
            max=Money(int(row.budget_max), row.currency),
        ),
        deadline=row.deadline,
        criteria=Criteria(**json.loads(row.criteria)),
        requirements=tuple(json.loads(row.requirements)),
        listing=row.listing,
        recipients=recipients,
    )
    return Request(
        id=row.id,
        requester=row.requester,
        terms=terms,
        **{name: getattr(row, name) for name in _STATE_FIELDS},
        created_at=row.created_at,
    )


class SqlCommissionRequestRepository:
    def __init__(self, connection: AsyncConnection, dialect: Dialect) -> None:
        self._connection = connection
        self._dialect = dialect

    async def add(self, request: Request, requester_name: str) -> None:
        terms = request.terms
        await self._connection.execute(
            requests_table.insert().values(
                id=request.id,
                requester=request.requester,
                requester_name=requester_name,
                kind=terms.kind,
                title=terms.title,
                description=terms.description,
                requirements=json.dumps(list(terms.requirements)),
                listing=terms.listing,
                currency=terms.budget.currency,
                budget_min=terms.budget.min.amount,
                budget_max=terms.budget.max.amount,
                deadline=terms.deadline,
                criteria=json.dumps(terms.criteria.to_json()),
                directed=request.is_directed,
                created_at=request.created_at,
                **{name: getattr(request, name) for name in _STATE_FIELDS},
            )
        )
        if terms.recipients:
            await self._connection.execute(
                recipients_table.insert(),
                [{"request_id": request.id, "actor": actor} for actor in terms.recipients],
            )

    async def update(self, request: Request) -> None:
        await self._connection.execute(
            requests_table.update()
            .where(requests_table.c.id == request.id)
            .values(**{name: getattr(request, name) for name in _STATE_FIELDS})
        )

    async def _recipients(self, ids: list[str]) -> dict[str, tuple[str, ...]]:
        if not ids:
            return {}
        rows = await self._connection.execute(
            sa.select(recipients_table.c.request_id, recipients_table.c.actor)
            .where(recipients_table.c.request_id.in_(ids))
            .order_by(recipients_table.c.request_id, recipients_table.c.actor)
        )
        found: dict[str, list[str]] = {}
        for row in rows:
            found.setdefault(row.request_id, []).append(row.actor)
        return {key: tuple(value) for key, value in found.items()}

    async def get(self, request_id: str, *, for_update: bool = False) -> Request | None:
        statement = sa.select(requests_table).where(requests_table.c.id == request_id)
        if for_update and self._dialect == "postgresql":  # SQLite: the writer lock suffices
            statement = statement.with_for_update()
        row = (await self._connection.execute(statement)).first()
        if row is None:
            return None
        recipients = await self._recipients([row.id])
        return _to_request(row, recipients.get(row.id, ()))

    async def name_of(self, request_id: str) -> str:
        name = await self._connection.scalar(
            sa.select(requests_table.c.requester_name).where(requests_table.c.id == request_id)
        )
        if name is None:
            raise NotFoundError(f"no request {request_id}")
        return str(name)

    async def visible(
        self,
        actor: str | None,
        limit: int,
        after: str | None = None,
        state: str | None = None,
        *,
        kind: str | None = None,
        directed: bool | None = None,
    ) -> list[Request]:
        table = requests_table
        published = sa.and_(table.c.state != "draft", table.c.directed.is_(False))
        if actor is not None:
            invited = sa.and_(
                table.c.state != "draft",
                table.c.id.in_(
                    sa.select(recipients_table.c.request_id).where(
                        recipients_table.c.actor == actor
                    )
                ),
            )
            condition = sa.or_(table.c.requester == actor, published, invited)
        else:
            condition = published
        statement = sa.select(table).where(condition)
        if state is not None:
            statement = statement.where(table.c.state == state)
        if kind is not None:
            statement = statement.where(table.c.kind == kind)
        if directed is not None:
            statement = statement.where(table.c.directed.is_(directed))
        if after is not None:
            statement = statement.where(table.c.id < after)
        rows = list(
            await self._connection.execute(statement.order_by(table.c.id.desc()).limit(limit))
        )
        recipients = await self._recipients([row.id for row in rows])
        return [_to_request(row, recipients.get(row.id, ())) for row in rows]
