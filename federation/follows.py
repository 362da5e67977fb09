"""Follow use-cases of local organisations: follow, unfollow, answer requests, block."""

from __future__ import annotations

from commonsnode.credit_events import credit_replay_job
from commonsnode.errors import ConflictError, InvalidError, NotFoundError
from commonsnode.ids import new_id
from commonsnode.model.actors import RemoteActor
from commonsnode.model.follows import Follow, transition
from commonsnode.model.organisations import Organisation
from commonsnode.ports import UnitOfWork
from commonsnode.reputation_events import recompute_job
from federation.discover import DiscoveryError, parse_target, resolve_target
from federation.fetch import FetchBudget
from federation.iris import host_of
from federation.outbox import fanout_key, new_activity, publish
from federation.resolve import ResolveError, resolve_actor
from federation.runtime import Federation


async def resolve_follow_target(fed: Federation, target: str, *, local: str) -> RemoteActor:
    """The remote actor a follow is addressed to; every refusal is an InvalidError on `target`.

    The operator's domain rules are checked before WebFinger, so a blocked host is never asked;
    `local` says why an actor of this node cannot be followed this way.
    """
    budget = FetchBudget()
    try:
        parsed = parse_target(target)
    except DiscoveryError as exc:
        raise InvalidError(str(exc), field="target") from exc
    host = host_of(parsed) if isinstance(parsed, str) else parsed[1].split(":")[0].strip("[]")
    if not (await fed.policy()).permits(host):
        raise InvalidError(f"{host} is blocked on this node", field="target")
    try:
        iri = await resolve_target(fed, target, budget)
    except DiscoveryError as exc:
        raise InvalidError(str(exc), field="target") from exc
    if fed.iris.is_local(iri):
        raise InvalidError(local, field="target")
    if not (await fed.policy()).permits(host_of(iri)):
        raise InvalidError(f"{host_of(iri)} is blocked on this node", field="target")
    try:
        return await resolve_actor(fed, iri, budget)
    except ResolveError as exc:
        raise InvalidError(f"cannot reach {iri}: {exc.reason}", field="target") from exc


async def follow(fed: Federation, org: Organisation, target: str) -> Follow:
    """`org` asks to follow `target`; pending until the other side answers Accept or Reject."""
    actor = await resolve_follow_target(
        fed, target, local="following organisations on this same node is not supported yet"
    )
    now = fed.clock.now()
    activity = new_activity(fed.iris, org, "Follow", actor.iri, now, to=[actor.iri])
    async with fed.uow() as tx:
        existing = await tx.follows.get("out", org.id, actor.iri)
        if existing is not None and existing.state == "accepted":
            return existing
        record = Follow(
            id=existing.id if existing else new_id(now),
            direction="out",
            org_id=org.id,
            remote_iri=actor.iri,
            state="pending",
            activity_iri=activity["id"],
            created_at=existing.created_at if existing else now,
            updated_at=now,
        )
        await tx.follows.save(record)
        await publish(tx, fed.iris, org, activity, now, followers=False, inboxes=(actor.inbox,))
    return record


async def unfollow(fed: Federation, org: Organisation, remote_iri: str) -> None:
    """Undo{Follow}: stop following; the other side is told."""
    now = fed.clock.now()
    async with fed.uow() as tx:
        existing = await tx.follows.get("out", org.id, remote_iri)
        if existing is None:
            raise NotFoundError(f"{org.handle} does not follow {remote_iri}")
        actor = await tx.actors.get(remote_iri)
        await tx.follows.delete("out", org.id, remote_iri)
        await tx.jobs.enqueue(recompute_job(now))  # reputation: the trust graph changed
        if actor is not None and actor.gone_at is None:
            original = {
                "id": existing.activity_iri,
                "type": "Follow",
                "actor": fed.iris.org(org.handle),
                "object": remote_iri,
            }
            undo = new_activity(fed.iris, org, "Undo", original, now, to=[remote_iri])
            await publish(tx, fed.iris, org, undo, now, followers=False, inboxes=(actor.inbox,))


async def answer_follow_request(
    fed: Federation, org: Organisation, remote_iri: str, *, accept: bool
) -> Follow:
    """Accept or reject a pending follower of an organisation that approves followers manually."""
    now = fed.clock.now()
    async with fed.uow() as tx:
        existing = await tx.follows.get("in", org.id, remote_iri)
        if existing is None:
            raise NotFoundError(f"no follow request from {remote_iri}")
        if existing.state != "pending" and accept:
            raise ConflictError(f"the follow from {remote_iri} is already {existing.state}")
        updated = transition(existing, "accepted" if accept else "rejected", now)
        await tx.follows.save(updated)
        await tx.jobs.enqueue(recompute_job(now))
        actor = await tx.actors.get(remote_iri)
        if actor is not None:
            await send_answer(fed, tx, org, updated, actor.inbox, accept=accept, replay=True)
    return updated


async def send_answer(
    fed: Federation,
    tx: UnitOfWork,
    org: Organisation,
    follow_: Follow,
    inbox: str,
    *,
    accept: bool,
    replay: bool = False,
) -> None:
    """Accept{Follow} or Reject{Follow} to the follower, quoting its Follow activity.

    `replay`: the follower is accepted now (not answered again), so it is also sent, after
    the Accept, the credits of the organisation's listings announced before it followed
    (federation/credits.py): it holds those listings from now on, and their credits with them.
    """
    now = fed.clock.now()
    original = {
        "id": follow_.activity_iri,
        "type": "Follow",
        "actor": follow_.remote_iri,
        "object": fed.iris.org(org.handle),
    }
    answer = new_activity(
        fed.iris, org, "Accept" if accept else "Reject", original, now, to=[follow_.remote_iri]
    )
    await publish(tx, fed.iris, org, answer, now, followers=False, inboxes=(inbox,))
    if accept and replay:
        await tx.jobs.enqueue(
            credit_replay_job(
                follow_.remote_iri,
                inbox,
                org.id,
                ordering_key=fanout_key(answer),
                behind=follow_.activity_iri,
            )
        )


async def block(fed: Federation, org: Organisation, remote_iri: str) -> None:
    """Block a remote actor: follows both ways end, and the actor is told (Mastodon does)."""
    now = fed.clock.now()
    async with fed.uow() as tx:
        await tx.moderation.block_actor(org.id, remote_iri, now)
        await tx.follows.delete("in", org.id, remote_iri)
        await tx.follows.delete("out", org.id, remote_iri)
        await tx.jobs.enqueue(recompute_job(now))
        actor = await tx.actors.get(remote_iri)
        if actor is not None and actor.gone_at is None:
            activity = new_activity(fed.iris, org, "Block", remote_iri, now, to=[remote_iri])
            await publish(tx, fed.iris, org, activity, now, followers=False, inboxes=(actor.inbox,))
