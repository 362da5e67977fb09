"""Incoming request → verified sender: signature, key, and the key's owner as its actor says."""

from __future__ import annotations

from dataclasses import dataclass

from commonsnode.model.actors import RemoteKey
from federation.fetch import FetchBudget, FetchError
from federation.iris import host_of, origin_of
from federation.keys import UnsupportedKeyError, load_public_key
from federation.resolve import ActorGoneError, ResolveError, fetch_actor
from federation.runtime import Federation
from federation.signatures import SignatureClaim, SignatureError, SignedRequest, verify_claim

REFETCH_AFTER_SECONDS = 60.0


class AuthenticationError(Exception):
    """Any failure to authenticate: always answered 401, so double-knocking peers fall back."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}" + (f": {detail}" if detail else ""))
        self.reason = reason
        self.detail = detail


class SenderGoneError(AuthenticationError):
    """The claimed actor's server says it was deleted (410)."""


@dataclass(frozen=True, slots=True)
class VerifiedSender:
    """Who really sent a request: the actor whose own document lists the verifying key."""

    actor: str
    key_id: str
    scheme: str


def _key_owner_matches(key: RemoteKey | None, actor: str) -> bool:
    return key is not None and key.actor_iri == actor


async def _verify_with(
    key: RemoteKey, claim: SignatureClaim, request: SignedRequest, now: float
) -> bool:
    try:
        public_key = load_public_key(key.public_pem)
        verify_claim(claim, request, public_key, now)
    except (SignatureError, UnsupportedKeyError):
        return False
    return True


async def authenticate(
    fed: Federation,
    request: SignedRequest,
    claim: SignatureClaim,
    actor: str,
    budget: FetchBudget,
) -> VerifiedSender:
    """Verify `claim` for a request that speaks for `actor`.

    The key must be listed by `actor`'s own document (never trust a key's `owner` alone). A
    cached key that fails is re-fetched once, for key rotation; failed fetches are
    negative-cached so a forger cannot make us fetch on every request.
    """
    now = fed.clock.now()
    # 1. The key lives on the actor's origin (FEP-fe34); anything else is someone else's key.
    if origin_of(claim.key_id) != origin_of(actor):
        raise AuthenticationError("key_origin", f"{claim.key_id} does not belong to {actor}")
    # 2. A key that verified recently, from memory: the hot path, no database, no network.
    remembered = fed.keys.get(claim.key_id, now)
    if (
        remembered is not None
        and _key_owner_matches(remembered, actor)
        and await _verify_with(remembered, claim, request, now)
    ):
        return VerifiedSender(actor, claim.key_id, claim.scheme)
    # 3. Cached key of this actor in the database: verify without any network.
    async with fed.uow(readonly=True) as tx:
        cached = await tx.actors.get_key(claim.key_id)
        failure = await tx.actors.key_failure(_pair(actor, claim.key_id), now)
        known = await tx.actors.get(actor)
    if _key_owner_matches(cached, actor) and cached is not None:
        if await _verify_with(cached, claim, request, now):
            fed.keys.put(cached, now)
            return VerifiedSender(actor, claim.key_id, claim.scheme)
        if known is not None and now - known.fetched_at < REFETCH_AFTER_SECONDS:
            # Just refreshed: a bad signature now is a forgery, not a rotation. No fetch.
            raise AuthenticationError("bad_signature", claim.key_id)
    elif failure is not None:
        raise AuthenticationError("key_unavailable", failure)
    # 4. Fetch the actor document afresh (first sight, or rotation) and look for the key in it.
    try:
        _, keys = await fetch_actor(fed, actor, budget)
    except ActorGoneError as exc:
        raise SenderGoneError("actor_gone", actor) from exc
    except (ResolveError, FetchError) as exc:
        await _negative(fed, _pair(actor, claim.key_id), str(exc))
        raise AuthenticationError("key_unavailable", str(exc)) from exc
    key = next((k for k in keys if k.key_id == claim.key_id), None)
    if key is None:
        await _negative(fed, _pair(actor, claim.key_id), "actor does not list this key")
        raise AuthenticationError("key_not_listed", f"{actor} does not list {claim.key_id}")
    if not await _verify_with(key, claim, request, now):
        raise AuthenticationError("bad_signature", claim.key_id)
    fed.keys.put(key, now)
    return VerifiedSender(actor, claim.key_id, claim.scheme)


async def authenticate_key_owner(
    fed: Federation, request: SignedRequest, claim: SignatureClaim, budget: FetchBudget
) -> VerifiedSender:
    """For signed GETs (no activity names an actor): the key's actor is the one listing it."""
    async with fed.uow(readonly=True) as tx:
        cached = await tx.actors.get_key(claim.key_id)
    if cached is not None:
        return await authenticate(fed, request, claim, cached.actor_iri, budget)
    # Mastodon-style ids (actor#main-key) name the actor; GoToSocial's (actor/main-key) need
    # the key document, whose owner must then list the key in its own actor document.
    actor = claim.key_id.split("#", 1)[0]
    if "#" not in claim.key_id:
        try:
            result = await fed.fetcher.fetch_activity(claim.key_id, budget=budget)
        except FetchError as exc:
            raise AuthenticationError("key_unavailable", str(exc)) from exc
        document = result.document or {}
        owner = document.get("owner") or document.get("controller")
        if isinstance(owner, str):
            actor = owner
        elif isinstance(document.get("publicKey"), dict):
            actor = str(document.get("id"))
    if host_of(actor) != host_of(claim.key_id):
        raise AuthenticationError("key_origin", claim.key_id)
    return await authenticate(fed, request, claim, actor, budget)


def _pair(actor: str, key_id: str) -> str:
    """Negative-cache entries name the actor too: a forger claiming someone else's key id
    for a third actor must not get that key refused for its real owner."""
    return f"{actor} {key_id}"


async def _negative(fed: Federation, key_id: str, reason: str) -> None:
    async with fed.uow() as tx:
        await tx.actors.record_key_failure(
            key_id, fed.clock.now() + fed.settings.key_failure_seconds, reason
        )
