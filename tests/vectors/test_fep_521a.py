"""FEP-521a Multikey: Ed25519 and RSA public keys to and from ``publicKeyMultibase``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from federation.keys import (
    UnsupportedKeyError,
    decode_multikey,
    encode_multikey,
    multibase_decode,
    multibase_encode,
)

FILE = "fep-521a.json"


@pytest.mark.vector_cases(FILE, "vectors")
def test_multikey_round_trip(case: dict[str, Any]) -> None:
    expected = case["expected_multikey"]
    assert expected["type"] == "Multikey"
    assert expected["controller"] == case["actor_id"]
    assert expected["id"].startswith(case["actor_id"] + "#")
    if case["key_type"] == "Ed25519":
        raw = bytes.fromhex(case["public_key_hex"])
        key: Any = ed25519.Ed25519PublicKey.from_public_bytes(raw)
        assert expected["publicKeyMultibase"].startswith("z6Mk")
    else:
        raw = bytes.fromhex(case["public_key_pkcs1_der_hex"])
        key = serialization.load_der_public_key(raw)
        assert isinstance(key, rsa.RSAPublicKey)
        assert key.key_size == 2048
        assert expected["publicKeyMultibase"].startswith("z4MX")
    assert encode_multikey(key) == expected["publicKeyMultibase"]
    decoded = decode_multikey(expected["publicKeyMultibase"])
    assert encode_multikey(decoded) == expected["publicKeyMultibase"]
    if isinstance(decoded, ed25519.Ed25519PublicKey):
        assert decoded.public_bytes_raw() == raw
    else:
        assert (
            decoded.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
            == raw
        )


def test_actor_example_key_is_the_proof_key(vector: Callable[[str], Any]) -> None:
    """The FEP's actor example carries the Ed25519 key of the FEP-8b32 and vc-di vectors."""
    actor = vector(FILE)["actor_example"]["document"]
    (method,) = actor["assertionMethod"]
    assert method["controller"] == actor["id"]
    key = decode_multikey(method["publicKeyMultibase"])
    assert isinstance(key, ed25519.Ed25519PublicKey)
    assert (
        method["publicKeyMultibase"]
        == vector("fep-8b32.json")["vectors"][0]["public_key_multibase"]
    )


def test_rsa_multikey_must_hold_pkcs1_not_spki(vector: Callable[[str], Any]) -> None:
    case = vector(FILE)["vectors"][1]
    key = serialization.load_der_public_key(bytes.fromhex(case["public_key_pkcs1_der_hex"]))
    spki = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with pytest.raises(UnsupportedKeyError):
        decode_multikey(multibase_encode(b"\x85\x24" + spki))


@pytest.mark.parametrize(
    "value",
    [
        "f" + "00" * 34,  # base16 multibase: only base58btc is used by FEP-521a
        "z",
        "z0OIl",  # characters outside the base58 alphabet
        multibase_encode(b"\xed\x01" + b"\x01" * 31),  # Ed25519 key one byte short
        multibase_encode(b"\xe7\x01" + b"\x02" * 33),  # secp256k1: not a type we use
    ],
)
def test_malformed_multikeys_are_refused(value: str) -> None:
    with pytest.raises(UnsupportedKeyError):
        decode_multikey(value)


def test_multibase_keeps_leading_zero_bytes() -> None:
    for data in (b"", b"\x00", b"\x00\x00\x01", b"\x00\xff" * 20):
        assert multibase_decode(multibase_encode(data)) == data
