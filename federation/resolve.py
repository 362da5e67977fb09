"""Remote actors by IRI: cache first, then one fetch through the guarded fetcher."""

from __future__ import annotations

from commonsnode.model.actors import RemoteActor, RemoteKey
from federation.actors import ActorDocumentError, parse_actor
from federation.fetch import FetchBudget, FetchError
from federation.iris import host_of
from federation.jsonld.loader import JsonLdRejected
from federation.jsonld.normalise import normalise
from federation.runtime import Federation


class ResolveError(Exception):
    """The actor could not be resolved; `reason` is short and machine-readable, `transient`
    says whether asking again later may succeed (its node down or overloaded)."""

    def __init__(self, iri: str, reason: str, detail: str = "", *, transient: bool = False) -> None:
        super().__init__(f"{reason}: {iri}" + (f" ({detail})" if detail else ""))
        self.iri = iri
        self.reason = reason
        self.transient = transient


class ActorGoneError(ResolveError):
    """The actor's server answered 410: it was deleted."""


async def fetch_actor(
    fed: Federation, iri: str, budget: FetchBudget
) -> tuple[RemoteActor, list[RemoteKey]]:
    """Fetch, read and store an actor document; a domain block stops it before the network."""
    if not (await fed.policy()).permits(host_of(iri)):
        raise ResolveError(iri, "blocked_domain")
    if fed.iris.is_local(iri):
        raise ResolveError(iri, "local_iri", "our own actors are never fetched")
    try:
        result = await fed.fetcher.fetch_activity(iri, budget=budget)
    except FetchError as exc:
        if exc.status == 410:
            async with fed.uow() as tx:
                await tx.actors.mark_gone(iri, fed.clock.now())
                await tx.follows.delete_remote(iri)
            fed.keys.forget_actor(iri)
            raise ActorGoneError(iri, "gone") from exc
        raise ResolveError(iri, f"fetch_{exc.reason}", exc.detail, transient=exc.transient) from exc
    try:
        document = normalise(result.document or {})
        actor, keys = parse_actor(document, fed.clock.now())
    except (ActorDocumentError, JsonLdRejected) as exc:
        raise ResolveError(iri, "bad_actor_document", str(exc)) from exc
    if actor.iri != iri:
        raise ResolveError(iri, "id_mismatch", actor.iri)
    async with fed.uow() as tx:
        await tx.actors.upsert(actor, keys)
    fed.keys.forget_actor(actor.iri)  # rotation: the next request verifies against these
    return actor, keys


async def resolve_actor(
    fed: Federation, iri: str, budget: FetchBudget, *, refresh: bool = False
) -> RemoteActor:
    """The actor from cache when fresh enough, else fetched; gone actors raise ActorGoneError."""
    if not refresh:
        async with fed.uow(readonly=True) as tx:
            cached = await tx.actors.get(iri)
        if cached is not None:
            if cached.gone_at is not None:
                raise ActorGoneError(iri, "gone")
            if fed.clock.now() - cached.fetched_at < fed.settings.actor_refresh_seconds:
                return cached
    actor, _ = await fetch_actor(fed, iri, budget)
    return actor
