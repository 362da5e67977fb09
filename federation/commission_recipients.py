"""Recipients of a directed request on other nodes, named by `acct:` handle."""

from __future__ import annotations

from commonsnode.errors import InvalidError
from federation.follows import resolve_follow_target
from federation.runtime import Federation


async def remote_recipient(fed: Federation, handle: str) -> str:
    """The actor IRI of `acct:name@host` on another node, found by WebFinger the way a follow
    target is (the operator's domain rules first); an InvalidError on `recipients` otherwise."""
    try:
        actor = await resolve_follow_target(
            fed, handle, local="a request's recipient on this node is named by its handle"
        )
    except InvalidError as exc:
        raise InvalidError(f"recipients: {exc}", field="recipients") from exc
    return actor.iri
