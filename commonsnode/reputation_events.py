"""The job that recomputes reputation, requested in the same transaction as the change.

Changes close in time share one job: the job of a `DEBOUNCE_SECONDS` window is keyed by the
window (`dedupe_key`) and runs half a window after it closes, so it reads every change the
window's transactions committed. A change while that job runs falls in a later window, hence
a new job: none is lost to deduplication.
"""

from __future__ import annotations

from commonsnode.jobs import NewJob

REPUTATION_JOB = "reputation.recompute"
DEBOUNCE_SECONDS = 10.0
DAY = 86_400.0


def recompute_job(now: float, debounce: float = DEBOUNCE_SECONDS) -> NewJob:
    """The (deduplicated) recomputation that will include a change made at `now`."""
    window = int(now // debounce)
    return NewJob(
        REPUTATION_JOB,
        {"window": window},
        dedupe_key=f"{REPUTATION_JOB}:{window}",
        run_at=(window + 1.5) * debounce,
    )


def daily_job(now: float) -> NewJob:
    """The next day's recomputation: trust caps grow with a node's age even when nothing
    else changes."""
    day = int(now // DAY) + 1
    return NewJob(
        REPUTATION_JOB, {"day": day}, dedupe_key=f"{REPUTATION_JOB}:day:{day}", run_at=day * DAY
    )
