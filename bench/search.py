"""Catalog search latency over 100,000 generated listings, on SQLite and PostgreSQL.

Run: .venv/bin/python bench/search.py [--listings N] [--rounds R] [--backend sqlite|postgres|both]
(PostgreSQL at 127.0.0.1:5432, user postgres, trust auth)

20 typical queries (words in several languages, prefixes, facet filters, browsing by facet) go
through the repository as the API calls it: one read-only transaction, the ranked page of 20
and the facet counts. Printed next to it, from the same database in the same run, the naive
design: SQLite FTS5 `ORDER BY rank` (bm25 over every match), PostgreSQL `ORDER BY ts_rank`.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/queue.py shares its name with the stdlib module: keep this folder off the import path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import asyncio
import random
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable

import asyncpg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from commonsnode.clock import SystemClock
from commonsnode.model.listings import (
    ListingFacts,
    ListingQuery,
    ListingText,
    Provenance,
    remote_listing,
)
from storage import migrate
from storage.db import Database
from storage.repositories.listings import _values
from storage.search_index import index_values, parse_query, tsquery
from storage.tables import listing_search, listings
from storage.unit_of_work import SqlUnitOfWorkFactory

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
DOMAIN = [
    "municipal",
    "portal",
    "citizen",
    "service",
    "document",
    "management",
    "payment",
    "tax",
    "permit",
    "register",
    "open",
    "data",
    "api",
    "map",
    "geographic",
    "survey",
    "participation",
    "vote",
    "budget",
    "procurement",
    "tender",
    "identity",
    "authentication",
    "accessibility",
    "school",
    "health",
    "transport",
    "parking",
    "waste",
    "energy",
    "archive",
    "records",
    "workflow",
    "cloud",
    "office",
    "mail",
    "calendar",
    "chat",
    "form",
    "booking",
    "ticket",
    "library",
]
ITALIAN = [
    "gestione",
    "documentale",
    "città",
    "comune",
    "servizi",
    "cittadini",
    "pagamenti",
    "trasparenza",
]
GERMAN = ["verwaltung", "bürger", "dienst", "gemeinde", "formular", "straße", "öffentlich"]
CATEGORIES = [
    "accounting",
    "agile-project-management",
    "applicant-tracking",
    "budgeting",
    "cloud-management",
    "collaboration",
    "communications",
    "content-management",
    "data-analytics",
    "document-management",
    "e-commerce",
    "e-signature",
    "email-management",
    "geographic-information-systems",
    "identity-management",
    "office",
    "online-booking",
]
LICENSES = ("EUPL-1.2", "AGPL-3.0-or-later", "MIT", "Apache-2.0", "GPL-3.0-only", "MPL-2.0")
STATUSES = ("concept", "development", "beta", "stable", "obsolete")
TYPES = ("standalone/web", "standalone/desktop", "library", "addon", "configurationFiles")
PLATFORMS = ("web", "linux", "windows", "mac", "android", "ios")
COUNTRIES = ("it", "de", "fr", "es", "nl", "se", "pt", "at")

QUERIES: list[dict[str, object]] = [
    {"q": "portal"},
    {"q": "document management"},
    {"q": "citizen payment"},
    {"q": "municipal"},
    {"q": "tax", "license": "EUPL-1.2"},
    {"q": "open data", "category": "data-analytics"},
    {"q": "gestione documentale"},
    {"q": "città"},
    {"q": "bürger formular"},
    {"q": "geo*"},
    {"q": "auth*", "development_status": "stable"},
    {"q": "map", "platform": "linux"},
    {"q": "booking", "country": "it"},
    {"q": "procurement tender", "software_type": "standalone/web"},
    {"q": 'zq-rare-7 "unbalanced (NEAR'},
    {"q": "waste energy transport"},
    {"category": "office"},
    {"license": "MIT", "development_status": "beta"},
    {},
    {"q": "library", "used_by_min": 5},
]


def _words(rng: random.Random, vocabulary: list[str], count: int) -> str:
    return " ".join(rng.choices(vocabulary, k=count))


def generate(n: int) -> list[dict[str, dict[str, object]]]:
    """Rows for `listings` and `listing_search`, from a fixed seed."""
    rng = random.Random(7)
    filler = [f"w{i}x" for i in range(20_000)]
    vocabulary = DOMAIN * 40 + filler
    rows = []
    start = time.time() - n
    for i in range(n):
        texts = [
            ListingText(
                "en",
                _words(rng, vocabulary, 12),
                _words(rng, vocabulary, 60),
                tuple(_words(rng, vocabulary, 4) for _ in range(3)),
            )
        ]
        if i % 3 == 0:
            texts.append(ListingText("it", _words(rng, ITALIAN + filler[:500], 10), "", ()))
        if i % 5 == 0:
            texts.append(ListingText("de", _words(rng, GERMAN + filler[:500], 10), "", ()))
        name = f"{rng.choice(DOMAIN).title()} {rng.choice(filler)} {i}"
        if i % 1000 == 7:
            name += " zq-rare-7"
        facts = ListingFacts(
            name=name,
            repository=f"https://code.example/org{i % 5000}/tool{i % 60000}",
            descriptions=tuple(texts),
            license=rng.choice(LICENSES),
            development_status=rng.choice(STATUSES),
            software_type=rng.choice(TYPES),
            platforms=tuple(rng.sample(PLATFORMS, rng.randint(1, 3))),
            categories=tuple(rng.sample(CATEGORIES, rng.randint(1, 3))),
            used_by=tuple(f"City {rng.randint(1, 900)}" for _ in range(rng.randint(0, 12))),
            countries=tuple(rng.sample(COUNTRIES, rng.randint(0, 2))),
        )
        node = f"node{i % 40}.example"
        at = start + i
        origin = Provenance(
            f"https://{node}/listings/{i}", f"https://{node}/orgs/o", node, at, node
        )
        listing = remote_listing(str(uuid.UUID(int=i + 1)), facts, origin, at)
        rows.append({"listing": _values(listing), "search": index_values(listing)})
    return rows


async def load(db: Database, rows: list[dict[str, dict[str, object]]]) -> None:
    for i in range(0, len(rows), 2000):
        batch = rows[i : i + 2000]
        async with db.transaction() as connection:
            await connection.execute(listings.insert(), [r["listing"] for r in batch])
            await connection.execute(listing_search.insert(), [r["search"] for r in batch])


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


async def timed(call: Callable[[], Awaitable[object]], rounds: int) -> list[float]:
    await call()  # warm
    out = []
    for _ in range(rounds):
        began = time.perf_counter()
        await call()
        out.append((time.perf_counter() - began) * 1000)
    return out


async def measure(db: Database, rounds: int) -> tuple[list[float], dict[str, float], int]:
    uow = SqlUnitOfWorkFactory(db, SystemClock())
    samples: list[float] = []
    worst: dict[str, float] = {}
    totals = 0
    for params in QUERIES:
        query = ListingQuery(limit=20, **params)  # type: ignore[arg-type]

        async def call(query: ListingQuery = query) -> object:
            async with uow(readonly=True) as tx:
                return await tx.listings.search_page(query)

        got = await timed(call, rounds)
        samples += got
        worst[str(params)] = percentiles(got)[1]
        async with uow(readonly=True) as tx:
            totals += (await tx.listings.search_page(query)).total
    return samples, worst, totals


def naive_sqlite(path: Path, rounds: int) -> list[float]:
    connection = sqlite3.connect(path)
    samples = []
    for params in QUERIES:
        terms = parse_query(str(params.get("q", "")))
        if not terms:
            continue
        match = " AND ".join(f'"{t.token}"' + ("*" if t.prefix else "") for t in terms)
        for _ in range(rounds):
            began = time.perf_counter()
            connection.execute(
                "SELECT rowid FROM listing_fts WHERE listing_fts MATCH ? ORDER BY rank LIMIT 20",
                (match,),
            ).fetchall()
            samples.append((time.perf_counter() - began) * 1000)
    connection.close()
    return samples


async def naive_postgres(name: str, rounds: int) -> list[float]:
    connection = await asyncpg.connect(database=name, **PG)
    vector = "all_vector"
    samples = []
    for params in QUERIES:
        terms = parse_query(str(params.get("q", "")))
        if not terms:
            continue
        for _ in range(rounds):
            began = time.perf_counter()
            await connection.fetch(
                f"SELECT listing_id FROM listing_search WHERE {vector} @@ $1::tsquery "
                f"ORDER BY ts_rank({vector}, $1::tsquery) DESC LIMIT 20",
                tsquery(terms),
            )
            samples.append((time.perf_counter() - began) * 1000)
    await connection.close()
    return samples


def report(label: str, samples: list[float]) -> None:
    p50, p95 = percentiles(samples)
    print(f"  {label:<44} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms   ({len(samples)} runs)")


async def run(backend: str, url: str, rows: list[dict[str, dict[str, object]]], rounds: int):  # type: ignore[no-untyped-def]
    db = Database(url, pool_size=2, sqlite_synchronous="normal")
    try:
        await migrate.upgrade(db)
        began = time.perf_counter()
        await load(db, rows)
        print(f"{backend}: loaded {len(rows):,} listings in {time.perf_counter() - began:.1f} s")
        if backend == "postgres":
            async with db.transaction() as connection:
                await connection.exec_driver_sql("ANALYZE listing_search")
        samples, worst, _totals = await measure(db, rounds)
        report("search_page (20 queries, ranked + facets)", samples)
        slowest = sorted(worst.items(), key=lambda kv: -kv[1])[:3]
        for params, p95 in slowest:
            print(f"    slowest p95 {p95:7.2f} ms  {params}")
        return samples
    finally:
        await db.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    args = parser.parse_args()
    began = time.perf_counter()
    rows = generate(args.listings)
    print(f"generated {len(rows):,} listings in {time.perf_counter() - began:.1f} s")
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "bench.db"
            await run("sqlite", f"sqlite+aiosqlite:///{path}", rows, args.rounds)
            report(
                "baseline: FTS5 ORDER BY rank LIMIT 20 (sqlite3)", naive_sqlite(path, args.rounds)
            )
    if args.backend in ("postgres", "both"):
        name = f"cn_bench_{uuid.uuid4().hex[:8]}"
        admin = await asyncpg.connect(database="test", **PG)
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            url = f"postgresql+asyncpg://{PG['user']}@{PG['host']}:{PG['port']}/{name}"
            await run("postgres", url, rows, args.rounds)
            report(
                "baseline: ORDER BY ts_rank LIMIT 20 (asyncpg)",
                await naive_postgres(name, args.rounds),
            )
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
