"""federation.keys: cached PEM loading, the key-type → algorithm rule, Multikey helpers."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from federation.keys import (
    MAX_RSA_BITS,
    UnsupportedKeyError,
    algorithm_for,
    decode_multikey,
    decode_private_multikey,
    encode_multikey,
    load_private_key,
    load_public_key,
    multibase_decode,
    multibase_encode,
)


def pem(
    key: rsa.RSAPublicKey | ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey, fmt: str = "spki"
) -> str:
    form = (
        serialization.PublicFormat.PKCS1
        if fmt == "pkcs1"
        else serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return key.public_bytes(serialization.Encoding.PEM, form).decode()


def test_public_pem_is_parsed_once(rsa_key: rsa.RSAPrivateKey) -> None:
    text = pem(rsa_key.public_key())
    first = load_public_key(text)
    assert load_public_key(text) is first  # memoised by the PEM text
    assert load_public_key.cache_info().maxsize == 4096  # bounded
    assert first.public_numbers() == rsa_key.public_key().public_numbers()  # type: ignore[union-attr]


def test_pkcs1_public_pem(rsa_key: rsa.RSAPrivateKey) -> None:
    text = pem(rsa_key.public_key(), "pkcs1")
    assert text.startswith("-----BEGIN RSA PUBLIC KEY-----")
    assert isinstance(load_public_key(text), rsa.RSAPublicKey)


@pytest.mark.parametrize(
    "text", ["", "not a key", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "é"]
)
def test_garbage_pem(text: str) -> None:
    with pytest.raises(UnsupportedKeyError):
        load_public_key(text)


def test_other_key_types_are_refused() -> None:
    ec_key = ec.generate_private_key(ec.SECP256R1())
    with pytest.raises(UnsupportedKeyError):
        load_public_key(pem(ec_key.public_key()))
    private_pem = ec_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    with pytest.raises(UnsupportedKeyError):
        load_private_key(private_pem)
    with pytest.raises(UnsupportedKeyError):
        algorithm_for(ec_key.public_key(), scheme="rfc9421")  # type: ignore[arg-type]


def test_private_pem_is_parsed_once(ed_key: ed25519.Ed25519PrivateKey) -> None:
    text = ed_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    assert load_private_key(text) is load_private_key(text)
    with pytest.raises(UnsupportedKeyError):
        load_private_key("nope")


@pytest.mark.parametrize(
    ("kind", "scheme", "declared", "expected"),
    [
        ("rsa", "cavage", None, "rsa-sha256"),
        ("rsa", "cavage", "hs2019", "rsa-sha256"),
        ("rsa", "cavage", "rsa-sha256", "rsa-sha256"),
        ("rsa", "cavage", "hmac-sha256", None),
        ("rsa", "cavage", "ed25519", None),
        ("rsa", "rfc9421", None, "rsa-v1_5-sha256"),
        ("rsa", "rfc9421", "rsa-v1_5-sha256", "rsa-v1_5-sha256"),
        ("rsa", "rfc9421", "rsa-pss-sha512", "rsa-pss-sha512"),
        ("rsa", "rfc9421", "ed25519", None),
        ("rsa", "rfc9421", "hmac-sha256", None),
        ("ed", "cavage", None, "ed25519"),
        ("ed", "cavage", "hs2019", "ed25519"),
        ("ed", "cavage", "rsa-sha256", None),
        ("ed", "rfc9421", None, "ed25519"),
        ("ed", "rfc9421", "ed25519", "ed25519"),
        ("ed", "rfc9421", "rsa-v1_5-sha256", None),
    ],
)
def test_algorithm_follows_the_key(
    rsa_key: rsa.RSAPrivateKey,
    ed_key: ed25519.Ed25519PrivateKey,
    kind: str,
    scheme: str,
    declared: str | None,
    expected: str | None,
) -> None:
    keys = {"rsa": rsa_key, "ed": ed_key}
    for key in (keys[kind], keys[kind].public_key()):
        if expected is None:
            with pytest.raises(UnsupportedKeyError):
                algorithm_for(key, scheme=scheme, declared=declared)  # type: ignore[arg-type]
        else:
            assert algorithm_for(key, scheme=scheme, declared=declared) == expected  # type: ignore[arg-type]


def test_rsa_size_policy() -> None:
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()
    with pytest.raises(UnsupportedKeyError, match="1024"):
        algorithm_for(small, scheme="cavage")
    assert algorithm_for(small, scheme="cavage", min_rsa_bits=1024) == "rsa-sha256"
    huge = rsa.RSAPublicNumbers(65537, (1 << (MAX_RSA_BITS + 8)) + 1).public_key()
    with pytest.raises(UnsupportedKeyError):
        algorithm_for(huge, scheme="cavage")


def test_multikeys(rsa_key: rsa.RSAPrivateKey, ed_key: ed25519.Ed25519PrivateKey) -> None:
    for key in (rsa_key.public_key(), ed_key.public_key()):
        value = encode_multikey(key)
        assert value.startswith("z6Mk" if isinstance(key, ed25519.Ed25519PublicKey) else "z4MX")
        assert decode_multikey(value) is decode_multikey(value)  # memoised too
        assert encode_multikey(decode_multikey(value)) == value
    with pytest.raises(UnsupportedKeyError):
        encode_multikey(ec.generate_private_key(ec.SECP256R1()).public_key())  # type: ignore[arg-type]


def test_private_multikey(ed_key: ed25519.Ed25519PrivateKey) -> None:
    seed = ed_key.private_bytes_raw()
    value = multibase_encode(b"\x80\x26" + seed)
    assert decode_private_multikey(value).private_bytes_raw() == seed
    for bad in (
        multibase_encode(b"\xed\x01" + seed),
        multibase_encode(b"\x80\x26" + seed[:31]),
        "m" + value[1:],
    ):
        with pytest.raises(UnsupportedKeyError):
            decode_private_multikey(bad)


def test_base58btc() -> None:
    assert multibase_encode(b"hello world") == "zStV1DL6CwTryKyV"  # the base58 reference example
    assert multibase_decode("zStV1DL6CwTryKyV") == b"hello world"
    with pytest.raises(ValueError, match="base58btc"):
        multibase_decode("uaGVsbG8")
