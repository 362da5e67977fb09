"""Like (a report is helpful), Undo{Like}, and Flag (an abuse report for the operator's queue)."""

from __future__ import annotations

import logging

from commonsnode.ids import new_id
from commonsnode.model.flags import MAX_REASON, MAX_TARGETS, Flag
from commonsnode.reputation_events import recompute_job
from federation.inbox.dispatch import ActivityHandler, HandlerError, Incoming
from federation.jsonld.shapes import as_list, first, id_of, str_or_none
from federation.reports import report_by_iri
from federation.runtime import Federation
from federation.sanitize import plain_text

log = logging.getLogger("commonsnode.inbox")


async def handle_like(fed: Federation, incoming: Incoming) -> None:
    """Like of a report we hold: one helpful mark per actor; a Like of anything else: ignored."""
    target = id_of(incoming.activity.get("object")) or ""
    activity_iri = id_of(incoming.activity) or ""
    async with fed.uow() as tx:
        report = await report_by_iri(fed, tx, target)
        if report is None:
            log.info("Like of %s from %s: not a report held here", target, incoming.actor)
            return
        if await tx.reports.add_helpful(report.id, incoming.actor, activity_iri, fed.clock.now()):
            await tx.jobs.enqueue(recompute_job(fed.clock.now()))


async def _undo_like(fed: Federation, incoming: Incoming) -> bool:
    """Undo{Like}: the actor's own mark goes; True when the Undo was about a Like."""
    inner = incoming.activity.get("object")
    is_like = isinstance(inner, dict) and first(inner.get("type")) == "Like"
    async with fed.uow() as tx:
        found = await tx.reports.helpful_by_activity(id_of(inner) or "")
        if found is None and is_like and isinstance(inner, dict):
            report = await report_by_iri(fed, tx, id_of(inner.get("object")) or "")
            if report is not None:
                found = (report.id, incoming.actor)
        if found is None:
            return is_like
        report_id, actor = found
        if actor != incoming.actor:
            raise HandlerError("an actor can only undo its own Like")
        await tx.reports.remove_helpful(report_id, actor)
        await tx.jobs.enqueue(recompute_job(fed.clock.now()))
    return True


def undo_with_likes(fallback: ActivityHandler) -> ActivityHandler:
    """The Undo handler: Undo{Like} here, everything else (follows) to `fallback`."""

    async def handle_undo(fed: Federation, incoming: Incoming) -> None:
        if not await _undo_like(fed, incoming):
            await fallback(fed, incoming)

    return handle_undo


async def handle_flag(fed: Federation, incoming: Incoming) -> None:
    """A Flag naming something of this node (an actor, a rating, a report) joins the queue.

    Mastodon's shape: object = [reported actor, object IRIs…], content = the reason. Flags
    that name nothing of ours are dropped; a replayed Flag is queued once.
    """
    activity_iri = id_of(incoming.activity) or ""
    objects = [
        iri
        for iri in (id_of(o) for o in as_list(incoming.activity.get("object"), MAX_TARGETS))
        if iri
    ]
    reason = plain_text(str_or_none(incoming.activity.get("content")) or "")[:MAX_REASON]
    now = fed.clock.now()
    async with fed.uow() as tx:
        ours = [
            iri
            for iri in objects
            if fed.iris.is_local(iri) or await report_by_iri(fed, tx, iri) is not None
        ]
        if not ours:
            log.info("Flag from %s names nothing of this node; dropped", incoming.actor)
            return
        if activity_iri and await tx.flags.get_by_activity(activity_iri) is not None:
            return
        flag = Flag(
            new_id(now),
            "remote",
            incoming.actor,
            tuple(objects),
            reason,
            "open",
            now,
            activity_iri=activity_iri or None,
        )
        await tx.flags.add(flag)
