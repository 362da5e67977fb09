"""Outgoing activities: stored under dereferenceable ids, then one fan-out job each."""

from __future__ import annotations

import json
from typing import Any

from commonsnode.ids import new_id
from commonsnode.jobs import NewJob
from commonsnode.model.organisations import Organisation
from commonsnode.ports import UnitOfWork
from federation.iris import LocalIris
from federation.jsonld.shapes import id_of
from federation.vocab import AS_PUBLIC, DEFAULT_CONTEXT

FANOUT_JOB = "delivery.fanout"
SEND_JOB = "delivery.send"


def new_activity(
    iris: LocalIris, org: Organisation, type_: str, object_: Any, now: float, **extra: Any
) -> dict[str, Any]:
    """An activity by `org` with a fresh id on this node; `extra` adds to/cc and the like."""
    activity_id = new_id(now)
    return {
        "@context": DEFAULT_CONTEXT,
        "id": iris.activity(activity_id),
        "type": type_,
        "actor": iris.org(org.handle),
        "object": object_,
        **extra,
    }


def activity_key(iris: LocalIris, activity: dict[str, Any]) -> str:
    """The storage id of one of our activity IRIs."""
    return str(activity["id"]).rsplit("/", 1)[1]


async def publish(
    tx: UnitOfWork,
    iris: LocalIris,
    org: Organisation,
    activity: dict[str, Any],
    now: float,
    *,
    followers: bool,
    inboxes: tuple[str, ...] = (),
    behind: str | None = None,
) -> None:
    """Store the activity and enqueue its fan-out, in the caller's transaction.

    `followers`: deliver to every accepted follower's (shared) inbox; `inboxes`: also to
    these, e.g. the one actor a Follow or an Accept is addressed to. `behind`: the object
    of an activity sent before to the same inboxes whose deliveries these must wait for
    (fanout.expand: the same delivery ordering key).
    """
    key = activity_key(iris, activity)
    public = AS_PUBLIC in _audience(activity)
    await tx.activities.add(
        key, org.id, str(activity["type"]), json.dumps(activity), now, public=public
    )
    # Fan-outs about one object run in order, so a Delete's deliveries are queued after its
    # Create's even with several workers (the delivery jobs' own keys then keep the order).
    payload: dict[str, Any] = {
        "activity": key,
        "org": org.id,
        "followers": followers,
        "inboxes": list(inboxes),
    }
    if behind is not None:
        payload["behind"] = behind
    await tx.jobs.enqueue(NewJob(FANOUT_JOB, payload, ordering_key=fanout_key(activity)))


def fanout_key(activity: dict[str, Any]) -> str:
    """The ordering key of an organisation activity's fan-out job: a job enqueued with it
    after `publish` runs once the activity's deliveries are queued."""
    return f"fanout:{id_of(activity.get('object')) or activity['id']}"


def _audience(activity: dict[str, Any]) -> list[str]:
    values: list[str] = []
    for field in ("to", "cc"):
        value = activity.get(field)
        values.extend(
            value if isinstance(value, list) else [value] if isinstance(value, str) else []
        )
    return values
