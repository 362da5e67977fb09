"""Announce{CommissionCredit}: a listing's publisher tells the nodes holding a copy of it that
a completed contract credited it (federation/credits.py sends it).

Taken only from the listing's own author (its organisation's Announce) or from a catalog our
catalog follows: the catalog of the listing's origin, or a hub that re-shares the listing and
relays its credits (federation/credits.py `relay_credit`); from anybody else it is refused,
however valid its content. Whoever announced it, the credit must carry the author's FEP-8b32
proof, and its evidence (the contract document and both parties' proofs) is checked here again
with the parties' own keys, as the publisher checked it, before our copy is credited. Blocked
domains (the listing's, its author's, a party's) refuse it. A key or party actor that cannot be
fetched now (its node down) retries the job rather than refusing: the Announce is sent once.

A credit of a listing we do not hold is ignored, unless its announcer is a catalog our catalog
follows (of the listing's origin, or a hub: its Announce of the listing would make us read it
too) or an organisation on the listing's origin one of ours follows: then the listing is
fetched from its origin within the activity's fetch budget and kept by the listing rules, as
for a rating. That is how a node that starts following later takes the credits its new
followee sends it at once (federation/credits.py), whether or not its catalog backfill has
brought the listing yet.

A credit may come before the Accept of the follow that makes us take it (the Accept's delivery
is being retried, or a sender does not order them): while a follow of the announcer by our
catalog or one of our organisations awaits its answer, a credit we would otherwise ignore or
refuse is put off: queued again as a new inbox job, later and outside the announcer's inbox
order (a retried job would hold up the Accept behind it), up to `MAX_DEFERS` times. The credit
is sent once; a Follow sent again is not sent it again.

A hub that takes a credit relays it to its own catalog's followers (`relay_credit`), once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from commonsnode.errors import DomainError
from commonsnode.jobs import NewJob
from commonsnode.model.listings import ToolListing
from commonsnode.usecases.remote_contracts import credit_relayed
from federation.catalog import CatalogSettings
from federation.commissions import contract_verifiers
from federation.contract_delivery import CREDIT_TYPE
from federation.credits import credit_iri, relay_credit
from federation.fetch import FetchBudget
from federation.fetch_failures import FetchUnavailable
from federation.inbox.dispatch import ActivityHandler, HandlerError, Incoming
from federation.inbox.handlers.contract_objects import fetch_parties, signature_pairs
from federation.inbox.listing_fetch import fetched_listing
from federation.inbox.receive import INBOX_JOB
from federation.integrity import IntegrityError, KeyUnavailable, verify_author
from federation.iris import host_of, origin_of
from federation.jsonld.shapes import first, id_of
from federation.runtime import Federation

log = logging.getLogger("commonsnode.inbox")


# A credit put off for an unanswered Follow is tried again after 1, 2, 4 … 128 minutes.
DEFER_DELAY = 60.0
MAX_DEFERS = 8


def _credit(incoming: Incoming) -> dict[str, Any] | None:
    inner = incoming.activity.get("object")
    if isinstance(inner, dict) and first(inner.get("type")) == CREDIT_TYPE and id_of(inner):
        return inner
    return None


@dataclass(frozen=True, slots=True)
class _Standing:
    """How we stand with a credit's announcer, read once per credit."""

    member: bool  # our catalog follows it (accepted): a catalog whose listings we take
    followed: bool  # one of our organisations follows it (accepted)
    awaited: bool  # our catalog or one of our organisations asked to follow it: no answer yet

    def may_announce(self, announcer: str, author: str) -> bool:
        """The listing's author, or a catalog our catalog follows (the listing's origin's, or
        a hub re-sharing it: the credit is still the author's own, checked by its proof)."""
        return announcer == author or self.member

    def may_fetch(self, announcer: str, listing: str) -> bool:
        """A catalog we follow, or an organisation on the listing's origin we follow: only
        then does a credit of a listing we do not hold make us fetch the listing."""
        return self.member or (self.followed and origin_of(announcer) == origin_of(listing))


async def _held_and_standing(
    fed: Federation, listing: str, announcer: str
) -> tuple[ToolListing | None, _Standing]:
    """Our copy of the listing and how we stand with the announcer, in one transaction."""
    async with fed.uow(readonly=True) as tx:
        held = await tx.listings.get_by_origin(listing)
        follow = await tx.catalog.get_follow("out", announcer)
        standing = _Standing(
            member=follow is not None and follow.state == "accepted",
            followed=await tx.follows.is_followed(announcer),
            awaited=(follow is not None and follow.state == "pending")
            or await tx.follows.is_followed(announcer, state="pending"),
        )
    return held, standing


async def _put_off(fed: Federation, incoming: Incoming, iri: str, standing: _Standing) -> bool:
    """Queue the credit again for later when `incoming.actor` may still become one we take it
    from (our Follow of it awaits its answer); True when it was put off.

    A new job with no ordering key, not a retry: the inbox job of the Accept, queued behind
    this one under the announcer's key, must be able to run first."""
    if incoming.deferred >= MAX_DEFERS or not standing.awaited:
        return False
    now = fed.clock.now()
    later = NewJob(
        INBOX_JOB,
        {
            "activity": incoming.activity,
            "actor": incoming.actor,
            "recipient": incoming.recipient,
            "deferred": incoming.deferred + 1,
        },
        dedupe_key=f"credit-wait:{incoming.recipient}:{incoming.activity.get('id')}",
        run_at=now + DEFER_DELAY * 2**incoming.deferred,
    )
    async with fed.uow() as tx:
        await tx.jobs.enqueue(later)
    log.info("credit %s: %s has not answered our Follow yet, put off", iri, incoming.actor)
    return True


async def accept_credit(
    fed: Federation, incoming: Incoming, credit: dict[str, Any], settings: CatalogSettings
) -> None:
    """Credit our copy of the listing, once every check below has passed; a hub then relays
    the credit to its catalog's followers."""
    iri = str(id_of(credit))
    listing = id_of(credit.get("listing")) or ""
    if not listing:
        raise HandlerError(f"credit {iri}: names no listing")
    if fed.iris.is_local(listing):
        log.info("credit %s: about our own listing, credited here already", iri)
        return
    policy = await fed.policy()
    for named in (listing, id_of(credit.get("attributedTo"))):
        if named is not None and not policy.permits(host_of(named)):
            raise HandlerError(f"credit {iri}: {host_of(named)} is blocked here")
    budget = FetchBudget()
    held, standing = await _held_and_standing(fed, listing, incoming.actor)
    if held is None and standing.may_fetch(incoming.actor, listing):
        held = await fetched_listing(
            fed, listing, incoming.actor, budget, settings, member=standing.member
        )
    if held is None or held.provenance is None:
        if await _put_off(fed, incoming, iri, standing):
            return
        log.info("credit %s by %s: no copy of %s here, ignored", iri, incoming.actor, listing)
        return
    author = held.provenance.author_iri
    if not standing.may_announce(incoming.actor, author):
        if await _put_off(fed, incoming, iri, standing):
            return
        raise HandlerError(
            f"credit {iri}: {incoming.actor} is neither the author of {listing} nor a "
            "catalog ours follows"
        )
    try:
        signer = await verify_author(fed, credit, budget)
    except KeyUnavailable as exc:  # the author's key could not be fetched now: try again later
        raise FetchUnavailable(f"credit {iri}: author's key unavailable now: {exc}") from exc
    except IntegrityError as exc:
        raise HandlerError(f"credit {iri}: proof refused: {exc}") from exc
    if signer != author:
        raise HandlerError(f"credit {iri}: {signer} is not the author of {listing}")
    evidence = credit.get("evidence")
    doc = evidence.get("document") if isinstance(evidence, dict) else None
    if not isinstance(evidence, dict) or not isinstance(doc, dict):
        raise HandlerError(f"credit {iri}: no signed contract as evidence")
    contract = id_of(credit.get("contract")) or ""
    if id_of(doc) != contract or iri != credit_iri(listing, contract):
        raise HandlerError(f"credit {iri}: its contract is not the one in its evidence")
    proofs = signature_pairs(evidence.get("signatures"))
    await fetch_parties(fed, proofs, budget)
    try:
        added = await credit_relayed(
            fed.uow, fed.clock, contract_verifiers(fed), listing, doc, proofs
        )
    except DomainError as exc:
        raise HandlerError(f"credit {iri} refused: {exc}") from exc
    log.info("credit %s by %s: %d credit(s) added", iri, incoming.actor, len(added))
    if settings.hub:
        await relay_credit(fed, held, credit, incoming.actor)


def announce_with_credits(
    fallback: ActivityHandler, settings: CatalogSettings | None = None
) -> ActivityHandler:
    """Announce of a listing's credit by its publisher (or a hub); anything else to
    `fallback`. `settings`: the catalog's (a hub relays the credits it takes)."""
    catalog_settings = settings or CatalogSettings()

    async def handle_announce(fed: Federation, incoming: Incoming) -> None:
        credit = _credit(incoming)
        if credit is None:
            await fallback(fed, incoming)
        else:
            await accept_credit(fed, incoming, credit, catalog_settings)

    return handle_announce
