"""Objects signed by their author (FEP-8b32), so a relayed copy can be trusted without a re-fetch.

Ratings, reports, deployments and contracts carry an `eddsa-jcs-2022` proof made with the
authoring organisation's Ed25519 key. A receiver checks it against the key the author's own
actor document lists in `assertionMethod` (FEP-521a), on the author's origin (FEP-fe34): a
proof made with anybody else's key proves nothing about the author.
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric import ed25519

from commonsnode.model.actors import RemoteKey
from federation.fetch import FetchBudget, FetchError
from federation.fetch_failures import is_transient
from federation.iris import origin_of
from federation.jsonld.shapes import id_of
from federation.keys import UnsupportedKeyError, load_private_key, load_public_key
from federation.resolve import ResolveError, fetch_actor
from federation.runtime import Federation
from federation.signatures.proofs import ProofError, create_proof, verify_proof


class IntegrityError(Exception):
    """The object's proof is missing, does not verify, or was not made by its author."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


class KeyUnavailable(IntegrityError):
    """The author's keys cannot be read now (its node is down or slow): no verdict on the
    proof, so the caller tries again later instead of refusing the object for good."""


async def sign_as(
    fed: Federation, org_id: str, handle: str, document: dict[str, Any]
) -> dict[str, Any]:
    """`document` with a proof by the organisation's Ed25519 key (the key never leaves here)."""
    _, ed_pair = await fed.org_keys(org_id)
    private = load_private_key(ed_pair.private_pem)
    if not isinstance(private, ed25519.Ed25519PrivateKey):
        raise RuntimeError(f"organisation {org_id} has no Ed25519 key")
    return create_proof(
        document,
        private,
        verification_method=fed.iris.org_ed25519_key(handle),
        created=fed.clock.now(),
    )


async def verify_author(
    fed: Federation,
    document: dict[str, Any],
    budget: FetchBudget,
    *,
    author_key: str = "attributedTo",
) -> str:
    """The author IRI when the document's proof was made by a key its author lists.

    The key is looked up among the author's keys we hold; when absent (first sight, or a key
    rotated since), the author's actor document is fetched once, within `budget`.
    """
    author = id_of(document.get(author_key))
    proof = document.get("proof")
    if author is None:
        raise IntegrityError("no_author", f"no {author_key}")
    if not isinstance(proof, dict) or not isinstance(proof.get("verificationMethod"), str):
        raise IntegrityError("proof_missing", "no single proof with a verificationMethod")
    method = proof["verificationMethod"]
    if origin_of(method) != origin_of(author) or origin_of(id_of(document) or "") != origin_of(
        author
    ):
        raise IntegrityError("proof_origin", f"{method} cannot speak for {author}")
    async with fed.uow(readonly=True) as tx:
        cached = await tx.actors.get_key(method)
    if cached is not None and cached.actor_iri == author and _verifies(fed, document, cached):
        return author
    # First sight of this key, or a rotation since: read the author's document once.
    try:
        _, keys = await fetch_actor(fed, author, budget)
    except (ResolveError, FetchError) as exc:
        if is_transient(exc):
            raise KeyUnavailable("key_unavailable", str(exc)) from exc
        raise IntegrityError("key_unavailable", str(exc)) from exc
    key = next((k for k in keys if k.key_id == method), None)
    if key is None:
        raise IntegrityError("key_not_listed", f"{author} does not list {method}")
    if not _verifies(fed, document, key):
        raise IntegrityError("bad_proof", f"the proof does not verify with {method}")
    return author


def _verifies(fed: Federation, document: dict[str, Any], key: RemoteKey) -> bool:
    try:
        verify_proof(document, load_public_key(key.public_pem), now=fed.clock.now())
    except (ProofError, UnsupportedKeyError):
        return False
    return True
