"""Fan-out: one activity → one delivery job per unique inbox (shared inbox preferred)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from commonsnode.jobs import Job, NewJob
from commonsnode.ports import UnitOfWork
from federation.iris import host_of, origin_of
from federation.jsonld.shapes import id_of
from federation.outbox import SEND_JOB
from federation.runtime import Federation

FollowerInboxes = Callable[[UnitOfWork], Awaitable[list[str]]]


async def handle_fanout(fed: Federation, job: Job) -> None:
    """An organisation's fan-out: its accepted followers' inboxes (and named ones)."""
    org = job.payload["org"]
    await expand(
        fed,
        job,
        send_job=SEND_JOB,
        signer=org,
        follower_inboxes=lambda tx: tx.follows.follower_inboxes(org),
    )


async def expand(
    fed: Federation,
    job: Job,
    *,
    send_job: str,
    signer: str,
    follower_inboxes: FollowerInboxes,
) -> None:
    """Expand the audience and enqueue the deliveries in the same transaction that ends the job.

    Our own host is excluded (local followers need no HTTP), and so are blocked domains (send.py
    checks again, for blocks made after the fan-out) and the payload's `except_origins`. The
    ordering key is the inbox and the activity's object: a Delete never overtakes its Create
    at one inbox, while one slow inbox does not hold up the others. The payload's `behind`
    replaces the object: a credit replayed to a new follower is delivered only after our
    Accept of its Follow (whose object is that Follow), even when the Accept's is retried.
    """
    payload = job.payload
    policy = await fed.policy()
    async with fed.uow() as tx:
        found = await tx.activities.get(payload["activity"])
        if found is None:
            await tx.jobs.finish(job)
            return
        activity = json.loads(found[1])
        inboxes = set(payload.get("inboxes") or [])
        if payload.get("followers"):
            inboxes.update(await follower_inboxes(tx))
        skipped = set(payload.get("except_origins") or [])
        inboxes = {inbox for inbox in inboxes if origin_of(inbox) not in skipped}
        object_id = payload.get("behind") or id_of(activity.get("object")) or str(activity["id"])
        jobs = [
            NewJob(
                send_job,
                {"activity": payload["activity"], "org": signer, "inbox": inbox},
                ordering_key=f"deliver:{inbox}:{object_id}",
            )
            for inbox in sorted(inboxes)
            if not fed.iris.is_local(inbox) and policy.permits(host_of(inbox))
        ]
        await tx.jobs.enqueue_many(jobs)
        await tx.jobs.finish(job)
