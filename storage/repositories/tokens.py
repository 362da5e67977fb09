"""API bearer tokens, stored as SHA-256 hashes (implements commonsnode.ports.TokenRepository)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.tables import api_tokens


class SqlTokenRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(
        self, token_id: str, org_id: str, token_hash: str, created_at: float, *, operator: bool
    ) -> None:
        await self._connection.execute(
            api_tokens.insert().values(
                id=token_id,
                org_id=org_id,
                token_hash=token_hash,
                created_at=created_at,
                operator=operator,
            )
        )

    async def get(self, token_hash: str) -> tuple[str, bool] | None:
        row = (
            await self._connection.execute(
                sa.select(api_tokens.c.org_id, api_tokens.c.operator).where(
                    api_tokens.c.token_hash == token_hash, api_tokens.c.revoked_at.is_(None)
                )
            )
        ).first()
        return None if row is None else (row.org_id, bool(row.operator))
