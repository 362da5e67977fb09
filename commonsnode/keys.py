"""Key pairs for actors: generated once, stored in the database, never sent anywhere."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

KeyType = Literal["rsa", "ed25519"]


@dataclass(frozen=True, slots=True)
class KeyPair:
    """PEM text of one key pair; `private_pem` is PKCS#8, `public_pem` is SPKI."""

    type: KeyType
    private_pem: str
    public_pem: str


def _pems(private: rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey) -> tuple[str, str]:
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )
    return private_pem, public_pem


def generate_rsa() -> KeyPair:
    """RSA-2048: what Mastodon and every draft-cavage peer can verify."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return KeyPair("rsa", *_pems(private))


def generate_ed25519() -> KeyPair:
    """Ed25519: for RFC 9421 signatures and FEP-8b32 object proofs (contracts, ratings)."""
    return KeyPair("ed25519", *_pems(ed25519.Ed25519PrivateKey.generate()))


def generate_actor_keys() -> tuple[KeyPair, KeyPair]:
    """The two key pairs every local actor has: RSA for HTTP signatures, Ed25519 for proofs."""
    return generate_rsa(), generate_ed25519()
