"""Use-cases for deployments, support offers and credits; one transaction each.

A local change writes a RecordEvent job in its own transaction (federated after commit); a
remote record is kept only about a listing this node holds, and changes only by its author.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from commonsnode.clock import Clock
from commonsnode.errors import ForbiddenError, NotFoundError
from commonsnode.ids import new_id
from commonsnode.model.listings import Provenance, ToolListing
from commonsnode.model.organisations import Organisation
from commonsnode.model.records import (
    Credit,
    Deployment,
    DeploymentTerms,
    ListingRecord,
    OfferTerms,
    RecordKind,
    SupportOffer,
    T,
    check_listing_open,
    check_may_offer,
    declare,
    declared_credits,
    deployment_terms,
    offer_terms,
    receive,
)
from commonsnode.ports import ListingRecordRepository, UnitOfWork, UnitOfWorkFactory
from commonsnode.record_events import RecordEvent


@dataclass(frozen=True, slots=True)
class RecordChange:
    """A record as stored after a declaration; `created` when it is the first one."""

    record: ListingRecord[Any]
    created: bool


@dataclass(frozen=True, slots=True)
class ListingRecords:
    """What the commons knows about some listings: deployments, support offers, credits."""

    deployments: tuple[Deployment, ...]
    support_offers: tuple[SupportOffer, ...]
    credits: tuple[Credit, ...]


def _repository(tx: UnitOfWork, kind: RecordKind) -> ListingRecordRepository[Any]:
    return tx.deployments if kind == "deployment" else tx.support_offers


def _today(clock: Clock) -> Any:
    return datetime.fromtimestamp(clock.now(), UTC).date()


async def listing_by_ref(tx: UnitOfWork, ref: str) -> ToolListing:
    """A listing by id, or a remote one by its IRI (organisations name tools either way)."""
    listing = await tx.listings.get_by_id(ref)
    if listing is None and ref.startswith(("https://", "http://")):
        listing = await tx.listings.get_by_origin(ref)
    if listing is None:
        raise NotFoundError(f"no listing {ref}")
    return listing


async def _declare(
    uow: UnitOfWorkFactory,
    clock: Clock,
    org: Organisation,
    listing_id: str,
    kind: RecordKind,
    terms: T,
) -> RecordChange:
    now = clock.now()
    async with uow() as tx:
        listing = await listing_by_ref(tx, listing_id)
        check_listing_open(listing)
        records = _repository(tx, kind)
        existing = await records.get_local(listing.id, org.id)
        if existing is not None and existing.terms == terms:
            return RecordChange(existing, created=False)
        record = declare(existing, new_id(now), kind, listing.id, terms, org, now)
        await records.save(record)
        change = "declared" if existing is None else "updated"
        await tx.jobs.enqueue(
            RecordEvent(kind, change, record.id, listing.id, org.id, now).to_job()
        )
    return RecordChange(record, created=existing is None)


async def declare_deployment(
    uow: UnitOfWorkFactory,
    clock: Clock,
    org: Organisation,
    listing_id: str,
    fields: dict[str, Any],
) -> RecordChange:
    """The organisation says it uses the listed tool; declaring again replaces what it said."""
    terms = deployment_terms(
        fields.get("since"),
        fields.get("purpose"),
        _today(clock),
        fields.get("scale"),
        fields.get("notes"),
    )
    return await _declare(uow, clock, org, listing_id, "deployment", terms)


async def offer_support(
    uow: UnitOfWorkFactory,
    clock: Clock,
    org: Organisation,
    listing_id: str,
    fields: dict[str, Any],
) -> RecordChange:
    """A support company or developer offers services for the tool; offering again replaces."""
    check_may_offer(org)
    terms = offer_terms(
        fields.get("services"),
        fields.get("regions"),
        fields.get("languages"),
        fields.get("contact_url"),
        fields.get("price_hint"),
    )
    return await _declare(uow, clock, org, listing_id, "support", terms)


async def withdraw_record(
    uow: UnitOfWorkFactory, clock: Clock, org: Organisation, listing_id: str, kind: RecordKind
) -> None:
    """The organisation withdraws its deployment or offer; NotFoundError when it had none."""
    now = clock.now()
    async with uow() as tx:
        listing = await listing_by_ref(tx, listing_id)
        records = _repository(tx, kind)
        existing = await records.get_local(listing.id, org.id)
        if existing is None:
            raise NotFoundError(f"{org.handle} has no {kind} of listing {listing_id}")
        await records.delete(existing.id)
        event = RecordEvent(kind, "withdrawn", existing.id, listing.id, org.id, now)
        await tx.jobs.enqueue(event.to_job())


async def listing_records(uow: UnitOfWorkFactory, listing_ids: list[str]) -> ListingRecords:
    """Every deployment, support offer and credit of these listings (a tool's, or one)."""
    async with uow(readonly=True) as tx:
        return ListingRecords(
            deployments=tuple(await tx.deployments.for_listings(listing_ids)),
            support_offers=tuple(await tx.support_offers.for_listings(listing_ids)),
            credits=tuple(await tx.credits.for_listings(listing_ids)),
        )


async def records_of_listing(uow: UnitOfWorkFactory, listing_id: str) -> ListingRecords:
    """The records of one listing (by id or IRI); NotFoundError when the listing is unknown."""
    async with uow(readonly=True) as tx:
        listing = await listing_by_ref(tx, listing_id)
    return await listing_records(uow, [listing.id])


async def record_declared_credits(tx: UnitOfWork, listing: ToolListing, now: float) -> None:
    """Keep the listing's `publiccode` credits equal to what it declares, in the caller's
    transaction (called wherever a listing, local or remote, is stored)."""
    parties = listing.facts.parties
    ids = [new_id(now) for _ in parties]
    await tx.credits.replace_declared(listing.id, declared_credits(listing, parties, now, ids))


@dataclass(frozen=True, slots=True)
class IncomingRecord:
    """A deployment or offer another node's organisation sent, read and checked."""

    kind: RecordKind
    listing_id: str
    terms: DeploymentTerms | OfferTerms
    declarer_name: str
    provenance: Provenance
    declared_at: float


async def store_remote_record(
    uow: UnitOfWorkFactory, clock: Clock, incoming: IncomingRecord
) -> ListingRecord[Any] | None:
    """Keep (or replace) a remote organisation's record; None when not wanted here.

    A deleted record stays deleted (its tombstone wins over a replayed Create), a record about a
    withdrawn or unknown listing is not kept, and one author has one record per listing: a new
    IRI from the same author replaces the old record.
    """
    origin = incoming.provenance.origin_iri
    now = clock.now()
    async with uow() as tx:
        if await tx.tombstones.exists(origin):
            return None
        listing = await tx.listings.get_by_id(incoming.listing_id)
        if listing is None or listing.state != "published":
            return None
        records = _repository(tx, incoming.kind)
        existing = await records.get_by_origin(origin)
        if existing is None:
            existing = await records.get_remote(listing.id, incoming.provenance.author_iri)
        record = receive(
            existing,
            new_id(now),
            incoming.kind,
            listing.id,
            incoming.terms,  # type: ignore[arg-type]
            incoming.declarer_name,
            incoming.provenance,
            incoming.declared_at,
        )
        await records.save(record)
    return record


async def remove_remote_record(
    uow: UnitOfWorkFactory, kind: RecordKind, origin_iri: str, actor: str
) -> bool:
    """The author deleted its record; ForbiddenError for anyone else, False when not held."""
    async with uow() as tx:
        records = _repository(tx, kind)
        existing = await records.get_by_origin(origin_iri)
        if existing is None:
            return False
        if existing.provenance is None or existing.provenance.author_iri != actor:
            raise ForbiddenError(f"{actor} is not the author of {origin_iri}")
        await records.delete(existing.id)
    return True


async def forget_remote_record(uow: UnitOfWorkFactory, kind: RecordKind, origin_iri: str) -> bool:
    """The record's origin says it is gone (410): drop it, whoever relayed it here."""
    async with uow() as tx:
        records = _repository(tx, kind)
        existing = await records.get_by_origin(origin_iri)
        if existing is None:
            return False
        await records.delete(existing.id)
    return True
