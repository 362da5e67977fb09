"""Key material for the signature layer: cached PEM loading, Multikey, key-type algorithms.

Sits under ``federation.signatures``: actors hand us ``publicKeyPem`` / ``publicKeyMultibase``
strings, we turn them into ``cryptography`` key objects once and say which algorithm each key
may be verified with. Key *generation* is elsewhere (``commonsnode.keys``).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

PublicKey = rsa.RSAPublicKey | ed25519.Ed25519PublicKey
PrivateKey = rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey
Scheme = Literal["cavage", "rfc9421"]

#: RSA moduli outside this range are refused: small ones are forgeable, huge ones make each
#: verification a CPU-exhaustion lever for whoever publishes the key.
MIN_RSA_BITS = 2048
MAX_RSA_BITS = 8192

_PUBLIC_CACHE_SIZE = 4096
_PRIVATE_CACHE_SIZE = 64

# Multicodec varint prefixes (multiformats table): ed25519-pub 0xed, rsa-pub 0x1205,
# ed25519-priv 0x1300.
_ED25519_PUB = b"\xed\x01"
_RSA_PUB = b"\x85\x24"
_ED25519_PRIV = b"\x80\x26"

_B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58_ALPHABET)}


class UnsupportedKeyError(ValueError):
    """The key cannot be parsed, is of a type we do not verify with, or breaks the size policy."""


@lru_cache(maxsize=_PUBLIC_CACHE_SIZE)
def load_public_key(pem: str) -> PublicKey:
    """Parse an SPKI (``PUBLIC KEY``) or PKCS#1 (``RSA PUBLIC KEY``) PEM, memoised by its text.

    Remote actors' keys arrive as text on every request; parsing them each time would cost more
    than the verification itself. The LRU is bounded so hostile key churn cannot grow memory.
    """
    try:
        key = serialization.load_pem_public_key(pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError, TypeError) as exc:
        raise UnsupportedKeyError("unparsable public key PEM") from exc
    if not isinstance(key, rsa.RSAPublicKey | ed25519.Ed25519PublicKey):
        raise UnsupportedKeyError(f"unsupported public key type {type(key).__name__}")
    return key


@lru_cache(maxsize=_PRIVATE_CACHE_SIZE)
def load_private_key(pem: str) -> PrivateKey:
    """Parse an unencrypted PKCS#1/PKCS#8 private key PEM once (an RSA load costs ~45 ms)."""
    try:
        key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
    except (ValueError, UnicodeEncodeError, TypeError) as exc:
        raise UnsupportedKeyError("unparsable private key PEM") from exc
    if not isinstance(key, rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey):
        raise UnsupportedKeyError(f"unsupported private key type {type(key).__name__}")
    return key


def algorithm_for(
    key: PublicKey | PrivateKey,
    *,
    scheme: Scheme,
    declared: str | None = None,
    min_rsa_bits: int = MIN_RSA_BITS,
) -> str:
    """Return the one algorithm this key may be used with; ``declared`` can only narrow it.

    The key type decides (algorithm-confusion defence): a request can never make us verify an
    RSA key with HMAC, or an Ed25519 key as RSA. ``declared`` is the cavage ``algorithm`` or the
    RFC 9421 ``alg`` parameter; a value that contradicts the key is refused, not ignored.
    """
    if isinstance(key, rsa.RSAPublicKey | rsa.RSAPrivateKey):
        if not min_rsa_bits <= key.key_size <= MAX_RSA_BITS:
            raise UnsupportedKeyError(f"RSA key of {key.key_size} bits is outside policy")
        if scheme == "cavage" and declared in (None, "hs2019", "rsa-sha256"):
            return "rsa-sha256"
        if scheme == "rfc9421" and declared in (None, "rsa-v1_5-sha256"):
            return "rsa-v1_5-sha256"
        if scheme == "rfc9421" and declared == "rsa-pss-sha512":
            return "rsa-pss-sha512"
    elif isinstance(key, ed25519.Ed25519PublicKey | ed25519.Ed25519PrivateKey):
        if scheme == "cavage" and declared in (None, "hs2019"):
            return "ed25519"
        if scheme == "rfc9421" and declared in (None, "ed25519"):
            return "ed25519"
    else:
        raise UnsupportedKeyError(f"unsupported key type {type(key).__name__}")
    raise UnsupportedKeyError(f"algorithm {declared!r} is not permitted for this key ({scheme})")


def multibase_encode(data: bytes) -> str:
    """Multibase base58btc (``z`` prefix), the encoding of Multikeys and ``proofValue``."""
    number = int.from_bytes(data, "big")
    chars: list[str] = []
    while number:
        number, rest = divmod(number, 58)
        chars.append(_B58_ALPHABET[rest])
    zeros = len(data) - len(data.lstrip(b"\x00"))
    return "z" + "1" * zeros + "".join(reversed(chars))


def multibase_decode(text: str) -> bytes:
    """Inverse of :func:`multibase_encode`; anything but base58btc raises ``ValueError``."""
    if not text.startswith("z"):
        raise ValueError("only base58btc multibase ('z' prefix) is supported")
    body = text[1:]
    number = 0
    for char in body:
        digit = _B58_INDEX.get(char)
        if digit is None:
            raise ValueError(f"invalid base58btc character {char!r}")
        number = number * 58 + digit
    zeros = len(body) - len(body.lstrip("1"))
    payload = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\x00" * zeros + payload


def encode_multikey(key: PublicKey) -> str:
    """FEP-521a ``publicKeyMultibase`` for an Ed25519 or RSA public key."""
    if isinstance(key, ed25519.Ed25519PublicKey):
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return multibase_encode(_ED25519_PUB + raw)
    if isinstance(key, rsa.RSAPublicKey):
        der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
        return multibase_encode(_RSA_PUB + der)
    raise UnsupportedKeyError(f"unsupported key type {type(key).__name__}")


@lru_cache(maxsize=_PUBLIC_CACHE_SIZE)
def decode_multikey(value: str) -> PublicKey:
    """Parse a FEP-521a ``publicKeyMultibase`` (Ed25519 or RSA PKCS#1), memoised like PEMs."""
    try:
        data = multibase_decode(value)
    except ValueError as exc:
        raise UnsupportedKeyError(str(exc)) from exc
    if data.startswith(_ED25519_PUB) and len(data) == 34:
        return ed25519.Ed25519PublicKey.from_public_bytes(data[2:])
    if data.startswith(_RSA_PUB):
        der = data[2:]
        try:
            key = serialization.load_der_public_key(der)
        except ValueError as exc:
            raise UnsupportedKeyError("invalid RSA Multikey") from exc
        # load_der_public_key also takes SPKI; FEP-521a says PKCS#1, so insist on it exactly.
        if not isinstance(key, rsa.RSAPublicKey) or der != key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.PKCS1
        ):
            raise UnsupportedKeyError("RSA Multikey must hold a PKCS#1 RSAPublicKey")
        return key
    raise UnsupportedKeyError("unsupported or malformed Multikey")


def decode_private_multikey(value: str) -> ed25519.Ed25519PrivateKey:
    """Parse an Ed25519 ``secretKeyMultibase`` (``0x80 0x26`` + 32-byte seed), as in the vectors."""
    try:
        data = multibase_decode(value)
    except ValueError as exc:
        raise UnsupportedKeyError(str(exc)) from exc
    if not (data.startswith(_ED25519_PRIV) and len(data) == 34):
        raise UnsupportedKeyError("not an Ed25519 secret Multikey")
    return ed25519.Ed25519PrivateKey.from_private_bytes(data[2:])
