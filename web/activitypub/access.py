"""Who may read our ActivityPub documents: authorized-fetch and allowlist mode, before any work."""

from __future__ import annotations

from collections.abc import Iterable

from aiohttp import web

from commonsnode.model.organisations import Organisation
from federation.authenticate import AuthenticationError, VerifiedSender, authenticate_key_owner
from federation.fetch import FetchBudget
from federation.iris import host_of, origin_of
from federation.signatures import SignatureError, SignedRequest, parse_incoming
from web.keys import FED, UOW


def signed_request(request: web.Request, body: bytes = b"") -> SignedRequest:
    """The request as signed: our public origin plus the raw path and query as sent."""
    fed = request.app[FED]
    return SignedRequest.build(
        request.method, fed.iris.origin + request.raw_path, request.headers.items(), body
    )


async def require_fetch_access(request: web.Request) -> VerifiedSender | None:
    """Refuse a GET that the operator's rules do not allow; returns the signer when signed.

    Unsigned GETs pass unless authorized fetch or allowlist mode is on; then a signature must
    be present and verify. A signing host that is blocked is refused in every mode.
    """
    fed = request.app[FED]
    policy = await fed.policy()
    strict = fed.settings.authorized_fetch or policy.mode == "allowlist"
    # The three places a signature can be (cavage, RFC 9421, cavage as Authorization): a
    # signed request must never be taken for an unsigned one and refused (or let through).
    authorization = request.headers.get("Authorization", "")
    has_signature = (
        "Signature" in request.headers
        or "Signature-Input" in request.headers
        or authorization[:10].lower() == "signature "
    )
    if not has_signature:
        if strict:
            raise web.HTTPUnauthorized(text="this node requires signed fetches")
        return None
    # Without authorized fetch a signature that cannot be checked (its key unreachable, or
    # a peer's signing quirk) counts as no signature, as on Mastodon: public documents stay
    # readable. With it, every failure is a 401.
    try:
        signed = signed_request(request)
        claim = parse_incoming(signed, now=fed.clock.now())
    except SignatureError as exc:
        if not strict:
            return None
        raise web.HTTPUnauthorized(text=f"signature: {exc.reason}") from None
    if not policy.permits(host_of(claim.key_id)):
        raise web.HTTPForbidden(text="domain not permitted")
    try:
        return await authenticate_key_owner(fed, signed, claim, FetchBudget(5))
    except AuthenticationError as exc:
        if not strict:
            return None
        raise web.HTTPUnauthorized(text=f"signature: {exc.reason}") from None


async def readable_org(request: web.Request) -> Organisation:
    """The organisation named by `{handle}`, once the reader may see it (404 otherwise)."""
    async with request.app[UOW](readonly=True) as tx:
        org = await tx.organisations.get_by_handle(request.match_info["handle"])
    if org is None:
        await require_fetch_access(request)
        raise web.HTTPNotFound(text="no such organisation")
    await require_org_access(request, org.id)
    return org


async def require_org_access(request: web.Request, org_id: str) -> None:
    """As require_fetch_access, and an actor the organisation blocks may not read it either."""
    sender = await require_fetch_access(request)
    if sender is None:
        return
    async with request.app[UOW](readonly=True) as tx:
        blocked = await tx.moderation.is_actor_blocked(org_id, sender.actor)
    if blocked:
        raise web.HTTPForbidden(text="blocked")


def signed_by_party(signer: str, parties: Iterable[str]) -> bool:
    """Whether a signed fetch may read a document addressed to `parties` only: a party's
    actor, or the instance actor (`/actor`) of a party's node (our fetcher signs as that)."""
    return any(signer == party or signer == f"{origin_of(party)}/actor" for party in parties)
