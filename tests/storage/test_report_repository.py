"""Reports, comments, helpful marks and flags on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace

import pytest

from commonsnode.clock import FixedClock
from commonsnode.errors import ConflictError
from commonsnode.ids import new_id
from commonsnode.model.flags import Flag, decide
from commonsnode.model.reports import (
    Comment,
    ReportOrigin,
    check_facts,
    check_text,
    new_local_report,
    remote_report,
)
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.storage.test_listing_repository import local, org

FACTS = {
    "organisation_kind": "local-government",
    "organisation_size": "250-999",
    "country": "nl",
    "hosting": "supplier",
    "start_date": "2024-03-01",
    "duration_months": 14,
    "one_time_cost": {"amount": 1_250_000, "currency": "EUR"},
    "yearly_cost": {"amount": 300_000, "currency": "EUR"},
    "effort_person_days": 45,
    "outcome": "production",
    "would_recommend": True,
    "version": "2.3",
    "lessons": "Train the staff early.",
}


async def test_reports_round_trip_with_comments_and_helpful_marks(
    uow: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    city = await org(uow, clock)
    listing = local(city.id, clock)
    text = check_text({"title": "A year with Medusa", "narrative": "# Lessons\n\nIt *works*."})
    mine = new_local_report(new_id(clock.now()), listing.id, city.id, text, check_facts(FACTS), 1.0)
    origin = ReportOrigin("https://b.example/reports/1", "https://b.example/orgs/x", 2.0)
    clock.advance(1)
    theirs = remote_report(
        new_id(clock.now()), listing.id, text, check_facts(FACTS), origin, 2.0, "<p>hi</p>"
    )
    async with uow() as tx:
        await tx.listings.add(listing)
        await tx.reports.add(mine)
        await tx.reports.add(theirs)
        with pytest.raises(ConflictError):
            await tx.reports.add(replace(theirs, id=new_id(clock.now())))
    async with uow() as tx:
        assert await tx.reports.get_by_id(mine.id) == mine
        assert await tx.reports.get_by_origin(origin.origin_iri) == theirs
        assert [r.id for r in await tx.reports.for_listings([listing.id], 10)] == [
            theirs.id,
            mine.id,
        ]
        assert [r.id for r in await tx.reports.for_listings([listing.id], 10, theirs.id)] == [
            mine.id
        ]
        assert await tx.reports.add_helpful(mine.id, "https://b.example/orgs/x", "L1", 3.0)
        assert not await tx.reports.add_helpful(mine.id, "https://b.example/orgs/x", "L2", 3.0)
        assert await tx.reports.add_helpful(mine.id, "https://c.example/u/y", "L3", 3.0)
        assert await tx.reports.helpful_counts([mine.id, theirs.id]) == {mine.id: 2}
        assert await tx.reports.helpful_by_activity("L3") == (mine.id, "https://c.example/u/y")
        assert await tx.reports.remove_helpful(mine.id, "https://c.example/u/y") == "L3"
        assert await tx.reports.remove_helpful(mine.id, "https://c.example/u/y") is None
        comment = Comment(
            new_id(4.0),
            mine.id,
            "https://m.example/n/1",
            "https://m.example/u/a",
            "<p>Thanks</p>",
            4.0,
            4.0,
        )
        await tx.reports.save_comment(comment)
        await tx.reports.save_comment(replace(comment, content_html="<p>Edited</p>"))
        assert [c.content_html for c in await tx.reports.comments(mine.id, 10)] == ["<p>Edited</p>"]
    async with uow() as tx:
        assert await tx.reports.delete(mine.id)
        assert await tx.reports.get_comment("https://m.example/n/1") is None
        assert await tx.reports.helpful_counts([mine.id]) == {}
        assert not await tx.reports.delete(mine.id)
        # A report outlives its listing (an organisation's own report stays when a federated
        # listing's author deletes it).
        assert await tx.listings.delete(listing.id)
        assert await tx.reports.get_by_id(theirs.id) == theirs


async def test_flags_queue_newest_first_and_decisions_stick(
    uow: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    first = Flag(
        new_id(1.0),
        "remote",
        "https://b.example/actor",
        ("https://a/r/1",),
        "spam",
        "open",
        1.0,
        activity_iri="https://b.example/f/1",
    )
    second = Flag(new_id(2.0), "local", "https://a/orgs/city", ("https://a/r/2",), "", "open", 2.0)
    async with uow() as tx:
        await tx.flags.add(first)
        await tx.flags.add(second)
    async with uow() as tx:
        assert [f.id for f in await tx.flags.list(None, 10)] == [second.id, first.id]
        assert await tx.flags.get_by_activity("https://b.example/f/1") == first
        await tx.flags.update(decide(first, "dismissed", "not spam", 5.0))
    async with uow() as tx:
        assert [f.id for f in await tx.flags.list("open", 10)] == [second.id]
        stored = await tx.flags.get(first.id)
        assert stored is not None
        assert (stored.state, stored.note) == ("dismissed", "not spam")
