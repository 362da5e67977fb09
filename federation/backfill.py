"""Backfill: a catalog we start following hands us what it published before, from its outbox.

Paged (OrderedCollectionPage `next` links), resumable (the next page's URL is stored with
each page's listings, in one transaction), bounded (so many pages per job run, then a
follow-up job; a hard cap on pages and items per page). Items whose Article is on the
followed catalog's own origin come from that origin over our signed GET and are kept as
they are; items of another origin (a hub's relays) are re-fetched from their origin, one
job each, like any relayed object. Signed objects (ratings, reports) embedded with their
author's FEP-8b32 proof are kept by that proof, whatever their origin, as a live Announce of
them is (federation/announce.py `accept_signed`); one without a valid proof is re-read from
its origin. Public requests embedded with their requester's proof are mirrored by it, as
their live Announce is.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from commonsnode.jobs import Job, NewJob
from commonsnode.ports import BackfillCursor
from federation.announce import accept_relayed, accept_signed, keep_document
from federation.catalog import BACKFILL_JOB, CatalogSettings
from federation.convert.commissions import is_request
from federation.fetch import FetchBudget, FetchError
from federation.inbox.dispatch import HandlerError
from federation.inbox.handlers.objects import KINDS, kind_of
from federation.inbox.handlers.public_request_objects import accept_announced_request
from federation.integrity import KeyUnavailable
from federation.iris import host_of, origin_of
from federation.jsonld.loader import JsonLdRejected
from federation.jsonld.normalise import normalise
from federation.jsonld.shapes import as_list, first, id_of
from federation.resolve import ResolveError, resolve_actor
from federation.runtime import Federation

log = logging.getLogger("commonsnode.catalog")
RELAYED_JOB = "catalog.relayed"
MAX_ITEMS_PER_PAGE = 200
ACTIVITY_TYPES = frozenset({"Announce", "Create", "Update"})
# The last attempt's time for fetching the keys of signed items' authors, of the job's 600 s:
# past it, items by many different nodes that hang (each fetch up to 30 s, one after
# another) are checked only against the keys held, so the run ends and the cursor moves.
SIGNED_SECONDS = 300.0


async def _get(fed: Federation, url: str) -> dict[str, Any]:
    result = await fed.fetcher.fetch_activity(url, budget=FetchBudget(4))
    return normalise(result.document or {})


def _signed(obj: Any) -> bool:
    """An embedded copy of a signed kind, or a public request, that carries a proof
    (checked when kept)."""
    if not isinstance(obj, dict) or not isinstance(obj.get("proof"), dict):
        return False
    if is_request(obj):
        return True
    kind = kind_of(obj)
    return kind is not None and kind.signed


async def _keep_signed(
    fed: Federation,
    settings: CatalogSettings,
    document: dict[str, Any],
    remote: str,
    *,
    last: bool,
    unanswered: set[str],
    budget: FetchBudget,
) -> str:
    """A signed copy from the outbox: a public request is mirrored as its live Announce is
    (federation/inbox/handlers/public_request_objects.py); other kinds by their own rules.
    A refused item is logged and skipped: one bad item does not stop the backfill. An item
    whose author's keys (or origin, re-reading a copy without a valid proof) cannot be read
    now is no verdict: it raises, so the job is retried before the page's cursor moves; on
    the `last` attempt it is skipped, so one unreachable author does not stop the backfill.
    The origins that failed so on the last attempt are added to `unanswered`, and their
    later items skipped without asking again: each would wait out a fetch (up to 30 s), one
    after another, until the job timed out with the cursor unmoved, for good. `budget` is
    the fetches the item may cause: none once the last attempt's SIGNED_SECONDS are over."""
    claimed = (id_of(document.get("attributedTo")), id_of(document))
    origins = {origin_of(iri) for iri in claimed if iri}
    if last and not origins.isdisjoint(unanswered):
        return "skipped, its node did not answer earlier on this last attempt"
    try:
        if not is_request(document):
            return await accept_signed(fed, settings, document, remote, KINDS, budget=budget)
        return await accept_announced_request(fed, document, remote, budget)
    except HandlerError as exc:
        return f"refused ({exc})"
    except (KeyUnavailable, FetchError) as exc:
        if not last:
            raise
        if isinstance(exc, FetchError):
            unanswered.add(origin_of(exc.url))
        else:  # the author's keys: the author's node did not answer
            unanswered.update(origins)
        return f"skipped, unreadable on the last attempt ({exc})"


def _split(
    items: list[Any], origin: str
) -> tuple[list[dict[str, Any]], list[str], list[dict[str, Any]]]:
    """(documents served by the origin about its own objects, IRIs to re-fetch, signed
    copies to keep by their proof)."""
    trusted: list[dict[str, Any]] = []
    foreign: list[str] = []
    signed: list[dict[str, Any]] = []
    for item in items:
        obj = (
            item.get("object")
            if isinstance(item, dict) and first(item.get("type")) in ACTIVITY_TYPES
            else item
        )
        iri = id_of(obj)
        if iri is None:
            continue
        if _signed(obj):
            signed.append(obj)  # type: ignore[arg-type]
        elif isinstance(obj, dict) and "type" in obj and origin_of(iri) == origin:
            trusted.append(obj)
        else:
            foreign.append(iri)
    return trusted, foreign, signed


async def _first_page(fed: Federation, remote: str) -> str | dict[str, Any] | None:
    actor = await resolve_actor(fed, remote, FetchBudget(4))
    if actor.outbox is None or origin_of(actor.outbox) != origin_of(remote):
        return None
    outbox = await _get(fed, actor.outbox)
    first_page = outbox.get("first")
    if isinstance(first_page, dict) and "orderedItems" in first_page:
        return first_page
    return id_of(first_page)


async def handle_backfill(
    fed: Federation, settings: CatalogSettings, job: Job, *, max_attempts: int
) -> None:
    """The `catalog.backfill` job: up to `backfill_pages_per_run` pages, then a follow-up.
    `max_attempts` is the kind's retry policy: on the last one an item that cannot be read
    now is skipped rather than the whole backfill left dead."""
    remote = str(job.payload["catalog"])
    async with fed.uow(readonly=True) as tx:
        follow = await tx.catalog.get_follow("out", remote)
        cursor = await tx.catalog.backfill(remote)
    if follow is None or follow.state != "accepted" or cursor is None:
        return  # unfollowed (or never followed) since: nothing to do
    if cursor.finished_at is not None or job.payload.get("pages", 0) != cursor.pages:
        return  # done, or a stale copy of this job: the cursor tells the one live chain
    if not (await fed.policy()).permits(host_of(remote)):
        return
    origin = origin_of(remote)
    unanswered: set[str] = set()  # origins whose signed items are skipped on the last attempt
    final = job.attempts >= max_attempts
    loop = asyncio.get_running_loop()
    signed_until = loop.time() + SIGNED_SECONDS
    try:
        page: str | dict[str, Any] | None = cursor.next_url
        if page is None and cursor.pages == 0:
            page = await _first_page(fed, remote)
        for run in range(settings.backfill_pages_per_run):
            if page is None:
                break
            if isinstance(page, str):
                if origin_of(page) != origin:
                    page = None  # an outbox page on another origin is not the catalog's word
                    break
                page = await _get(fed, page)
            items = as_list(page.get("orderedItems", page.get("items")), MAX_ITEMS_PER_PAGE)
            trusted, foreign, signed = _split(items, origin)
            for document in signed:  # before the page's cursor moves: a retry redoes them
                late = final and loop.time() > signed_until  # only what we hold, no fetch
                outcome = await _keep_signed(
                    fed,
                    settings,
                    document,
                    remote,
                    last=final,
                    unanswered=unanswered,
                    budget=FetchBudget(0) if late else FetchBudget(),
                )
                log.info("backfill of %s: signed %s %s", remote, id_of(document), outcome)
            following = id_of(page.get("next"))
            pages = cursor.pages + 1
            done = following is None or pages >= settings.backfill_max_pages
            last = done or run == settings.backfill_pages_per_run - 1
            async with fed.uow() as tx:
                seen = await tx.catalog.origins_seen([id_of(d) or "" for d in trusted])
                for document in trusted:
                    await keep_document(
                        tx,
                        fed,
                        settings,
                        document,
                        remote,
                        member=True,
                        unseen=id_of(document) not in seen,
                    )
                await tx.jobs.enqueue_many(
                    [NewJob(RELAYED_JOB, {"object": iri, "via": remote}) for iri in foreign]
                )
                cursor = BackfillCursor(
                    remote,
                    None if done else following,
                    pages,
                    cursor.items + len(items),
                    cursor.started_at,
                    fed.clock.now() if done else None,
                )
                await tx.catalog.save_backfill(cursor)
                if last and not done:  # bounded: the rest in a follow-up job, same order key
                    await tx.jobs.enqueue(
                        NewJob(
                            BACKFILL_JOB,
                            {"catalog": remote, "pages": pages},
                            ordering_key=f"backfill:{remote}",
                        )
                    )
            page = following
            if done:
                log.info("backfill of %s: %d items in %d pages", remote, cursor.items, pages)
                return
    except (ResolveError, JsonLdRejected) as exc:
        log.warning("backfill of %s stopped: %s", remote, exc)
        return
    except FetchError as exc:
        if not exc.transient:
            log.warning("backfill of %s stopped: %s", remote, exc)
            return
        raise  # retried later; the cursor holds the pages already done
    if page is None and cursor.finished_at is None:
        async with fed.uow() as tx:
            await tx.catalog.save_backfill(
                BackfillCursor(
                    remote, None, cursor.pages, cursor.items, cursor.started_at, fed.clock.now()
                )
            )


async def handle_relayed(fed: Federation, settings: CatalogSettings, job: Job) -> None:
    """One outbox item of another origin: re-fetched from its origin like an Announce (a
    rating or report named by IRI only is kept by its own kind's rules)."""
    await accept_relayed(
        fed, settings, str(job.payload["object"]), str(job.payload["via"]), kinds=KINDS
    )
