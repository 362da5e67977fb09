"""Use-cases for ratings: rate, re-rate, withdraw, read, summarise; one transaction each.

Local changes write a RatingEvent job in the same transaction (the outbox); remote ratings are
kept or removed by the federation layer through `store_remote_rating` / `remove_remote_rating`.
Ratings whose node a domain block covers are left out of every read and summary, so a block
applies to ratings already held.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from commonsnode.clock import Clock
from commonsnode.errors import ConflictError, ForbiddenError, InvalidError, NotFoundError
from commonsnode.ids import new_id
from commonsnode.model.listings import ToolListing
from commonsnode.model.moderation import DomainPolicy
from commonsnode.model.organisations import Organisation
from commonsnode.model.rating_aggregates import RatingSummary, summarise
from commonsnode.model.ratings import (
    Rating,
    RatingPage,
    Scores,
    check_may_rate,
    check_scores,
    check_text,
    give,
)
from commonsnode.ports import UnitOfWork, UnitOfWorkFactory
from commonsnode.rating_events import RatingEvent
from commonsnode.reputation_events import recompute_job

MAX_PAGE = 100


def _permits(policy: DomainPolicy) -> Callable[[str], bool]:
    """The policy on a node's `host[:port]` (as ratings record it): the port is no part of
    the domain an operator blocks."""

    def permits(node_host: str) -> bool:
        host = node_host
        if host.startswith("["):
            host = host[1 : host.find("]")] if "]" in host else host
        else:
            name, _, port = host.rpartition(":")
            host = name if name and port.isdigit() else host
        return policy.permits(host)

    return permits


@dataclass(frozen=True, slots=True)
class RatingChange:
    rating: Rating
    created: bool


async def _published(tx: UnitOfWork, listing_id: str) -> ToolListing:
    listing = await tx.listings.get_by_id(listing_id)
    if listing is None:
        raise NotFoundError(f"no listing {listing_id}")
    if listing.state != "published":
        raise ConflictError("this listing was withdrawn; it cannot be rated")
    return listing


async def rate_listing(
    uow: UnitOfWorkFactory,
    clock: Clock,
    org: Organisation,
    listing_id: str,
    raw_scores: Any,
    raw_text: Any = None,
) -> RatingChange:
    """The organisation rates a listing; a second rating replaces the first (same id)."""
    scores, text = check_scores(raw_scores), check_text(raw_text)
    now = clock.now()
    async with uow() as tx:
        listing = await _published(tx, listing_id)
        check_may_rate(
            listing, await tx.listings.by_repository(listing.repository_key), org_id=org.id
        )
        existing = await tx.ratings.get_by_rater(listing.id, org.id)
        rating = give(existing, new_id(now), listing.id, scores, text, now, org_id=org.id)
        await tx.ratings.save(rating)
        change = "given" if existing is None else "replaced"
        await tx.jobs.enqueue(RatingEvent(change, rating.id, listing.id, org.id, now).to_job())
        await tx.jobs.enqueue(recompute_job(now))
    return RatingChange(rating, created=existing is None)


async def withdraw_rating(
    uow: UnitOfWorkFactory, clock: Clock, org: Organisation, listing_id: str
) -> Rating:
    """The organisation withdraws its rating of a listing: deleted here, Delete federated."""
    now = clock.now()
    async with uow() as tx:
        existing = await tx.ratings.get_by_rater(listing_id, org.id)
        if existing is None:
            raise NotFoundError(f"{org.handle} has not rated listing {listing_id}")
        await tx.ratings.delete(existing.id)
        await tx.jobs.enqueue(
            RatingEvent("withdrawn", existing.id, listing_id, org.id, now).to_job()
        )
        await tx.jobs.enqueue(recompute_job(now))
    return existing


async def list_ratings(
    uow: UnitOfWorkFactory, listing_id: str, limit: int = 20, after: str | None = None
) -> RatingPage:
    """A listing's ratings, most recently changed first; blocked nodes' left out."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidError(f"limit: 1 to {MAX_PAGE}", field="limit")
    async with uow(readonly=True) as tx:
        if await tx.listings.get_by_id(listing_id) is None:
            raise NotFoundError(f"no listing {listing_id}")
        policy = await tx.moderation.policy()
        page = await tx.ratings.page(listing_id, limit, after)
    permits = _permits(policy)
    kept = tuple(r for r in page.ratings if r.node_host is None or permits(r.node_host))
    return RatingPage(kept, page.next_cursor)


async def rating_summaries(
    uow: UnitOfWorkFactory, listing_ids: list[str]
) -> dict[str, RatingSummary]:
    """The summary of each listing (one grouped query for them all); blocked nodes left out."""
    async with uow(readonly=True) as tx:
        policy = await tx.moderation.policy()
        counts = await tx.ratings.score_counts(listing_ids)
    return {
        listing_id: summarise(counts.get(listing_id, ()), _permits(policy))
        for listing_id in listing_ids
    }


async def rating_summary(uow: UnitOfWorkFactory, listing_id: str) -> RatingSummary:
    return (await rating_summaries(uow, [listing_id]))[listing_id]


async def store_remote_rating(
    uow: UnitOfWorkFactory,
    clock: Clock,
    listing: ToolListing,
    *,
    origin_iri: str,
    author_iri: str,
    node_host: str,
    via_iri: str,
    scores: Scores,
    text: str,
    published_at: float,
    authored_at: float | None = None,
) -> Rating | None:
    """Keep a rating another node's organisation gave; None when its IRI was deleted.

    The author's latest rating of the listing wins: a Create under a new IRI replaces an
    earlier one, an Update changes it. ForbiddenError when the author maintains the tool.
    `authored_at` (the Note's `updated`, else `published`) orders versions: one written before
    the stored rating of the same author and listing arrived late (a retried delivery, a relay,
    a backfill) and is not kept; the stored rating is returned unchanged.
    """
    now = clock.now()
    async with uow() as tx:
        if await tx.tombstones.exists(origin_iri):
            return None
        check_may_rate(
            listing, await tx.listings.by_repository(listing.repository_key), author_iri=author_iri
        )
        by_iri = await tx.ratings.get_by_origin(origin_iri)
        if by_iri is not None and by_iri.author_iri != author_iri:
            raise ForbiddenError(f"{author_iri} is not the author of {origin_iri}")
        existing = by_iri or await tx.ratings.get_by_rater(listing.id, author_iri)
        if by_iri is not None and by_iri.listing_id != listing.id:
            await tx.ratings.delete(by_iri.id)  # the Note now replies to another listing
            existing = await tx.ratings.get_by_rater(listing.id, author_iri)
        if (
            existing is not None
            and existing.origin_iri == origin_iri
            and existing.listing_id == listing.id
            and dict(existing.scores) == dict(scores)
            and existing.text == text
        ):
            return existing  # the same rating again (a relay, a replay): nothing changes
        written = None if authored_at is None else min(authored_at, now)
        if existing is not None and written is not None and written < existing.updated_at:
            return existing  # an older version arriving late must not undo a newer one
        if written is not None:
            updated = written  # the author's time, so the next version compares against it
        else:
            updated = max(now, existing.updated_at) if existing else now
        rating = Rating(
            id=existing.id if existing else new_id(now),
            listing_id=listing.id,
            scores=dict(scores),
            text=text,
            created_at=existing.created_at if existing else published_at,
            updated_at=updated,
            author_iri=author_iri,
            origin_iri=origin_iri,
            node_host=node_host,
            via_iri=via_iri,
        )
        await tx.ratings.save(rating)
        await tx.jobs.enqueue(recompute_job(now))
    return rating


async def remove_remote_rating(
    uow: UnitOfWorkFactory, clock: Clock, origin_iri: str, actor: str
) -> bool:
    """The author's Delete of a rating we hold; False when none, ForbiddenError for others.

    The caller (the inbox's handle_delete) writes the tombstone, once per Delete.
    """
    async with uow() as tx:
        existing = await tx.ratings.get_by_origin(origin_iri)
        if existing is None:
            return False
        if existing.author_iri != actor:
            raise ForbiddenError(f"{actor} is not the author of {origin_iri}")
        await tx.ratings.delete(existing.id)
        await tx.jobs.enqueue(recompute_job(clock.now()))
    return True
