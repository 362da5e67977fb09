"""The signed credits a publisher announced, kept for later followers, on SQLite and PostgreSQL:
the first copy stays, pages follow the (listing, contract) cursor, one organisation's own listings
or every listing still listed (a hub's relayed credits of its copies too); migration 0015 fills
the table from the stored Announces. A replay to one follower starts at most once per cooldown."""

from __future__ import annotations

import importlib.util
import json
from dataclasses import replace
from types import ModuleType

import sqlalchemy as sa
from alembic import op
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext

from commonsnode.clock import FixedClock
from storage.db import Database
from storage.migrate import MIGRATIONS
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.storage.test_listing_repository import local, org, remote


def migration() -> ModuleType:
    path = MIGRATIONS / "versions" / "0015_announced_credits.py"
    spec = importlib.util.spec_from_file_location("announced_credits_migration", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_announced_credits_are_kept_once_and_paged(
    uow: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    city, town = await org(uow, clock), await org(uow, clock, "town")
    mine, gone = local(city.id, clock), local(town.id, clock)
    other = local(city.id, clock, repo="https://github.com/x/other")
    copy = remote(clock, "https://b.example/listings/1")
    async with uow() as tx:
        for listing in (mine, other, gone, copy):
            await tx.listings.add(listing)
        for listing, contract in (
            (mine, "https://a.example/contracts/2"),
            (mine, "https://a.example/contracts/1"),
            (other, "https://a.example/contracts/3"),
            (gone, "https://a.example/contracts/4"),
            (copy, "https://a.example/contracts/5"),
        ):
            via = "https://hub.example/catalog" if listing is copy else None
            kept = await tx.credits.keep_announced(
                listing.id, contract, json.dumps([contract]), 1.0, via=via
            )
            assert kept is True
        again = await tx.credits.keep_announced(
            mine.id, "https://a.example/contracts/1", "later", 2.0
        )
        assert again is False
        await tx.listings.update(replace(gone, withdrawn_at=3.0))
    async with uow(readonly=True) as tx:
        everything = await tx.credits.kept_credits(None, None, 10)
        pages = [await tx.credits.kept_credits(city.id, None, 2)]
        pages.append(await tx.credits.kept_credits(city.id, pages[0][-1][:2], 2))
        assert await tx.credits.kept_credits(town.id, None, 10) == []
    ordered = sorted(
        [
            (mine.id, "https://a.example/contracts/1"),
            (mine.id, "https://a.example/contracts/2"),
            (other.id, "https://a.example/contracts/3"),
        ]
    )
    # Every listing still listed: not the withdrawn one; the copy's (a hub's relay) too.
    relayed = (copy.id, "https://a.example/contracts/5")
    assert [row[:2] for row in everything] == sorted([*ordered, relayed])
    assert [row[:2] for page in pages for row in page] == ordered  # the organisation's own
    assert [len(page) for page in pages] == [2, 1]
    assert {row[3] for row in everything if row[0] == copy.id} == {"https://hub.example/catalog"}
    assert {row[3] for row in everything if row[0] != copy.id} == {None}
    first = dict(((row[0], row[1]), row[2]) for row in everything)
    assert first[(mine.id, "https://a.example/contracts/1")] == '["https://a.example/contracts/1"]'


async def test_the_migration_takes_the_credits_from_the_stored_announces(
    database: Database, uow: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    city = await org(uow, clock)
    listing = local(city.id, clock)
    iri = f"https://d.example/listings/{listing.id}"
    contract = "https://a.example/contracts/1"
    credit = {"type": "CommissionCredit", "listing": iri, "contract": contract, "proof": {}}
    async with uow() as tx:
        await tx.listings.add(listing)
        for key, object_ in (
            ("a1", credit),
            ("a2", {**credit, "proof": {"again": True}}),  # the same credit, announced again
            ("a3", {**credit, "listing": "https://d.example/listings/nope"}),
            ("a4", {"type": "Note", "content": "CommissionCredit"}),
        ):
            document = json.dumps({"type": "Announce", "object": object_})
            await tx.activities.add(key, city.id, "Announce", document, 5.0, public=False)
    async with database.transaction() as connection:

        def rerun(sync: object) -> None:
            context = MigrationContext.configure(sync)  # type: ignore[arg-type]
            with Operations.context(context):
                step = migration()
                step.downgrade()
                step.upgrade()
                op.add_column("announced_credits", sa.Column("via_iri", sa.Text))  # 0016's

        await connection.run_sync(rerun)
    async with uow(readonly=True) as tx:
        kept = await tx.credits.kept_credits(None, None, 10)
    assert [(row[0], row[1], json.loads(row[2])) for row in kept] == [
        (listing.id, contract, credit)
    ]


async def test_a_replay_to_one_follower_is_started_at_most_once_per_cooldown(
    uow: SqlUnitOfWorkFactory,
) -> None:
    follower, other = "https://b.example/catalog", "https://c.example/catalog"
    async with uow() as tx:
        assert await tx.credits.start_replay("catalog", follower, 100.0, 50.0) is True
    async with uow() as tx:
        assert await tx.credits.start_replay("catalog", follower, 149.0, 50.0) is False
        assert await tx.credits.start_replay("catalog", other, 149.0, 50.0) is True
        assert await tx.credits.start_replay("org-1", follower, 149.0, 50.0) is True
    async with uow() as tx:  # the cooldown runs from the last replay made, not the refused one
        assert await tx.credits.start_replay("catalog", follower, 150.0, 50.0) is True
        assert await tx.credits.start_replay("catalog", follower, 199.0, 50.0) is False
