"""Announces of the catalog, and relayed objects: re-read from their origin unless signed.

- A local listing published, changed or withdrawn: the catalog Announces the listing's IRI to
  its followers (the IRI answers the Article, or 410 once withdrawn).
- A relayed listing (an Announce from a catalog we follow, or an outbox item of another
  origin during backfill): blocked domains stop it before any fetch, the object is fetched
  from its origin, its author must live on that origin; provenance records `via`.
- A hub re-Announces what its member catalogs announce, at most once per (object, version),
  so two hubs following each other stop after one round.
- Signed objects (kinds with `signed`: ratings, and later reports, deployments): the catalog
  embeds the signed document in its Announce, and so does a hub; a receiver checks the
  embedded copy's FEP-8b32 proof (federation/integrity.py) instead of fetching it again, and
  re-fetches from the origin only when the copy has no valid proof.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Literal
from urllib.parse import urlsplit

from commonsnode.errors import DomainError
from commonsnode.ids import new_id
from commonsnode.model.listings import Provenance, ToolListing, remote_listing, revise_remote
from commonsnode.ports import AnnouncedObject, UnitOfWork
from commonsnode.usecases.records import record_declared_credits
from federation.catalog import (
    CatalogSettings,
    catalog_followers,
    new_catalog_activity,
    publish_catalog,
)
from federation.convert.listings import (
    ListingDocumentError,
    from_ap,
    is_listing,
    iso,
    published_of,
)
from federation.fetch import FetchBudget, FetchError
from federation.inbox.dispatch import HandlerError, Incoming
from federation.inbox.object_kinds import ObjectKind
from federation.inbox.signed_objects import prove_author
from federation.integrity import IntegrityError, KeyUnavailable, verify_author
from federation.iris import host_of, origin_of
from federation.jsonld.loader import JsonLdRejected
from federation.jsonld.normalise import normalise
from federation.jsonld.shapes import id_of, str_or_none
from federation.runtime import Federation
from federation.vocab import AS_PUBLIC

log = logging.getLogger("commonsnode.catalog")
GONE = "gone"

Outcome = Literal[
    "stored",
    "not_kept",
    "removed",
    "blocked",
    "ours",
    "not_followed",
    "unavailable",
    "not_a_listing",
    "foreign_author",
    "invalid",
]


async def _announce(
    tx: UnitOfWork,
    fed: Federation,
    object_iri: str,
    version: str,
    listing_id: str | None,
    *,
    live: bool,
    now: float,
    document: dict[str, Any] | None = None,
) -> None:
    iris = fed.iris
    activity = new_catalog_activity(
        iris,
        "Announce",
        object_iri if document is None else document,
        now,
        to=[AS_PUBLIC],
        cc=[catalog_followers(iris)],
        published=iso(now),
    )
    key = await publish_catalog(tx, iris, activity, now, followers=True)
    await tx.catalog.record_announce(
        AnnouncedObject(object_iri, version, listing_id, key, live, now)
    )


async def announce_local(
    tx: UnitOfWork, fed: Federation, listing: ToolListing, *, live: bool
) -> None:
    """The catalog announces a change of one of our listings (in the event's transaction)."""
    now = fed.clock.now()
    version = repr(listing.withdrawn_at or listing.updated_at) if live else GONE
    await _announce(tx, fed, fed.iris.listing(listing.id), version, listing.id, live=live, now=now)


async def announce_signed(
    tx: UnitOfWork, fed: Federation, object_iri: str, document: dict[str, Any] | None, *, live: bool
) -> None:
    """The catalog announces one of our signed objects, embedded (or its IRI once deleted)."""
    version = version_of(document) if live and document is not None else GONE
    embed = document if live else None
    await _announce(
        tx, fed, object_iri, version, None, live=live, now=fed.clock.now(), document=embed
    )


async def reannounce(
    tx: UnitOfWork,
    fed: Federation,
    object_iri: str,
    version: str,
    *,
    live: bool,
    document: dict[str, Any] | None = None,
) -> bool:
    """A hub relays an object once per version: False when this version was announced.

    `document`: a signed object, embedded so the next receiver need not fetch it.
    """
    previous = await tx.catalog.announced(object_iri)
    if previous is not None and previous.version == version:
        return False
    await _announce(
        tx, fed, object_iri, version, None, live=live, now=fed.clock.now(), document=document
    )
    return True


async def keep_listing(
    tx: UnitOfWork,
    document: dict[str, Any],
    provenance: Provenance,
    published_at: float,
    *,
    via_followed: bool,
    unseen: bool = False,
) -> ToolListing | None:
    """Store (or refresh) a remote listing read from its origin; None when not wanted.

    As for Create: a tombstoned IRI stays deleted, a known listing changes only by its
    author. A new listing is kept when one of our organisations follows its author, or when
    our catalog follows the catalog that announced it (`via_followed`). `unseen`: the caller
    checked in bulk that the IRI is neither held nor tombstoned (backfill pages).
    """
    facts = from_ap(document)
    if not unseen and await tx.tombstones.exists(provenance.origin_iri):
        return None
    existing = None if unseen else await tx.listings.get_by_origin(provenance.origin_iri)
    if existing is None:
        if not via_followed and not await tx.follows.is_followed(provenance.author_iri):
            return None
        listing = remote_listing(new_id(provenance.received_at), facts, provenance, published_at)
        await tx.listings.add(listing)
        await record_declared_credits(tx, listing, provenance.received_at)
        return listing
    if existing.provenance is None or existing.provenance.author_iri != provenance.author_iri:
        return None
    listing = revise_remote(
        existing, provenance.author_iri, facts, provenance.received_at, provenance.via_iri
    )
    await tx.listings.update(listing)
    await record_declared_credits(tx, listing, provenance.received_at)
    return listing


def version_of(document: dict[str, Any]) -> str:
    """What tells one state of an object from the next: `updated`, else `published`."""
    return str_or_none(document.get("updated")) or str_or_none(document.get("published")) or ""


async def keep_document(
    tx: UnitOfWork,
    fed: Federation,
    settings: CatalogSettings,
    document: dict[str, Any],
    via: str,
    *,
    member: bool,
    unseen: bool = False,
) -> Outcome:
    """A listing document read from its origin (fetched, or the origin's own outbox page)."""
    iri = id_of(document)
    if iri is None or not is_listing(document):
        return "not_a_listing"
    author = id_of(document.get("attributedTo"))
    if author is None or origin_of(author) != origin_of(iri):
        return "foreign_author"
    if not (await fed.policy()).permits(host_of(author)):
        return "blocked"
    now = fed.clock.now()
    provenance = Provenance(
        origin_iri=iri,
        author_iri=author,
        node_host=urlsplit(iri).netloc.lower(),
        received_at=now,
        via_iri=via,
    )
    try:
        stored = await keep_listing(
            tx,
            document,
            provenance,
            published_of(document, now),
            via_followed=member,
            unseen=unseen,
        )
    except (ListingDocumentError, DomainError) as exc:
        log.info("relayed listing %s via %s refused: %s", iri, via, exc)
        return "invalid"
    if stored is None:
        return "not_kept"
    if member and settings.hub:
        await reannounce(tx, fed, iri, version_of(document), live=True)
    return "stored"


def _kind_of(document: dict[str, Any], kinds: Sequence[ObjectKind]) -> ObjectKind | None:
    return next((kind for kind in kinds if kind.recognises(document)), None)


async def _gone(
    fed: Federation,
    settings: CatalogSettings,
    object_iri: str,
    *,
    member: bool,
    kinds: Sequence[ObjectKind] = (),
) -> Outcome:
    """The origin answered 410: the object goes (for good), and a hub relays that once."""
    async with fed.uow() as tx:
        existing = await tx.listings.get_by_origin(object_iri)
        if existing is not None and existing.org_id is None:
            await tx.listings.delete(existing.id)
        author = existing.provenance.author_iri if existing and existing.provenance else None
        await tx.tombstones.add(object_iri, author or origin_of(object_iri), fed.clock.now())
    held = existing is not None
    for kind in kinds:
        if not held and kind.forget is not None:
            held = await kind.forget(fed, object_iri)
    if member and settings.hub and held:
        async with fed.uow() as tx:
            await reannounce(tx, fed, object_iri, GONE, live=False)
    return "removed"


async def _permitted_and_asked(
    fed: Federation, object_iri: str, via: str, claimed_author: str | None
) -> Outcome | bool:
    """Blocked hosts, our own objects and unasked-for relays stop here (before any fetch);
    otherwise whether `via` is a catalog ours follows (a member)."""
    policy = await fed.policy()
    for iri in (via, object_iri, claimed_author):  # every actor and host of the chain
        if iri is not None and not policy.permits(host_of(iri)):
            return "blocked"
    if fed.iris.is_local(object_iri):
        return "ours"  # our own object coming back round a loop of hubs
    async with fed.uow(readonly=True) as tx:
        follow = await tx.catalog.get_follow("out", via)
        member = follow is not None and follow.state == "accepted"
        if not member and not await tx.follows.is_followed(via):
            return "not_followed"  # nobody here asked for it: not one fetch
    return member


async def _keep_kind(
    fed: Federation,
    settings: CatalogSettings,
    kind: ObjectKind,
    document: dict[str, Any],
    author: str,
    via: str,
    *,
    member: bool,
    proven: bool = False,
) -> Outcome:
    """A non-listing object by `author` (checked): kept by its kind, relayed by a hub.

    A signed kind's proof is checked here, once, unless the caller `proven` it already.
    """
    iri = id_of(document) or ""
    incoming = Incoming({"type": "Announce", "actor": via, "object": document}, author, "")
    try:
        if kind.signed and not proven and not await prove_author(fed, document, author):
            return "blocked"
        await kind.keep(fed, incoming, document)
    except HandlerError as exc:
        log.info("relayed %s %s via %s refused: %s", kind.name, iri, via, exc)
        return "invalid"
    if member and settings.hub:
        embed = document if kind.signed and isinstance(document.get("proof"), dict) else None
        async with fed.uow() as tx:
            await reannounce(tx, fed, iri, version_of(document), live=True, document=embed)
    return "stored"


async def accept_signed(
    fed: Federation,
    settings: CatalogSettings,
    document: dict[str, Any],
    via: str,
    kinds: Sequence[ObjectKind],
    *,
    budget: FetchBudget | None = None,
) -> Outcome:
    """A relayed copy of a signed object: kept when its proof shows its author, without
    fetching it; without a valid proof it is re-read from its origin like any relayed IRI."""
    iri = id_of(document)
    kind = _kind_of(document, kinds)
    if iri is None or kind is None or not kind.signed:
        return "not_a_listing"
    claimed = id_of(document.get("attributedTo"))
    checked = await _permitted_and_asked(fed, iri, via, claimed)
    if not isinstance(checked, bool):
        return checked
    budget = budget or FetchBudget()
    try:
        author = await verify_author(fed, document, budget)
    except KeyUnavailable:
        # the author's node does not answer now: re-reading the object from that same node
        # would only wait out a second timeout; the caller retries (inbox job, backfill)
        raise
    except IntegrityError as exc:
        log.info("relayed %s %s via %s: %s; re-read from its origin", kind.name, iri, via, exc)
        outcome = await accept_relayed(
            fed, settings, iri, via, claimed_author=claimed, budget=budget, kinds=kinds
        )
        return outcome
    return await _keep_kind(fed, settings, kind, document, author, via, member=checked, proven=True)


async def accept_relayed(
    fed: Federation,
    settings: CatalogSettings,
    object_iri: str,
    via: str,
    *,
    claimed_author: str | None = None,
    budget: FetchBudget | None = None,
    kinds: Sequence[ObjectKind] = (),
) -> Outcome:
    """An object another actor relayed: checked, then re-read from its origin, then kept.

    Listings are kept by the listing rules here; other `kinds` by their own `keep`.
    """
    checked = await _permitted_and_asked(fed, object_iri, via, claimed_author)
    if not isinstance(checked, bool):
        return checked
    member = checked
    try:
        result = await fed.fetcher.fetch_activity(object_iri, budget=budget or FetchBudget())
    except FetchError as exc:
        if exc.status == 410:
            return await _gone(fed, settings, object_iri, member=member, kinds=kinds)
        if not exc.transient:
            return "unavailable"  # refused for good: 4xx, address, type, size, id mismatch
        raise  # network trouble, 5xx, 408, 429: the worker retries later
    try:
        document = normalise(result.document or {})
    except JsonLdRejected:
        return "invalid"
    if id_of(document) != object_iri:
        return "not_a_listing"
    kind = None if is_listing(document) else _kind_of(document, kinds)
    if kind is not None:
        author = id_of(document.get("attributedTo"))
        if author is None or origin_of(author) != origin_of(object_iri):
            return "foreign_author"
        return await _keep_kind(fed, settings, kind, document, author, via, member=member)
    async with fed.uow() as tx:
        return await keep_document(tx, fed, settings, document, via, member=member)
