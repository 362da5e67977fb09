"""Ratings and their scores (implements commonsnode.ports.RatingRepository)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from commonsnode.errors import ConflictError, InvalidError
from commonsnode.model.rating_aggregates import ScoreCount
from commonsnode.model.ratings import Rating, RatingPage
from storage.tables import rating_scores, ratings


def _values(rating: Rating) -> dict[str, Any]:
    return {
        "id": rating.id,
        "listing_id": rating.listing_id,
        "rater": rating.rater,
        "org_id": rating.org_id,
        "author_iri": rating.author_iri,
        "origin_iri": rating.origin_iri,
        "node_host": rating.node_host,
        "via_iri": rating.via_iri,
        "text": rating.text,
        "created_at": rating.created_at,
        "updated_at": rating.updated_at,
    }


def _cursor(rating: Rating) -> str:
    return f"{rating.updated_at!r}~{rating.id}"


def _parse_cursor(after: str) -> tuple[float, str]:
    try:
        stamp, rating_id = after.split("~", 1)
        return float(stamp), rating_id
    except ValueError:
        raise InvalidError("cursor: not one this node gave", field="cursor") from None


class SqlRatingRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def save(self, rating: Rating) -> None:
        values = _values(rating)
        try:
            async with self._connection.begin_nested():
                await self._connection.execute(
                    rating_scores.delete().where(rating_scores.c.rating_id == rating.id)
                )
                updated = await self._connection.execute(
                    ratings.update().where(ratings.c.id == rating.id).values(values)
                )
                if not updated.rowcount:
                    await self._connection.execute(ratings.insert().values(values))
                await self._connection.execute(
                    rating_scores.insert(),
                    [
                        {
                            "rating_id": rating.id,
                            "criterion": criterion,
                            "value": value,
                            "listing_id": rating.listing_id,
                            "node_host": rating.node_host,
                        }
                        for criterion, value in rating.scores.items()
                    ],
                )
        except IntegrityError:
            raise ConflictError("this rater already rated that listing") from None

    async def _many(self, *where: Any, limit: int | None = None, order: Any = None) -> list[Rating]:
        query = sa.select(ratings).where(*where)
        if order is not None:
            query = query.order_by(*order)
        if limit is not None:
            query = query.limit(limit)
        rows = (await self._connection.execute(query)).all()
        if not rows:
            return []
        ids = [row.id for row in rows]
        scores: dict[str, dict[str, int]] = {rating_id: {} for rating_id in ids}
        for rating_id, criterion, value in await self._connection.execute(
            sa.select(
                rating_scores.c.rating_id, rating_scores.c.criterion, rating_scores.c.value
            ).where(rating_scores.c.rating_id.in_(ids))
        ):
            scores[rating_id][criterion] = value
        return [
            Rating(
                id=row.id,
                listing_id=row.listing_id,
                scores=scores[row.id],
                text=row.text,
                created_at=row.created_at,
                updated_at=row.updated_at,
                org_id=row.org_id,
                author_iri=row.author_iri,
                origin_iri=row.origin_iri,
                node_host=row.node_host,
                via_iri=row.via_iri,
            )
            for row in rows
        ]

    async def _one(self, *where: Any) -> Rating | None:
        found = await self._many(*where)
        return found[0] if found else None

    async def get_by_id(self, rating_id: str) -> Rating | None:
        return await self._one(ratings.c.id == rating_id)

    async def get_by_rater(self, listing_id: str, rater: str) -> Rating | None:
        return await self._one(ratings.c.listing_id == listing_id, ratings.c.rater == rater)

    async def get_by_origin(self, origin_iri: str) -> Rating | None:
        return await self._one(ratings.c.origin_iri == origin_iri)

    async def delete(self, rating_id: str) -> bool:
        await self._connection.execute(
            rating_scores.delete().where(rating_scores.c.rating_id == rating_id)
        )
        result = await self._connection.execute(ratings.delete().where(ratings.c.id == rating_id))
        return bool(result.rowcount)

    async def page(self, listing_id: str, limit: int, after: str | None = None) -> RatingPage:
        where = [ratings.c.listing_id == listing_id]
        if after:
            stamp, rating_id = _parse_cursor(after)
            where.append(
                sa.or_(
                    ratings.c.updated_at < stamp,
                    sa.and_(ratings.c.updated_at == stamp, ratings.c.id < rating_id),
                )
            )
        found = await self._many(
            *where, limit=limit + 1, order=(ratings.c.updated_at.desc(), ratings.c.id.desc())
        )
        more = len(found) > limit
        found = found[:limit]
        return RatingPage(tuple(found), _cursor(found[-1]) if more and found else None)

    async def score_counts(self, listing_ids: Sequence[str]) -> dict[str, list[ScoreCount]]:
        counts: dict[str, list[ScoreCount]] = {}
        if not listing_ids:
            return counts
        c = rating_scores.c
        rows = await self._connection.execute(
            sa.select(c.listing_id, c.criterion, c.value, c.node_host, sa.func.count())
            .where(c.listing_id.in_(list(listing_ids)))
            .group_by(c.listing_id, c.criterion, c.value, c.node_host)
        )
        for listing_id, criterion, value, node_host, count in rows:
            counts.setdefault(listing_id, []).append(
                ScoreCount(criterion, int(value), node_host, int(count))
            )
        return counts
