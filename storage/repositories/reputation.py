"""What reputation reads and writes (implements commonsnode.ports.ReputationRepository).

`sources()` reads the whole input graph in a handful of plain SELECTs (no per-row queries): the
recomputation is incremental in the engine, the read is one pass over the tables.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from commonsnode.model.reputation_sources import (
    ContractSource,
    FollowSource,
    HelpfulSource,
    ListingSource,
    LocalOrgSource,
    RatingSource,
    RemoteActorSource,
    ReputationSources,
    StoredScore,
)
from commonsnode.model.trust import node_of
from storage.commission_tables import commission_contracts
from storage.report_tables import report_helpful, reports
from storage.tables import (
    follows,
    listings,
    organisations,
    rating_scores,
    ratings,
    remote_actors,
    reputation_nodes,
    reputation_scores,
)
from storage.upsert import upsert


class SqlReputationRepository:
    def __init__(self, connection: AsyncConnection, dialect: str) -> None:
        self._connection = connection
        self._dialect = dialect

    async def sources(self) -> ReputationSources:
        run = self._connection.execute
        local = (
            await run(sa.select(organisations.c.id, organisations.c.handle, organisations.c.kind))
        ).all()
        handles = {row.id: row.handle for row in local}
        orgs = tuple(LocalOrgSource(row.handle, row.kind) for row in local)
        actors = tuple(
            RemoteActorSource(row.iri, row.kind)
            for row in await run(
                sa.select(remote_actors.c.iri, remote_actors.c.kind).where(
                    remote_actors.c.gone_at.is_(None)
                )
            )
        )
        found_listings = tuple(
            ListingSource(row.id, row.repository_key, handles.get(row.org_id), row.author_iri)
            for row in await run(
                sa.select(
                    listings.c.id,
                    listings.c.repository_key,
                    listings.c.org_id,
                    listings.c.author_iri,
                ).where(listings.c.state == "published")
            )
        )
        found_ratings = tuple(
            RatingSource(
                row.listing_id,
                int(row.value),
                row.updated_at,
                org_handle=handles.get(row.org_id),
                author_iri=row.author_iri,
            )
            for row in await run(
                sa.select(
                    ratings.c.listing_id,
                    ratings.c.org_id,
                    ratings.c.author_iri,
                    ratings.c.updated_at,
                    rating_scores.c.value,
                )
                .join(rating_scores, rating_scores.c.rating_id == ratings.c.id)
                .where(rating_scores.c.criterion == "overall")
            )
        )
        found_follows: list[FollowSource] = []
        first_seen: dict[str, float] = {}
        for row in await run(
            sa.select(
                follows.c.direction, follows.c.org_id, follows.c.remote_iri, follows.c.created_at
            ).where(follows.c.state == "accepted")
        ):
            handle = handles.get(row.org_id)
            if handle is not None:
                found_follows.append(FollowSource(row.direction, handle, row.remote_iri))
            _earliest(first_seen, node_of(row.remote_iri), row.created_at)
        for node, received in await run(
            sa.select(listings.c.node_host, sa.func.min(listings.c.received_at))
            .where(listings.c.node_host.is_not(None), listings.c.received_at.is_not(None))
            .group_by(listings.c.node_host)
        ):
            _earliest(first_seen, str(node).lower(), float(received))
        nodes = sa.select(reputation_nodes.c.node, reputation_nodes.c.first_seen)
        for node, seen in await run(nodes):
            _earliest(first_seen, node, seen)
        contracts = tuple(
            ContractSource(row.iri, row.buyer, row.supplier)
            for row in await run(
                sa.select(
                    commission_contracts.c.iri,
                    commission_contracts.c.buyer,
                    commission_contracts.c.supplier,
                ).where(commission_contracts.c.state == "completed")
            )
        )
        return ReputationSources(
            contracts=contracts,
            orgs=orgs,
            remote_actors=actors,
            listings=found_listings,
            ratings=found_ratings,
            follows=tuple(found_follows),
            node_first_seen=first_seen,
        )

    async def helpful_marks(self) -> list[HelpfulSource]:
        query = (
            sa.select(
                report_helpful.c.report_id,
                report_helpful.c.actor_iri,
                organisations.c.handle,
                reports.c.origin_iri,
                reports.c.author_iri,
            )
            .join(reports, reports.c.id == report_helpful.c.report_id)
            .outerjoin(organisations, organisations.c.id == reports.c.org_id)
            .where(reports.c.state == "published")
            .order_by(report_helpful.c.report_id, report_helpful.c.actor_iri)
        )
        rows = (await self._connection.execute(query)).all()
        return [
            HelpfulSource(
                report_id=row.report_id,
                liker=row.actor_iri,
                author_handle=row.handle,
                origin_iri=row.origin_iri,
                author_iri=row.author_iri,
            )
            for row in rows
        ]

    async def note_nodes(self, nodes: Sequence[str], now: float) -> None:
        for node in sorted(set(nodes)):
            await self._connection.execute(
                upsert(self._dialect, reputation_nodes, {"node": node, "first_seen": now}, ["node"])
            )

    async def stored(self, subject: str) -> StoredScore | None:
        row = (
            await self._connection.execute(
                sa.select(reputation_scores).where(reputation_scores.c.subject == subject)
            )
        ).first()
        if row is None:
            return None
        return StoredScore(
            row.subject, row.kind, row.score, json.loads(row.document), row.computed_at
        )

    async def store(self, scores: Sequence[StoredScore], removed: Sequence[str]) -> None:
        for score in scores:
            values = {
                "subject": score.subject,
                "kind": score.kind,
                "score": score.score,
                "document": json.dumps(score.document, separators=(",", ":")),
                "computed_at": score.computed_at,
            }
            await self._connection.execute(
                upsert(
                    self._dialect,
                    reputation_scores,
                    values,
                    ["subject"],
                    ["kind", "score", "document", "computed_at"],
                )
            )
        gone = list(removed)
        for start in range(0, len(gone), 500):
            await self._connection.execute(
                reputation_scores.delete().where(
                    reputation_scores.c.subject.in_(gone[start : start + 500])
                )
            )

    async def stored_subjects(self) -> dict[str, float]:
        rows = await self._connection.execute(
            sa.select(reputation_scores.c.subject, reputation_scores.c.score)
        )
        return {subject: score for subject, score in rows}


def _earliest(found: dict[str, float], node: str, at: float) -> None:
    if node and (node not in found or at < found[node]):
        found[node] = at
