"""Deployments and support offers (a `Note` with our terms) as inbox object kinds.

Only the declaring organisation itself may send one: the shared rules (handlers/objects.py)
require `attributedTo` to be the activity's actor, and here its FEP-8b32 proof must verify with
a key that actor lists. A record about a listing this node does not hold is dropped, never
fetched: nobody makes us fetch by naming a listing.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from commonsnode.errors import DomainError
from commonsnode.model.listings import Provenance
from commonsnode.model.records import OFFERING_KINDS, RecordKind
from commonsnode.usecases.records import (
    IncomingRecord,
    forget_remote_record,
    remove_remote_record,
    store_remote_record,
)
from federation.convert.listings import published_of
from federation.convert.records import (
    RecordDocumentError,
    from_note,
    is_deployment,
    is_support_offer,
)
from federation.inbox.dispatch import HandlerError, Incoming
from federation.inbox.object_kinds import ObjectKind
from federation.jsonld.shapes import id_of
from federation.runtime import Federation

log = logging.getLogger("commonsnode.inbox")


async def _listing_id(fed: Federation, iri: str) -> str | None:
    """The id of the listing held at `iri` (ours, or a remote one we keep), else None."""
    async with fed.uow(readonly=True) as tx:
        prefix = fed.iris.listing("")
        if iri.startswith(prefix):
            listing = await tx.listings.get_by_id(iri[len(prefix) :])
            return None if listing is None or not listing.is_local else listing.id
        listing = await tx.listings.get_by_origin(iri)
        return None if listing is None else listing.id


async def _declarer(fed: Federation, actor: str, kind: RecordKind) -> str:
    """The name to show for the declaring actor; an offer needs a supporting kind when told."""
    async with fed.uow(readonly=True) as tx:
        known = await tx.actors.get(actor)
    if kind == "support" and known is not None and known.kind not in (None, *OFFERING_KINDS):
        raise HandlerError(f"{actor} is a {known.kind}: only {OFFERING_KINDS} offer support")
    if known is None:
        return actor
    return known.name or known.preferred_username or actor


async def keep_record(fed: Federation, incoming: Incoming, document: dict[str, Any]) -> None:
    """Keep a record (its proof already checked) with where it came from."""
    iri = id_of(document) or ""
    now = fed.clock.now()
    try:
        kind, listing_iri, terms = from_note(document, datetime.fromtimestamp(now, UTC).date())
    except RecordDocumentError as exc:
        raise HandlerError(f"{iri}: {exc}") from exc
    author = incoming.actor  # its proof was checked before (federation/inbox/signed_objects.py)
    # A relayed copy (a hub's Announce) names its author as `incoming.actor`; the relay is the
    # activity's own actor.
    via = id_of(incoming.activity.get("actor")) or author
    listing_id = await _listing_id(fed, listing_iri)
    if listing_id is None:
        log.info("%s %s: listing %s is not held here, dropped", kind, iri, listing_iri)
        return
    provenance = Provenance(
        origin_iri=iri,
        author_iri=author,
        node_host=urlsplit(iri).netloc.lower(),
        received_at=now,
        via_iri=via,
    )
    record = IncomingRecord(
        kind=kind,
        listing_id=listing_id,
        terms=terms,
        declarer_name=await _declarer(fed, author, kind),
        provenance=provenance,
        declared_at=published_of(document, now),
    )
    try:
        stored = await store_remote_record(fed.uow, fed.clock, record)
    except DomainError as exc:  # another author's record: refused for good
        raise HandlerError(f"{iri}: {exc.detail}") from exc
    if stored is None:
        log.info("%s %s: not kept (deleted, or listing withdrawn)", kind, iri)


async def remove_deployment(fed: Federation, iri: str, actor: str) -> bool:
    return await remove_remote_record(fed.uow, "deployment", iri, actor)


async def remove_support_offer(fed: Federation, iri: str, actor: str) -> bool:
    return await remove_remote_record(fed.uow, "support", iri, actor)


async def forget_deployment(fed: Federation, iri: str) -> bool:
    """The deployment's origin answers 410: whoever relayed it, it is gone."""
    return await forget_remote_record(fed.uow, "deployment", iri)


async def forget_support_offer(fed: Federation, iri: str) -> bool:
    """The offer's origin answers 410: whoever relayed it, it is gone."""
    return await forget_remote_record(fed.uow, "support", iri)


DEPLOYMENTS = ObjectKind(
    "deployment",
    is_deployment,
    keep_record,
    remove_deployment,
    signed=True,
    forget=forget_deployment,
)
SUPPORT_OFFERS = ObjectKind(
    "support-offer",
    is_support_offer,
    keep_record,
    remove_support_offer,
    signed=True,
    forget=forget_support_offer,
)
