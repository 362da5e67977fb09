"""Backfill: a new node follows a peer's catalog of 10,000 listings and stores them all.

Run: .venv/bin/python bench/backfill.py [--listings 10000] [--page-size 100]

Two real nodes in this process on loopback addresses (SQLite, synchronous=normal as the
cluster tests use), each with its HTTP server; the publisher is seeded directly in the
database (listings plus the catalog's announce records: what publishing would have left).
The clock starts when the follower's catalog sends its Follow and stops when the backfill
cursor is finished: Follow, Accept, then the outbox paged over signed GETs, every listing read
and stored. Both nodes share one event loop and one CPU, so the figure is pessimistic.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/queue.py shares its name with the stdlib module: keep this folder off the import path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import argparse
import asyncio
import tempfile
import time
from dataclasses import replace

import sqlalchemy as sa

from commonsnode.ids import new_id
from commonsnode.model.listings import facts_from_publiccode, new_local_listing
from commonsnode.ports import AnnouncedObject
from commonsnode.publiccode.documents import read_document
from federation.catalog import catalog_iri, follow_catalog
from tests.federation.cluster import ClusterNode, cluster

SOURCE = ROOT / "tests" / "fixtures" / "publiccode" / "v0" / "valid" / "valid.yml"
BATCH = 1000


async def seed(node: ClusterNode, count: int) -> None:
    """`count` published listings of one organisation, each announced by the catalog."""
    org = await node.org("city")
    document = read_document(SOURCE.read_text(encoding="utf-8"))
    assert document.result.listing is not None
    facts = facts_from_publiccode(document.result.listing)
    now = node.node.clock.now()
    iris = node.node.federation.iris
    for start in range(0, count, BATCH):
        async with node.node.uow() as tx:
            for index in range(start, min(start + BATCH, count)):
                changed = replace(
                    facts,
                    name=f"Tool {index}",
                    repository=f"https://git.example/tools/tool-{index}.git",
                )
                listing = new_local_listing(
                    new_id(now), org.id, changed, document.yaml_text or "", now
                )
                await tx.listings.add(listing)
                await tx.catalog.record_announce(
                    AnnouncedObject(
                        iris.listing(listing.id),
                        repr(now),
                        listing.id,
                        new_id(now),
                        True,
                        now + index / 1000,
                    )
                )


async def remote_count(node: ClusterNode) -> int:
    query = sa.text("SELECT count(*) FROM listings WHERE origin_iri IS NOT NULL")
    async with node.node.db.transaction(readonly=True) as connection:
        return int(await connection.scalar(query) or 0)


async def main(listings: int, page_size: int) -> None:
    settings = {"federation": {"catalog_page_size": page_size}}
    with tempfile.TemporaryDirectory() as tmp:
        async with cluster(
            Path(tmp), "publisher", "newcomer", settings={"publisher": settings}
        ) as c:
            publisher, newcomer = c["publisher"], c["newcomer"]
            began = time.perf_counter()
            await seed(publisher, listings)
            print(f"seeded {listings} listings in {time.perf_counter() - began:.1f} s")

            began = time.perf_counter()
            await follow_catalog(newcomer.node.federation, f"acct:catalog@{publisher.host}")
            await c.settle()
            elapsed = time.perf_counter() - began
            async with newcomer.node.uow(readonly=True) as tx:
                cursor = await tx.catalog.backfill(catalog_iri(publisher.node.federation.iris))
            stored = await remote_count(newcomer)
            assert cursor is not None
            print(
                f"backfill: {stored}/{listings} listings, {cursor.pages} pages of {page_size}, "
                f"{elapsed:.1f} s ({stored / elapsed:.0f} listings/s); "
                f"finished={cursor.finished_at is not None}"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=10_000)
    parser.add_argument("--page-size", type=int, default=100)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.listings, arguments.page_size))
