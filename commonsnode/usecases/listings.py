"""Use-cases for tool listings: publish, change, withdraw, read and search; one transaction each.

Each change of a local listing writes a ListingEvent job in the same transaction as the change
(the transactional outbox): the federation layer turns it into Create, Update or Delete once it
has committed, so nothing here knows about HTTP or ActivityStreams.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from commonsnode.clock import Clock
from commonsnode.errors import ConflictError, InvalidError, NotFoundError
from commonsnode.events import ListingEvent
from commonsnode.ids import new_id
from commonsnode.model.listings import (
    ListingFacts,
    ToolListing,
    check_changeable,
    facts_from_publiccode,
    new_local_listing,
    repository_key,
    revise,
    withdraw,
)
from commonsnode.model.organisations import Organisation
from commonsnode.ports import UnitOfWork, UnitOfWorkFactory
from commonsnode.publiccode import Finding
from commonsnode.publiccode.documents import document_data, merge_patch, read_document
from commonsnode.usecases.records import record_declared_credits


class ListingInvalidError(InvalidError):
    """A publiccode.yml document with errors: every finding, so the author fixes all at once."""

    def __init__(self, findings: tuple[Finding, ...]) -> None:
        errors = [f for f in findings if f.kind == "error"]
        super().__init__(
            f"the publiccode.yml document has {len(errors)} error(s); nothing was stored"
        )
        self.findings = findings


@dataclass(frozen=True, slots=True)
class ListingChange:
    """A listing as stored after a change, with the warnings its document raised."""

    listing: ToolListing
    warnings: tuple[Finding, ...] = ()
    created: bool = False


@dataclass(frozen=True, slots=True)
class _Checked:
    facts: ListingFacts
    yaml_text: str
    warnings: tuple[Finding, ...]


def _check(source: str | bytes) -> _Checked:
    document = read_document(source)
    result = document.result
    if result.listing is None or document.yaml_text is None:
        raise ListingInvalidError(result.findings)
    return _Checked(facts_from_publiccode(result.listing), document.yaml_text, result.warnings)


async def _record_event(tx: UnitOfWork, event: ListingEvent) -> None:
    await tx.jobs.enqueue(event.to_job())


async def publish_listing(
    uow: UnitOfWorkFactory, clock: Clock, org: Organisation, source: str | bytes
) -> ListingChange:
    """Publish a new listing from publiccode.yml (YAML or JSON text).

    ConflictError when the organisation already lists that repository: change that one.
    """
    checked = _check(source)
    now = clock.now()
    listing = new_local_listing(new_id(now), org.id, checked.facts, checked.yaml_text, now)
    async with uow() as tx:
        existing = await tx.listings.get_local_by_repository(org.id, listing.repository_key)
        if existing is not None:
            raise ConflictError(
                f"{org.handle} already lists {checked.facts.repository} as {existing.id}; "
                "change that listing instead",
                field="url",
            )
        await tx.listings.add(listing)
        await record_declared_credits(tx, listing, now)
        await _record_event(tx, ListingEvent("published", listing.id, org.id, now))
    return ListingChange(listing, checked.warnings, created=True)


async def import_listing(
    uow: UnitOfWorkFactory, clock: Clock, org: Organisation, source: str | bytes
) -> ListingChange:
    """`commonsnode import`: the organisation's listing of that repository is updated when it
    exists, published otherwise; an invalid document stores nothing."""
    checked = _check(source)
    now = clock.now()
    async with uow() as tx:
        key = repository_key(checked.facts.repository)
        existing = await tx.listings.get_local_by_repository(org.id, key)
        if existing is None:
            listing = new_local_listing(new_id(now), org.id, checked.facts, checked.yaml_text, now)
            await tx.listings.add(listing)
            await record_declared_credits(tx, listing, now)
            await _record_event(tx, ListingEvent("published", listing.id, org.id, now))
            return ListingChange(listing, checked.warnings, created=True)
        if existing.facts == checked.facts and existing.publiccode == checked.yaml_text:
            return ListingChange(existing, checked.warnings)
        listing = revise(existing, org.id, checked.facts, checked.yaml_text, now)
        await tx.listings.update(listing)
        await record_declared_credits(tx, listing, now)
        await _record_event(tx, ListingEvent("updated", listing.id, org.id, now))
    return ListingChange(listing, checked.warnings)


async def _owned(tx: UnitOfWork, listing_id: str) -> ToolListing:
    listing = await tx.listings.get_by_id(listing_id)
    if listing is None:
        raise NotFoundError(f"no listing {listing_id}")
    return listing


async def update_listing(
    uow: UnitOfWorkFactory,
    clock: Clock,
    org: Organisation,
    listing_id: str,
    source: str | bytes,
    *,
    based_on: float | None = None,
) -> ListingChange:
    """Replace the listing's publiccode.yml document (owner only).

    `based_on`: the `updated_at` the new document was derived from; ConflictError when the
    listing changed since, so a concurrent change is never silently overwritten.
    """
    checked = _check(source)
    now = clock.now()
    async with uow() as tx:
        current = await _owned(tx, listing_id)
        if based_on is not None and current.updated_at != based_on:
            raise ConflictError("the listing changed meanwhile; apply the change again")
        listing = revise(current, org.id, checked.facts, checked.yaml_text, now)
        await tx.listings.update(listing)
        await record_declared_credits(tx, listing, now)
        await _record_event(tx, ListingEvent("updated", listing.id, org.id, now))
    return ListingChange(listing, checked.warnings)


async def patch_listing(
    uow: UnitOfWorkFactory,
    clock: Clock,
    org: Organisation,
    listing_id: str,
    patch: dict[str, Any],
) -> ListingChange:
    """Apply a JSON merge patch (RFC 7396) to the listing's publiccode.yml (owner only)."""
    async with uow(readonly=True) as tx:
        current = await _owned(tx, listing_id)
    check_changeable(current, org.id)
    merged = merge_patch(document_data(current.publiccode or ""), patch)
    text = json.dumps(merged, indent=2, ensure_ascii=False)
    return await update_listing(uow, clock, org, listing_id, text, based_on=current.updated_at)


async def withdraw_listing(
    uow: UnitOfWorkFactory, clock: Clock, org: Organisation, listing_id: str
) -> ToolListing:
    """Withdraw a listing (owner only); followers are told once, a second call changes nothing."""
    now = clock.now()
    async with uow() as tx:
        current = await _owned(tx, listing_id)
        listing = withdraw(current, org.id, now)
        if listing is not current:
            await tx.listings.update(listing)
            await _record_event(tx, ListingEvent("withdrawn", listing.id, org.id, now))
    return listing


async def get_listing(uow: UnitOfWorkFactory, listing_id: str) -> ToolListing:
    """A listing by id, local or remote; NotFoundError when unknown."""
    async with uow(readonly=True) as tx:
        return await _owned(tx, listing_id)
