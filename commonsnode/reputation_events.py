"""The job that recomputes reputation, requested in the same transaction as the change.

All changes share one queued job (`dedupe_key`): any number of ratings and follows arriving
before it starts are read by that one run. The run frees its key first thing (it finishes its
own job before reading), so a change committed while it computes queues the next run: none is
lost to deduplication, and at most one run waits while another works.
"""

from __future__ import annotations

from commonsnode.jobs import NewJob

REPUTATION_JOB = "reputation.recompute"
RETRY_SECONDS = 60.0
DAY = 86_400.0


def recompute_job(now: float, *, delay: float = 0.0) -> NewJob:
    """The (deduplicated) recomputation that will include a change made at `now`."""
    return NewJob(
        REPUTATION_JOB, {}, dedupe_key=REPUTATION_JOB, run_at=now + delay if delay else None
    )


def daily_job(now: float) -> NewJob:
    """The next day's recomputation: trust caps grow with a node's age even when nothing
    else changes (queued at start-up, then by each daily run)."""
    day = int(now // DAY) + 1
    return NewJob(
        REPUTATION_JOB, {"day": day}, dedupe_key=f"{REPUTATION_JOB}:day:{day}", run_at=day * DAY
    )
