"""Domain rules, federation mode, actor blocks and per-host delivery state."""

from __future__ import annotations

import json
from typing import cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from commonsnode.model.moderation import DomainPolicy, DomainRule, FederationMode
from storage.tables import actor_blocks, delivery_hosts, domain_rules, instance_settings
from storage.upsert import upsert

MODE_KEY = "federation_mode"


class SqlModerationRepository:
    """Implements ports.ModerationRepository."""

    def __init__(self, connection: AsyncConnection, dialect: str) -> None:
        self._connection = connection
        self._dialect = dialect

    async def policy(self) -> DomainPolicy:
        rows = (
            await self._connection.execute(sa.select(domain_rules.c.domain, domain_rules.c.rule))
        ).all()
        mode = await self._connection.scalar(
            sa.select(instance_settings.c.value).where(instance_settings.c.key == MODE_KEY)
        )
        return DomainPolicy(
            mode=cast(FederationMode, mode or "open"),
            blocked=frozenset(domain for domain, rule in rows if rule == "block"),
            allowed=frozenset(domain for domain, rule in rows if rule == "allow"),
        )

    async def set_rule(self, domain: str, rule: DomainRule, reason: str, now: float) -> None:
        await self._connection.execute(
            upsert(
                self._dialect,
                domain_rules,
                {"domain": domain, "rule": rule, "reason": reason, "created_at": now},
                ["domain"],
                ["rule", "reason", "created_at"],
            )
        )

    async def remove_rule(self, domain: str) -> bool:
        result = await self._connection.execute(
            domain_rules.delete().where(domain_rules.c.domain == domain)
        )
        return bool(result.rowcount)

    async def rules(self) -> list[tuple[str, DomainRule, str]]:
        rows = await self._connection.execute(
            sa.select(domain_rules.c.domain, domain_rules.c.rule, domain_rules.c.reason).order_by(
                domain_rules.c.domain
            )
        )
        return [(row.domain, cast(DomainRule, row.rule), row.reason) for row in rows]

    async def set_mode(self, mode: FederationMode) -> None:
        await self._connection.execute(
            upsert(
                self._dialect,
                instance_settings,
                {"key": MODE_KEY, "value": mode},
                ["key"],
                ["value"],
            )
        )

    async def block_actor(self, org_id: str, remote_iri: str, now: float) -> None:
        await self._connection.execute(
            upsert(
                self._dialect,
                actor_blocks,
                {"org_id": org_id, "remote_iri": remote_iri, "created_at": now},
                ["org_id", "remote_iri"],
            )
        )

    async def unblock_actor(self, org_id: str, remote_iri: str) -> bool:
        result = await self._connection.execute(
            actor_blocks.delete().where(
                actor_blocks.c.org_id == org_id, actor_blocks.c.remote_iri == remote_iri
            )
        )
        return bool(result.rowcount)

    async def is_actor_blocked(self, org_id: str, remote_iri: str) -> bool:
        found = await self._connection.scalar(
            sa.select(sa.func.count()).where(
                actor_blocks.c.org_id == org_id, actor_blocks.c.remote_iri == remote_iri
            )
        )
        return bool(found)


class SqlHostStateRepository:
    """Implements ports.HostStateRepository: an opaque JSON record per host, with a TTL."""

    def __init__(self, connection: AsyncConnection, dialect: str) -> None:
        self._connection = connection
        self._dialect = dialect

    async def get(self, host: str, *, for_update: bool = False) -> dict[str, object] | None:
        statement = sa.select(delivery_hosts.c.state).where(delivery_hosts.c.host == host)
        if for_update and self._dialect == "postgresql":  # SQLite: the writer lock suffices
            statement = statement.with_for_update()
        raw = await self._connection.scalar(statement)
        return None if raw is None else cast(dict[str, object], json.loads(raw))

    async def put(self, host: str, state: dict[str, object], expires_at: float) -> None:
        await self._connection.execute(
            upsert(
                self._dialect,
                delivery_hosts,
                {"host": host, "state": json.dumps(state), "expires_at": expires_at},
                ["host"],
                ["state", "expires_at"],
            )
        )

    async def prune(self, now: float) -> int:
        result = await self._connection.execute(
            delivery_hosts.delete().where(delivery_hosts.c.expires_at <= now)
        )
        return int(result.rowcount)
