"""API bearer tokens, stored as SHA-256 hashes (implements commonsnode.ports.TokenRepository)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.tables import api_tokens


class SqlTokenRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, token_id: str, org_id: str, token_hash: str, created_at: float) -> None:
        await self._connection.execute(
            api_tokens.insert().values(
                id=token_id, org_id=org_id, token_hash=token_hash, created_at=created_at
            )
        )

    async def get_org_id(self, token_hash: str) -> str | None:
        return await self._connection.scalar(
            sa.select(api_tokens.c.org_id).where(
                api_tokens.c.token_hash == token_hash, api_tokens.c.revoked_at.is_(None)
            )
        )
