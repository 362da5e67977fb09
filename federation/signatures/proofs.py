"""FEP-8b32 Object Integrity Proofs (``eddsa-jcs-2022``): sign and check activities apart from HTTP.

A proof lets a relayed or embedded object be trusted without re-fetching it (security.md rule 3).
The caller still checks that ``verificationMethod`` belongs to the object's actor (FEP-fe34).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519

from federation.keys import PublicKey, multibase_decode, multibase_encode
from federation.signatures import DEFAULT_MAX_SKEW, SignatureError

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-jcs-2022"
_TIMESTAMP = "%Y-%m-%dT%H:%M:%SZ"


class ProofError(SignatureError):
    """The integrity proof is absent, malformed, out of date, or does not verify."""


@dataclass(frozen=True, slots=True)
class VerifiedProof:
    """What a valid proof asserts; the caller must tie ``verification_method`` to the actor."""

    verification_method: str
    proof_purpose: str
    created: float | None


def _canonical_hash(value: Mapping[str, Any]) -> bytes:
    try:
        return hashlib.sha256(rfc8785.dumps(value)).digest()
    except rfc8785.CanonicalizationError as exc:
        raise ProofError("proof_malformed", f"not canonicalisable: {exc}") from exc


def _signing_input(document: Mapping[str, Any], options: Mapping[str, Any]) -> bytes:
    """vc-di-eddsa §3.3: SHA-256(JCS(proof options)) ‖ SHA-256(JCS(document)), proof hash first."""
    return _canonical_hash(options) + _canonical_hash(document)


def _parse_timestamp(value: object, name: str) -> float:
    if not isinstance(value, str):
        raise ProofError("proof_malformed", f"{name} must be a string")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ProofError("proof_malformed", f"{name} is not an XML Schema dateTime") from exc
    if moment.tzinfo is None:
        raise ProofError("proof_malformed", f"{name} has no time zone")
    return moment.timestamp()


def create_proof(
    document: Mapping[str, Any],
    private_key: ed25519.Ed25519PrivateKey,
    *,
    verification_method: str,
    created: float,
    proof_purpose: str = "assertionMethod",
) -> dict[str, Any]:
    """Return a copy of ``document`` with an ``eddsa-jcs-2022`` proof (FEP-8b32) attached.

    The proof repeats the document's ``@context`` (current FEP-8b32 / vc-di-eddsa rule), so
    verifiers that compact JSON-LD see the same terms.
    """
    if "proof" in document:
        raise ValueError("document already carries a proof")
    options: dict[str, Any] = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
        "created": datetime.fromtimestamp(int(created), UTC).strftime(_TIMESTAMP),
    }
    if "@context" in document:
        options = {"@context": document["@context"], **options}
    signature = private_key.sign(_signing_input(document, options))
    return {**document, "proof": {**options, "proofValue": multibase_encode(signature)}}


def verify_proof(
    document: Mapping[str, Any],
    public_key: PublicKey,
    *,
    now: float | None = None,
    proof_purpose: str = "assertionMethod",
    max_skew: float = DEFAULT_MAX_SKEW,
) -> VerifiedProof:
    """Check the single ``eddsa-jcs-2022`` proof on ``document``; raises :class:`ProofError`.

    With ``now``, a proof created in the future (beyond ``max_skew``) or past its ``expires`` is
    refused. Several proofs (a list) are refused rather than half-checked.
    """
    if not isinstance(public_key, ed25519.Ed25519PublicKey):
        raise ProofError("key_rejected", "eddsa-jcs-2022 needs an Ed25519 key")
    proof = document.get("proof")
    if not isinstance(proof, Mapping):
        raise ProofError("proof_missing" if proof is None else "proof_malformed", "one proof")
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError("unsupported_algorithm", "not a DataIntegrityProof / eddsa-jcs-2022")
    method, purpose, value = (
        proof.get("verificationMethod"),
        proof.get("proofPurpose"),
        proof.get("proofValue"),
    )
    if not isinstance(method, str) or not isinstance(value, str):
        raise ProofError("proof_malformed", "verificationMethod and proofValue are required")
    if purpose != proof_purpose:
        raise ProofError("proof_purpose", f"expected {proof_purpose}, got {purpose!r}")
    unsecured = {key: item for key, item in document.items() if key != "proof"}
    if "@context" in proof:
        # vc-di-eddsa: the document's @context must start with the proof's, in order.
        context = proof["@context"]
        outer = unsecured.get("@context")
        prefix = context if isinstance(context, list) else [context]
        outer_list = outer if isinstance(outer, list) else [outer]
        if outer_list[: len(prefix)] != prefix:
            raise ProofError("proof_malformed", "proof @context differs from the document's")
        unsecured["@context"] = context
    created = _parse_timestamp(proof["created"], "created") if "created" in proof else None
    if now is not None and created is not None and created > now + max_skew:
        raise ProofError("stale", "proof created in the future")
    if (
        now is not None
        and "expires" in proof
        and now > _parse_timestamp(proof["expires"], "expires")
    ):
        raise ProofError("expired", "proof has expired")
    try:
        signature = multibase_decode(value)
    except ValueError as exc:
        raise ProofError("proof_malformed", "proofValue is not base58btc") from exc
    options = {key: item for key, item in proof.items() if key != "proofValue"}
    try:
        public_key.verify(signature, _signing_input(unsecured, options))
    except InvalidSignature as exc:
        raise ProofError("bad_signature", f"proof by {method} does not verify") from exc
    return VerifiedProof(method, purpose, created)
