"""Follow, Accept, Reject and Undo{Follow}: the follow handshake, from the other side."""

from __future__ import annotations

from commonsnode.ids import new_id
from commonsnode.model.follows import Follow, transition
from commonsnode.reputation_events import recompute_job
from federation.fetch import FetchBudget
from federation.follows import send_answer
from federation.inbox.dispatch import HandlerError, Incoming
from federation.jsonld.shapes import first, id_of
from federation.resolve import ResolveError, resolve_actor
from federation.runtime import Federation


async def _local_org(fed: Federation, iri: str | None):  # type: ignore[no-untyped-def]
    handle = fed.iris.org_handle(iri or "")
    if handle is None:
        raise HandlerError(f"{iri} is not an organisation on this node")
    async with fed.uow(readonly=True) as tx:
        org = await tx.organisations.get_by_handle(handle)
    if org is None:
        raise HandlerError(f"no organisation {handle!r} here")
    return org


async def handle_follow(fed: Federation, incoming: Incoming) -> None:
    """A remote actor follows one of our organisations: accept, hold for approval, or reject."""
    org = await _local_org(fed, id_of(incoming.activity.get("object")))
    try:
        actor = await resolve_actor(fed, incoming.actor, FetchBudget())
    except ResolveError as exc:
        raise HandlerError(f"follower unreachable: {exc.reason}") from exc
    now = fed.clock.now()
    async with fed.uow() as tx:
        blocked = await tx.moderation.is_actor_blocked(org.id, actor.iri)
        current = await org_state(tx, org.id)
        existing = await tx.follows.get("in", org.id, actor.iri)
        if blocked:
            state = "rejected"
        elif existing is not None and existing.state == "accepted":
            state = "accepted"  # a repeated Follow is answered again (the peer lost our Accept)
        else:
            state = "pending" if current else "accepted"
        record = Follow(
            id=existing.id if existing else new_id(now),
            direction="in",
            org_id=org.id,
            remote_iri=actor.iri,
            state=state,
            activity_iri=str(incoming.activity["id"]),
            created_at=existing.created_at if existing else now,
            updated_at=now,
        )
        await tx.follows.save(record)
        await tx.jobs.enqueue(recompute_job(now))  # reputation: the trust graph changed
        if state != "pending":
            # Accepted now (not answered again): it is sent the credits announced before.
            new = existing is None or existing.state != "accepted"
            await send_answer(
                fed, tx, org, record, actor.inbox, accept=state == "accepted", replay=new
            )


async def org_state(tx: object, org_id: str) -> bool:
    """Whether the organisation approves followers by hand."""
    org = await tx.organisations.get_by_id(org_id)  # type: ignore[attr-defined]
    return bool(org and org.manually_approves_followers)


async def _our_follow(fed: Federation, incoming: Incoming) -> Follow:
    """The outgoing follow an Accept/Reject answers; only the followed actor may answer it."""
    inner = incoming.activity.get("object")
    follow_iri = id_of(inner)
    async with fed.uow(readonly=True) as tx:
        record = await tx.follows.get_by_activity(follow_iri) if follow_iri else None
        if record is None and isinstance(inner, dict):
            # Some servers answer with a Follow object whose id they do not keep: match by pair.
            org = fed.iris.org_handle(id_of(inner.get("actor")) or "")
            local = await tx.organisations.get_by_handle(org) if org else None
            if local is not None:
                record = await tx.follows.get("out", local.id, incoming.actor)
    if record is None or record.direction != "out":
        raise HandlerError(f"no follow of ours matches {follow_iri}")
    if record.remote_iri != incoming.actor:
        raise HandlerError("only the followed actor can answer a follow")
    return record


async def handle_accept(fed: Federation, incoming: Incoming) -> None:
    record = await _our_follow(fed, incoming)
    async with fed.uow() as tx:
        await tx.follows.save(transition(record, "accepted", fed.clock.now()))
        await tx.jobs.enqueue(recompute_job(fed.clock.now()))


async def handle_reject(fed: Federation, incoming: Incoming) -> None:
    record = await _our_follow(fed, incoming)
    async with fed.uow() as tx:
        await tx.follows.save(transition(record, "rejected", fed.clock.now()))
        await tx.jobs.enqueue(recompute_job(fed.clock.now()))


async def handle_undo(fed: Federation, incoming: Incoming) -> None:
    """Undo{Follow}: only the follower itself can take its follow back."""
    inner = incoming.activity.get("object")
    inner_type = first(inner.get("type")) if isinstance(inner, dict) else None
    async with fed.uow() as tx:
        record = await tx.follows.get_by_activity(id_of(inner) or "")
        if record is None and inner_type == "Follow" and isinstance(inner, dict):
            org = fed.iris.org_handle(id_of(inner.get("object")) or "")
            local = await tx.organisations.get_by_handle(org) if org else None
            if local is not None:
                record = await tx.follows.get("in", local.id, incoming.actor)
        if record is None:
            return  # nothing to undo (already gone, or a type we do not keep)
        if record.direction != "in" or record.remote_iri != incoming.actor:
            raise HandlerError("an actor can only undo its own follow")
        await tx.follows.delete("in", record.org_id, record.remote_iri)
        await tx.jobs.enqueue(recompute_job(fed.clock.now()))
