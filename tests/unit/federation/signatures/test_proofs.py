"""FEP-8b32 proofs: round trip and every refusal, with a freshly generated key."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from federation.signatures import SignatureError
from federation.signatures.proofs import ProofError, create_proof, verify_proof

NOW = 1_700_000_000.0
METHOD = "https://our.example/orgs/city#ed25519-key"
DOCUMENT: dict[str, Any] = {
    "@context": [
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/data-integrity/v2",
    ],
    "id": "https://our.example/activities/1",
    "type": "Create",
    "actor": "https://our.example/orgs/city",
    "object": {"type": "Note", "content": "Ciao — 你好", "n": 1.5},
}


def reason_of(document: dict[str, Any], key: Any, now: float | None = NOW) -> str:
    with pytest.raises(ProofError) as refused:
        verify_proof(document, key, now=now)
    return refused.value.reason


def test_round_trip(ed_key: ed25519.Ed25519PrivateKey) -> None:
    signed = create_proof(DOCUMENT, ed_key, verification_method=METHOD, created=NOW)
    assert signed["proof"]["@context"] == DOCUMENT["@context"]
    assert signed["proof"]["created"] == "2023-11-14T22:13:20Z"
    assert "proof" not in DOCUMENT  # the input is not modified
    proof = verify_proof(signed, ed_key.public_key(), now=NOW)
    assert (proof.verification_method, proof.proof_purpose, proof.created) == (
        METHOD,
        "assertionMethod",
        NOW,
    )
    assert issubclass(ProofError, SignatureError)


def test_document_without_context(ed_key: ed25519.Ed25519PrivateKey) -> None:
    plain = {"id": "https://our.example/x", "type": "Note"}
    signed = create_proof(plain, ed_key, verification_method=METHOD, created=NOW)
    assert "@context" not in signed["proof"]
    verify_proof(signed, ed_key.public_key())


def test_refusals(ed_key: ed25519.Ed25519PrivateKey, rsa_key: rsa.RSAPrivateKey) -> None:
    signed = create_proof(DOCUMENT, ed_key, verification_method=METHOD, created=NOW)
    public = ed_key.public_key()
    assert reason_of(dict(DOCUMENT), public) == "proof_missing"
    assert reason_of({**signed, "proof": [signed["proof"]]}, public) == "proof_malformed"
    assert reason_of(signed, rsa_key.public_key()) == "key_rejected"
    assert reason_of(signed, public, now=NOW - 7200) == "stale"  # created in the future
    other = ed25519.Ed25519PrivateKey.generate().public_key()
    assert reason_of(signed, other) == "bad_signature"
    for field, value, reason in [
        ("proofValue", 42, "proof_malformed"),
        ("created", "yesterday", "proof_malformed"),
        ("created", "2023-11-14T22:13:20", "proof_malformed"),  # no time zone
        ("type", "Ed25519Signature2020", "unsupported_algorithm"),
        ("expires", "2023-11-14T22:00:00Z", "expired"),
    ]:
        broken = copy.deepcopy(signed)
        broken["proof"][field] = value
        assert reason_of(broken, public) == reason, field


def test_values_jcs_cannot_represent(ed_key: ed25519.Ed25519PrivateKey) -> None:
    with pytest.raises(ProofError, match="proof_malformed"):
        create_proof({**DOCUMENT, "big": 2**60}, ed_key, verification_method=METHOD, created=NOW)


def test_a_second_proof_is_not_added(ed_key: ed25519.Ed25519PrivateKey) -> None:
    signed = create_proof(DOCUMENT, ed_key, verification_method=METHOD, created=NOW)
    with pytest.raises(ValueError, match="already"):
        create_proof(signed, ed_key, verification_method=METHOD, created=NOW)
