"""Tool listings, local and remote (implements commonsnode.ports.ListingRepository)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from commonsnode.errors import ConflictError, InvalidError
from commonsnode.model.listings import (
    FACETS,
    USED_BY_BUCKETS,
    DeclaredParty,
    FacetCount,
    ListingFacts,
    ListingPage,
    ListingQuery,
    ListingText,
    Provenance,
    Tool,
    ToolListing,
    ToolPage,
)
from commonsnode.model.privacy_rubric import FACET_VALUES as PRIVACY_FACETS
from storage.repositories.privacy import grade_subquery
from storage.search_index import (
    RECENCY_BUCKET,
    Term,
    fts5_query,
    index_values,
    parse_query,
    score,
    tsquery,
)
from storage.tables import listing_search, listings

_LIKE_ESCAPE = "\\"
NOT_GRADED = PRIVACY_FACETS[-1]


def _tokens(values: tuple[str, ...]) -> str:
    """Space-delimited with a space at each end, so `LIKE '% token %'` matches whole entries."""
    return " " + " ".join(v.replace(" ", "_") for v in values) + " " if values else " "


def _search_text(facts: ListingFacts) -> str:
    parts = [facts.name, facts.repository, facts.license, *facts.categories, *facts.used_by]
    for text in facts.descriptions:
        parts += [text.short_description, text.long_description, *text.features]
    return "\n".join(parts).lower()


def _document(facts: ListingFacts) -> str:
    """Every fact except the per-language texts, which have their own column."""
    values = asdict(facts)
    values.pop("descriptions")
    return json.dumps(values, ensure_ascii=False)


def _values(listing: ToolListing) -> dict[str, Any]:
    facts, origin = listing.facts, listing.provenance
    return {
        "id": listing.id,
        "org_id": listing.org_id,
        "state": listing.state,
        "name": facts.name,
        "url": facts.repository,
        "repository_key": listing.repository_key,
        "summary": facts.text().short_description,
        "descriptions": json.dumps([asdict(d) for d in facts.descriptions], ensure_ascii=False),
        "categories": _tokens(facts.categories),
        "platforms": _tokens(facts.platforms),
        "license": facts.license,
        "development_status": facts.development_status,
        "software_type": facts.software_type,
        "document": _document(facts),
        "publiccode": listing.publiccode,
        "search_text": _search_text(facts),
        "published_at": listing.published_at,
        "updated_at": listing.updated_at,
        "withdrawn_at": listing.withdrawn_at,
        "origin_iri": origin.origin_iri if origin else None,
        "author_iri": origin.author_iri if origin else None,
        "node_host": origin.node_host if origin else None,
        "received_at": origin.received_at if origin else None,
        "via_iri": origin.via_iri if origin else None,
    }


def record_from_row(row: Any) -> ToolListing:
    document = json.loads(row.document)
    parties = tuple(DeclaredParty(**party) for party in document.pop("parties", ()))
    texts = tuple(
        ListingText(**{**d, "features": tuple(d.get("features", ()))})
        for d in json.loads(row.descriptions)
    )
    facts = ListingFacts(
        descriptions=texts,
        parties=parties,
        **{k: tuple(v) if isinstance(v, list) else v for k, v in document.items()},
    )
    provenance = None
    if row.origin_iri is not None:
        provenance = Provenance(
            origin_iri=row.origin_iri,
            author_iri=row.author_iri,
            node_host=row.node_host,
            received_at=row.received_at,
            via_iri=row.via_iri,
        )
    return ToolListing(
        id=row.id,
        facts=facts,
        state=row.state,
        published_at=row.published_at,
        updated_at=row.updated_at,
        withdrawn_at=row.withdrawn_at,
        org_id=row.org_id,
        publiccode=row.publiccode,
        provenance=provenance,
    )


def _like(text: str, *, whole_token: bool = False) -> str:
    escaped = text.replace(_LIKE_ESCAPE, _LIKE_ESCAPE * 2).replace("%", "\\%").replace("_", "\\_")
    return f"% {escaped} %" if whole_token else f"%{escaped}%"


class SqlListingRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, listing: ToolListing) -> None:
        try:
            async with self._connection.begin_nested():
                await self._connection.execute(listings.insert().values(_values(listing)))
                await self._index(listing)
        except IntegrityError:
            raise ConflictError(
                "this organisation already lists that repository", field="url"
            ) from None

    async def update(self, listing: ToolListing) -> None:
        values = _values(listing)
        values.pop("id")
        try:
            async with self._connection.begin_nested():
                await self._connection.execute(
                    listings.update().where(listings.c.id == listing.id).values(values)
                )
                await self._index(listing)
        except IntegrityError:
            raise ConflictError(
                "this organisation already lists that repository", field="url"
            ) from None

    async def _one(self, *where: Any) -> ToolListing | None:
        row = (await self._connection.execute(sa.select(listings).where(*where))).first()
        return None if row is None else record_from_row(row)

    async def get_by_id(self, listing_id: str) -> ToolListing | None:
        return await self._one(listings.c.id == listing_id)

    async def get_by_origin(self, origin_iri: str) -> ToolListing | None:
        return await self._one(listings.c.origin_iri == origin_iri)

    async def get_local_by_repository(self, org_id: str, key: str) -> ToolListing | None:
        return await self._one(
            listings.c.org_id == org_id,
            listings.c.repository_key == key,
            listings.c.state == "published",
        )

    async def delete(self, listing_id: str) -> bool:
        await self._connection.execute(
            listing_search.delete().where(listing_search.c.listing_id == listing_id)
        )
        result = await self._connection.execute(
            listings.delete().where(listings.c.id == listing_id)
        )
        return bool(result.rowcount)

    async def by_repository(self, key: str) -> list[ToolListing]:
        rows = await self._connection.execute(
            sa.select(listings)
            .where(listings.c.repository_key == key, listings.c.state == "published")
            .order_by(listings.c.id)
        )
        return [record_from_row(row) for row in rows]

    async def by_org(self, org_id: str, limit: int, before: str | None = None) -> list[ToolListing]:
        """Keyset-paged by id (UUIDv7, so newest first) over the org's published listings,
        which the partial unique index on (org_id, repository_key) already selects."""
        statement = sa.select(listings).where(
            listings.c.org_id == org_id, listings.c.state == "published"
        )
        if before is not None:
            statement = statement.where(listings.c.id < before)
        rows = await self._connection.execute(
            statement.order_by(listings.c.id.desc()).limit(max(0, limit))
        )
        return [record_from_row(row) for row in rows]

    async def count_by_org(self, org_id: str) -> int:
        count = await self._connection.execute(
            sa.select(sa.func.count())
            .select_from(listings)
            .where(listings.c.org_id == org_id, listings.c.state == "published")
        )
        return int(count.scalar_one())

    async def search(self, query: ListingQuery) -> list[ToolListing]:
        return list((await self.search_page(query)).listings)

    async def search_page(self, query: ListingQuery) -> ListingPage:
        """Published listings matching the query, with facets over the (bounded) matched set.

        Without words: newest first, keyset-paged by id. With words: the CANDIDATES most
        recently indexed listings holding every word (and as many holding every word in their
        name) are scored in Python (storage.search_index.score) and paged by (score, id).
        """
        terms = parse_query(query.q or "")
        where = _filters(query)
        if not terms:
            return await self._newest(query, where)
        rows = await self._matches(terms, where)
        exact = len(rows) < CANDIDATES
        ranked = sorted(
            (
                (
                    score(
                        terms, r.name_tokens, r.summary_tokens, r.feature_tokens, r.used_by_count
                    ),
                    r,
                )
                for r in rows.values()
            ),
            key=lambda pair: (pair[0], pair[1].listing_id),
            reverse=True,
        )
        if query.after:
            after = _score_cursor(query.after)
            ranked = [p for p in ranked if (p[0], p[1].listing_id) < after]
        page = ranked[: query.limit]
        more = len(ranked) > query.limit
        return ListingPage(
            listings=tuple(await self._records([r.listing_id for _, r in page])),
            facets=_facets(rows.values()),
            total=len(rows),
            exact=exact,
            next_cursor=f"{page[-1][0]}:{page[-1][1].listing_id}" if more else None,
        )

    async def search_tools(self, query: ListingQuery) -> ToolPage:
        """Matching listings grouped by repository key. A tool ranks by its best listing (its
        newest without words); the same bounded candidates as search_page are grouped."""
        terms = parse_query(query.q or "")
        where = _filters(query)
        rows: dict[str, Any] = {}
        if terms:
            rows = await self._matches(terms, where)
        else:
            s = listing_search.c
            statement = sa.select(*_CANDIDATE_COLS).where(*where).order_by(s.seq.desc())
            for row in await self._connection.execute(statement.limit(CANDIDATES)):
                rows[row.listing_id] = row
        best: dict[str, tuple[int, str]] = {}
        for r in rows.values():
            points = (
                score(terms, r.name_tokens, r.summary_tokens, r.feature_tokens, r.used_by_count)
                if terms
                else 0
            )
            best[r.repository_key] = max(
                best.get(r.repository_key, (0, "")), (points, r.listing_id)
            )
        ranked = sorted(((rank, key) for key, rank in best.items()), reverse=True)
        if query.after:
            after = _score_cursor(query.after)
            ranked = [pair for pair in ranked if pair[0] < after]
        page = ranked[: query.limit]
        keys = [key for _, key in page]
        found: dict[str, list[ToolListing]] = {key: [] for key in keys}
        if keys:
            statement = (
                sa.select(listings)
                .where(listings.c.repository_key.in_(keys), listings.c.state == "published")
                .order_by(listings.c.id)
            )
            for row in await self._connection.execute(statement):
                found[row.repository_key].append(record_from_row(row))
        last = page[-1][0] if page else None
        return ToolPage(
            tools=tuple(Tool(key, tuple(found[key])) for key in keys if found[key]),
            facets=_facets(rows.values()),
            total=len(best),
            exact=len(rows) < CANDIDATES,
            next_cursor=f"{last[0]}:{last[1]}" if last and len(ranked) > query.limit else None,
        )

    async def _matches(self, terms: tuple[Term, ...], where: list[Any]) -> dict[str, Any]:
        """The newest CANDIDATES matches; when there are more, also the newest CANDIDATES
        whose name holds every word, so the strongest matches are never cut off."""
        if self._connection.dialect.name != "sqlite":
            return await self._pg_matches(terms, where)
        rows = {row.listing_id: row for row in await self._candidates(terms, where, None)}
        if len(rows) >= CANDIDATES:
            for row in await self._candidates(terms, where, "name"):
                rows.setdefault(row.listing_id, row)
        return rows

    async def _candidates(
        self, terms: tuple[Term, ...], where: list[Any], column: str | None
    ) -> Sequence[Any]:
        s = listing_search.c
        fts = sa.table("listing_fts", sa.column("rowid"))
        statement = (
            sa.select(*_CANDIDATE_COLS)
            .select_from(fts.join(listing_search, s.seq == fts.c.rowid))
            .where(
                sa.text("listing_fts MATCH :match").bindparams(match=fts5_query(terms, column)),
                *where,
            )
            .order_by(fts.c.rowid.desc())
        )
        return (await self._connection.execute(statement.limit(CANDIDATES))).all()

    async def _pg_matches(self, terms: tuple[Term, ...], where: list[Any]) -> dict[str, Any]:
        """_matches on PostgreSQL. The GIN index leads with a recency bucket (migration 0006):
        the newest buckets are searched first, one index scan intersecting them with the
        words, and the window widens until it holds CANDIDATES matches or covers everything.
        A common word reads a few hundred rows, not every match; the rows are those of one
        unbounded search."""
        # Bitmap scans of the GIN index only: the planner's other choice (newest first,
        # testing each row's vector) reads the whole table for a rare combination of words.
        # Plans are made for the actual window and words, never a cached generic plan.
        top = (
            await self._connection.exec_driver_sql(
                "SELECT set_config('enable_indexscan', 'off', true),"
                " set_config('enable_seqscan', 'off', true),"
                " set_config('plan_cache_mode', 'force_custom_plan', true),"
                " (SELECT max(seq) FROM listing_search)"
            )
        ).one()[3] or 0
        try:
            found, window = await self._pg_newest(
                terms, where, None, top, CANDIDATES * WINDOW_START
            )
            rows = {row.listing_id: row for row in found}
            if len(rows) >= CANDIDATES:
                # Names holding every word are rarer: start from the window that was enough.
                named, _ = await self._pg_newest(terms, where, "name", top, window)
                for row in named:
                    rows.setdefault(row.listing_id, row)
            return rows
        finally:
            await self._connection.exec_driver_sql(
                "SELECT set_config('enable_indexscan', 'on', true),"
                " set_config('enable_seqscan', 'on', true),"
                " set_config('plan_cache_mode', 'auto', true)"
            )

    async def _pg_newest(
        self, terms: tuple[Term, ...], where: list[Any], column: str | None, top: int, window: int
    ) -> tuple[Sequence[Any], int]:
        """The newest CANDIDATES matches (in the name only for `column` "name"), searching
        the listings with seq above top - window first; and the window that held them."""
        s = listing_search.c
        vector = "name_vector" if column == "name" else "all_vector"
        statement = (
            sa.select(*_CANDIDATE_COLS)
            .where(
                sa.text(f"listing_search.{vector} @@ CAST(:match AS tsquery)").bindparams(
                    match=tsquery(terms)
                ),
                *where,
            )
            .order_by(s.seq.desc())
            .limit(CANDIDATES)
        )
        while True:
            bucket = max(0, top - window) // RECENCY_BUCKET
            bounded = statement.where(
                sa.text("listing_search.recency >= :bucket").bindparams(bucket=bucket)
            )
            rows = (await self._connection.execute(bounded if bucket else statement)).all()
            window = top - bucket * RECENCY_BUCKET
            if not bucket or len(rows) >= CANDIDATES:
                return rows, window
            # Widen to where 1.5 × CANDIDATES matches are expected, from the density seen.
            grow = -(-CANDIDATES * 3 // (2 * len(rows))) if rows else WINDOW_GROWTH
            window *= max(2, min(grow, WINDOW_GROWTH))

    async def _newest(self, query: ListingQuery, where: list[Any]) -> ListingPage:
        s = listing_search.c
        page = sa.select(s.listing_id).where(*where)
        if query.after:
            page = page.where(s.listing_id < query.after)
        ids = list(
            (
                await self._connection.execute(
                    page.order_by(s.listing_id.desc()).limit(query.limit + 1)
                )
            ).scalars()
        )
        facet_rows = (
            await self._connection.execute(
                sa.select(*_FACET_COLS).where(*where).order_by(s.seq.desc()).limit(CANDIDATES)
            )
        ).all()
        more = len(ids) > query.limit
        return ListingPage(
            listings=tuple(await self._records(ids[: query.limit])),
            facets=_facets(facet_rows),
            total=len(facet_rows),
            exact=len(facet_rows) < CANDIDATES,
            next_cursor=ids[query.limit - 1] if more else None,
        )

    async def _records(self, ids: list[str]) -> list[ToolListing]:
        if not ids:
            return []
        rows = await self._connection.execute(sa.select(listings).where(listings.c.id.in_(ids)))
        found = {row.id: record_from_row(row) for row in rows}
        return [found[i] for i in ids if i in found]

    async def _index(self, listing: ToolListing) -> None:
        """Keep listing_search in step: published listings are indexed, others are not."""
        where = listing_search.c.listing_id == listing.id
        if listing.state != "published":
            await self._connection.execute(listing_search.delete().where(where))
            return
        values = {**index_values(listing), "privacy": grade_subquery(listing.repository_key)}
        result = await self._connection.execute(listing_search.update().where(where).values(values))
        if not result.rowcount:
            await self._connection.execute(listing_search.insert().values(values))


# Matches ranked per search; facets and `total` count them (`exact` false when there were more).
CANDIDATES = 500
FACET_VALUES = 30
# PostgreSQL: the first window of newest listings searched is CANDIDATES × WINDOW_START; each
# widening multiplies it by at most WINDOW_GROWTH.
WINDOW_START = 8
WINDOW_GROWTH = 16
_FACET_COLS = tuple(
    listing_search.c[name]
    for name in (
        "is_local",
        "license",
        "development_status",
        "software_type",
        "categories",
        "platforms",
        "countries",
        "used_by_count",
        "privacy",
    )
)

_CANDIDATE_COLS = (
    *(
        listing_search.c[name]
        for name in (
            "listing_id",
            "repository_key",
            "name_tokens",
            "summary_tokens",
            "feature_tokens",
        )
    ),
    *_FACET_COLS,
)


def _score_cursor(cursor: str) -> tuple[int, str]:
    points, _, listing_id = cursor.partition(":")
    if not points.isdigit() or not listing_id:
        raise InvalidError("cursor: use the `next` link of the previous page", field="cursor")
    return int(points), listing_id


def _filters(query: ListingQuery) -> list[Any]:
    s = listing_search.c
    where: list[Any] = []
    for column, value in (
        (s.categories, query.category),
        (s.platforms, query.platform),
        (s.countries, query.country.lower() if query.country else None),
    ):
        if value:
            pattern = _like(value.strip().replace(" ", "_"), whole_token=True)
            where.append(column.like(pattern, escape=_LIKE_ESCAPE))
    for column, value in (
        (s.license, query.license),
        (s.development_status, query.development_status),
        (s.software_type, query.software_type),
    ):
        if value:
            where.append(column == value)
    if query.origin is not None:
        where.append(s.is_local == (query.origin == "local"))
    if query.used_by_min:
        where.append(s.used_by_count >= query.used_by_min)
    if query.privacy:
        graded = query.privacy != NOT_GRADED
        where.append(s.privacy == query.privacy if graded else s.privacy.is_(None))
    return where


def _facets(rows: Any) -> dict[str, tuple[FacetCount, ...]]:
    counters: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
    for row in rows:
        counters["license"][row.license] += 1
        counters["development_status"][row.development_status] += 1
        counters["software_type"][row.software_type] += 1
        counters["origin"]["local" if row.is_local else "remote"] += 1
        counters["privacy"][row.privacy or NOT_GRADED] += 1
        for name, entries in (
            ("category", row.categories),
            ("platform", row.platforms),
            ("country", row.countries),
        ):
            for entry in entries.split():
                counters[name][entry.replace("_", " ")] += 1
        for least in USED_BY_BUCKETS:
            if row.used_by_count >= least:
                counters["used_by"][str(least)] += 1
    facets = {
        name: tuple(
            FacetCount(value, count)
            for value, count in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
        )[:FACET_VALUES]
        for name, counter in counters.items()
        if name not in ("used_by", "privacy")
    }
    privacy = counters["privacy"]  # in grade order, A first, whatever the counts
    facets["privacy"] = tuple(FacetCount(v, privacy[v]) for v in PRIVACY_FACETS if privacy[v])
    used_by = counters["used_by"]
    facets["used_by"] = tuple(
        FacetCount(str(least), used_by[str(least)]) for least in USED_BY_BUCKETS
    )
    return facets
