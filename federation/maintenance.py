"""Housekeeping: expire per-host records, negative key caches and old inbox log entries.

One `maintenance.prune` job is live at a time (dedupe key); each run schedules the next one
in the same transaction that finishes it, so the cycle survives restarts and never doubles.
"""

from __future__ import annotations

import logging

from commonsnode.jobs import Job, NewJob
from federation.runtime import Federation

log = logging.getLogger("commonsnode.maintenance")

PRUNE_JOB = "maintenance.prune"
PRUNE_EVERY = 3600.0
# Replays are refused by the signature's 1-hour window; a week of ids is a wide margin.
INBOX_LOG_RETENTION = 7 * 24 * 3600.0
# Dead jobs stay for the operator to read (and re-run) for a month.
DEAD_JOB_RETENTION = 30 * 24 * 3600.0


def next_prune(now: float) -> NewJob:
    """The next housekeeping run; enqueuing it while one is live changes nothing."""
    return NewJob(PRUNE_JOB, {}, dedupe_key=PRUNE_JOB, run_at=now + PRUNE_EVERY)


async def schedule(fed: Federation) -> None:
    """Make sure one housekeeping job is queued (called at start-up)."""
    async with fed.uow() as tx:
        await tx.jobs.enqueue(NewJob(PRUNE_JOB, {}, dedupe_key=PRUNE_JOB))


async def prune(fed: Federation, job: Job) -> None:
    """The `maintenance.prune` job."""
    now = fed.clock.now()
    async with fed.uow() as tx:
        hosts = await tx.hosts.prune(now)
        keys = await tx.actors.prune_key_failures(now)
        entries = await tx.inbox_log.prune(now - INBOX_LOG_RETENTION)
        dead = await tx.jobs.purge_dead(now - DEAD_JOB_RETENTION)
        await tx.jobs.finish(job)  # frees the dedupe key for the next run
        await tx.jobs.enqueue(next_prune(now))
    if hosts or keys or entries or dead:
        log.info(
            "pruned %d host records, %d key failures, %d inbox log entries, %d dead jobs",
            hosts,
            keys,
            entries,
            dead,
        )
