"""Create{Article} of a public request (FEDERATION.md "Commissions"): mirrored here when one of
our organisations follows its requester, so developers here can bid from their own node. The
same request announced (embedded) by its node's catalog is mirrored when our catalog follows
that catalog; an announced later state closes or cancels the mirror.

The mirror goes through the same `create_request` a local request does, with no recipients,
so the domain shows it to every organisation here and lets any of them bid; the bid travels
back as `Offer{Bid}` (federation/commission_delivery.py). Anything else goes to `fallback`.
"""

from __future__ import annotations

import logging
from typing import Any

from federation.commission_delivery import REQUEST_LINK
from federation.convert.commissions import is_request, request_body
from federation.fetch import FetchBudget
from federation.inbox.dispatch import ActivityHandler, HandlerError, Incoming
from federation.inbox.handlers.offers import keep_mirror, update_mirror
from federation.integrity import IntegrityError, KeyUnavailable, verify_author
from federation.iris import origin_of
from federation.jsonld.shapes import id_of
from federation.runtime import Federation

log = logging.getLogger("commonsnode.inbox")


def _public_request(incoming: Incoming) -> dict[str, Any] | None:
    inner = incoming.activity.get("object")
    if isinstance(inner, dict) and is_request(inner) and id_of(inner) is not None:
        return inner
    return None


async def mirror_public(
    fed: Federation, incoming: Incoming, document: dict[str, Any], *, via_catalog: bool = False
) -> None:
    """Keep a mirror of the actor's public request when an organisation here follows it (or,
    `via_catalog`, when our catalog follows the catalog that announced it)."""
    iri = str(id_of(document))
    if origin_of(iri) != origin_of(incoming.actor) or id_of(document.get("attributedTo")) != (
        incoming.actor
    ):
        raise HandlerError("a request belongs to the actor publishing it")
    body = request_body(document)
    if body["recipients"]:
        raise HandlerError("a directed request travels as an Offer, not a Create")
    async with fed.uow(readonly=True) as tx:
        if await tx.commission_links.local_id(iri, REQUEST_LINK) is not None:
            return
        followed = via_catalog or await tx.follows.is_followed(incoming.actor)
    if not followed:
        log.info("public request %s: nobody here follows %s", iri, incoming.actor)
        return
    await keep_mirror(fed, incoming.actor, iri, body)


def create_with_public_requests(fallback: ActivityHandler) -> ActivityHandler:
    """Create of a public request: mirrored (or left alone); anything else to `fallback`."""

    async def handle_create(fed: Federation, incoming: Incoming) -> None:
        document = _public_request(incoming)
        if document is None:
            await fallback(fed, incoming)
        else:
            await mirror_public(fed, incoming, document)

    return handle_create


async def accept_announced_request(
    fed: Federation, document: dict[str, Any], catalog: str, budget: FetchBudget | None = None
) -> str:
    """A public request its own node's catalog announced (live, or in its outbox read by
    backfill), embedded with the requester's FEP-8b32 proof: taken only when the proof
    verifies with the requester's own key and the request, its requester and the catalog
    share one origin. Mirrored while open when our catalog follows that catalog; a mirror
    we hold takes its later state. Returns what was done; raises HandlerError if refused, and
    KeyUnavailable (retry later) when the requester's keys cannot be read now."""
    iri = str(id_of(document))
    try:
        requester = await verify_author(fed, document, budget or FetchBudget())
    except KeyUnavailable:
        raise
    except IntegrityError as exc:
        raise HandlerError(f"announced request {iri}: {exc}") from exc
    if not (origin_of(iri) == origin_of(requester) == origin_of(catalog)):
        raise HandlerError("a catalog announces only the requests of its own node")
    # Applied as the requester's own activity: its proof shows the request is the requester's.
    announce = {"type": "Announce", "actor": catalog, "object": document}
    as_requester = Incoming(announce, requester, "")
    async with fed.uow(readonly=True) as tx:
        follow = await tx.catalog.get_follow("out", catalog)
        known = await tx.commission_links.local_id(iri, REQUEST_LINK)
    member = follow is not None and follow.state == "accepted"
    if known is not None:
        await update_mirror(fed, as_requester, document)
        return "updated"
    if document.get("state") != "open":
        return "not_open"
    await mirror_public(fed, as_requester, document, via_catalog=member)
    return "mirrored"


def announce_with_public_requests(fallback: ActivityHandler) -> ActivityHandler:
    """Announce of an embedded public request by its node's catalog; anything else to
    `fallback` (listings and signed objects)."""

    async def handle_announce(fed: Federation, incoming: Incoming) -> None:
        document = _public_request(incoming)
        if document is None:
            await fallback(fed, incoming)
        else:
            await accept_announced_request(fed, document, incoming.actor)

    return handle_announce
