"""Local actors' key pairs (implements commonsnode.ports.KeyRepository); private keys stay here."""

from __future__ import annotations

import time

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from commonsnode.keys import KeyPair, KeyType
from storage.tables import actor_keys


class SqlKeyRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, owner: str, pair: KeyPair) -> None:
        await self._connection.execute(
            actor_keys.insert().values(
                owner=owner,
                type=pair.type,
                private_pem=pair.private_pem,
                public_pem=pair.public_pem,
                created_at=time.time(),
            )
        )

    async def get(self, owner: str, key_type: KeyType) -> KeyPair | None:
        row = (
            await self._connection.execute(
                sa.select(actor_keys).where(
                    actor_keys.c.owner == owner, actor_keys.c.type == key_type
                )
            )
        ).first()
        return None if row is None else KeyPair(row.type, row.private_pem, row.public_pem)
