"""FEP-8b32 Object Integrity Proofs (eddsa-jcs-2022) and the W3C vc-di-eddsa intermediate values."""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
import rfc8785

from federation.keys import (
    decode_multikey,
    decode_private_multikey,
    encode_multikey,
    multibase_encode,
)
from federation.signatures.proofs import ProofError, create_proof, verify_proof

FILE = "fep-8b32.json"
VCDI = "vc-di-eddsa-jcs-2022.json"


def timestamp(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


@pytest.mark.vector_cases(FILE, "vectors")
def test_proof_is_reproduced(case: dict[str, Any]) -> None:
    private_key = decode_private_multikey(case["secret_key_multibase"])
    assert encode_multikey(private_key.public_key()) == case["public_key_multibase"]
    (method,) = case["actor"]["assertionMethod"]
    assert (method["id"], method["publicKeyMultibase"]) == (
        case["verification_method"],
        case["public_key_multibase"],
    )
    signed = create_proof(
        case["unsigned_document"],
        private_key,
        verification_method=case["verification_method"],
        created=timestamp(case["current_time"]),
    )
    assert signed == case["signed_document"]
    assert signed["proof"]["proofValue"] == case["expected_proof_value"]


@pytest.mark.vector_cases(FILE, "vectors")
def test_proof_verifies_with_the_actor_multikey(case: dict[str, Any]) -> None:
    key = decode_multikey(case["actor"]["assertionMethod"][0]["publicKeyMultibase"])
    now = timestamp(case["current_time"])
    proof = verify_proof(case["signed_document"], key, now=now)
    assert proof.verification_method == case["verification_method"]
    assert proof.proof_purpose == "assertionMethod"
    assert proof.created == now


def _altered(document: dict[str, Any], path: list[str], value: Any) -> dict[str, Any]:
    altered = copy.deepcopy(document)
    target = altered
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return altered


@pytest.mark.vector_cases(FILE, "vectors")
@pytest.mark.parametrize(
    ("path", "value", "reason"),
    [
        (["object", "content"], "Goodbye world", "bad_signature"),
        (["actor"], "https://server.example/users/mallory", "bad_signature"),
        (["proof", "created"], "2023-02-24T23:36:39Z", "bad_signature"),  # altered options
        (["proof", "verificationMethod"], "https://evil.example/k", "bad_signature"),
        (["proof", "proofPurpose"], "authentication", "proof_purpose"),
        (["proof", "cryptosuite"], "eddsa-rdfc-2022", "unsupported_algorithm"),
        (["proof", "@context"], ["https://evil.example/context"], "proof_malformed"),
        (["proof", "@context"], ["https://www.w3.org/ns/activitystreams"], "bad_signature"),
        (["proof", "proofValue"], "z0OIl", "proof_malformed"),
        (["proof", "expires"], "2023-02-24T23:40:00Z", "expired"),
    ],
)
def test_tampering_is_refused(
    case: dict[str, Any], path: list[str], value: Any, reason: str
) -> None:
    key = decode_multikey(case["public_key_multibase"])
    altered = _altered(case["signed_document"], path, value)
    with pytest.raises(ProofError) as refused:
        verify_proof(altered, key, now=timestamp("2023-03-01T00:00:00Z"))
    assert refused.value.reason == reason


def test_vc_di_eddsa_intermediate_values(vector: Callable[[str], Any]) -> None:
    v = vector(VCDI)
    canonical_document = rfc8785.dumps(v["unsigned_document"])
    assert canonical_document.decode() == v["canonical_document"]
    document_hash = hashlib.sha256(canonical_document).digest()
    assert document_hash.hex() == v["document_hash_hex"]
    canonical_options = rfc8785.dumps(v["proof_options"])
    assert canonical_options.decode() == v["canonical_proof_options"]
    options_hash = hashlib.sha256(canonical_options).digest()
    assert options_hash.hex() == v["proof_options_hash_hex"]
    assert (options_hash + document_hash).hex() == v["combined_hash_hex"]
    private_key = decode_private_multikey(v["key_pair"]["privateKeyMultibase"])
    assert encode_multikey(private_key.public_key()) == v["key_pair"]["publicKeyMultibase"]
    signature = private_key.sign(options_hash + document_hash)
    assert signature.hex() == v["signature_hex"]
    assert multibase_encode(signature) == v["proof_value"]


def test_vc_di_eddsa_signed_document(vector: Callable[[str], Any]) -> None:
    v = vector(VCDI)
    private_key = decode_private_multikey(v["key_pair"]["privateKeyMultibase"])
    signed = create_proof(
        v["unsigned_document"],
        private_key,
        verification_method=v["proof_options"]["verificationMethod"],
        created=timestamp(v["proof_options"]["created"]),
    )
    assert signed == v["signed_document"]
    public_key = decode_multikey(v["key_pair"]["publicKeyMultibase"])
    proof = verify_proof(v["signed_document"], public_key)
    assert proof.verification_method.startswith("did:key:z6Mkr")
