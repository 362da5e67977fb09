"""Body digests that signatures cover: ``Digest`` (RFC 3230, cavage), ``Content-Digest`` (RFC 9530).

A signature covers the digest header, not the body; this module ties the header to the exact
body bytes. Parsing is strict on purpose: a value we would read differently from the sender
(sloppy base64, wrong length, duplicate members) is refused rather than guessed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from typing import Literal

from federation.signatures import SignatureError

ContentDigestAlgorithm = Literal["sha-256", "sha-512"]

_HASHES = {
    "sha-256": hashlib.sha256,
    "sha-512": hashlib.sha512,
}
_SIZES = {"sha-256": 32, "sha-512": 64}
_B64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
# RFC 8941 dictionary member restricted to what RFC 9530 uses: key=:byte-sequence:
_SF_MEMBER = re.compile(r"([a-z*][a-z0-9_.*-]*)=:([A-Za-z0-9+/=]*):")
_SF_SEPARATOR = re.compile(r"[ \t]*,[ \t]*")


class DigestError(SignatureError):
    """A digest header is malformed, lacks a usable algorithm, or does not match the body."""


def digest_header(body: bytes) -> str:
    """``Digest`` value for outgoing cavage requests: ``SHA-256=<base64>``."""
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode("ascii")


def content_digest_header(body: bytes, algorithm: ContentDigestAlgorithm = "sha-256") -> str:
    """``Content-Digest`` value for outgoing RFC 9421 requests: ``sha-256=:<base64>:``."""
    raw = _HASHES[algorithm](body).digest()
    return f"{algorithm}=:{base64.b64encode(raw).decode('ascii')}:"


def _strict_b64(text: str, algorithm: str) -> bytes:
    """Decode canonical padded base64 of exactly the digest size, or raise ``DigestError``."""
    if not _B64.fullmatch(text) or len(text) % 4:
        raise DigestError("digest_malformed", f"{algorithm} value is not padded base64")
    raw = base64.b64decode(text, validate=True)
    if len(raw) != _SIZES[algorithm] or base64.b64encode(raw).decode("ascii") != text:
        raise DigestError("digest_malformed", f"{algorithm} value is not a canonical digest")
    return raw


def parse_digest(value: str) -> dict[str, bytes]:
    """Parse an RFC 3230 ``Digest`` field; returns the SHA-256/SHA-512 members by lower-case name.

    Other algorithms (MD5, UNIXsum, ...) are skipped without being trusted.
    """
    found: dict[str, bytes] = {}
    seen: set[str] = set()
    for member in value.split(","):
        name, eq, encoded = member.strip(" \t").partition("=")
        algorithm = name.lower()
        if not eq or not algorithm or not encoded:
            raise DigestError("digest_malformed", "expected algorithm=value members")
        if algorithm in seen:
            raise DigestError("digest_malformed", f"duplicate {algorithm} member")
        seen.add(algorithm)
        if algorithm in _SIZES:
            found[algorithm] = _strict_b64(encoded, algorithm)
    return found


def parse_content_digest(value: str) -> dict[str, bytes]:
    """Parse an RFC 9530 ``Content-Digest`` dictionary; returns its SHA-256/SHA-512 members.

    Only ``key=:bytes:`` members are allowed (no parameters, no bare keys); other algorithms
    must be well-formed but are skipped.
    """
    text = value.strip(" ")
    found: dict[str, bytes] = {}
    seen: set[str] = set()
    position = 0
    while True:
        match = _SF_MEMBER.match(text, position)
        if match is None:
            raise DigestError("digest_malformed", "not an RFC 9530 digest dictionary")
        algorithm, encoded = match.groups()
        if algorithm in seen:
            raise DigestError("digest_malformed", f"duplicate {algorithm} member")
        seen.add(algorithm)
        if algorithm in _SIZES:
            found[algorithm] = _strict_b64(encoded, algorithm)
        position = match.end()
        if position == len(text):
            return found
        separator = _SF_SEPARATOR.match(text, position)
        if separator is None or separator.end() == len(text):
            raise DigestError("digest_malformed", "bad separator in digest dictionary")
        position = separator.end()


def _check(found: dict[str, bytes], body: bytes) -> None:
    for algorithm, expected in found.items():
        if not hmac.compare_digest(expected, _HASHES[algorithm](body).digest()):
            raise DigestError("digest_mismatch", f"{algorithm} does not match the body")


def verify_digest(value: str, body: bytes) -> None:
    """Check a cavage ``Digest`` against the body; a SHA-256 member is mandatory.

    SHA-512 alone is refused (security.md): peers all send SHA-256, and accepting whatever
    the sender picks invites downgrade games.
    """
    found = parse_digest(value)
    if "sha-256" not in found:
        raise DigestError("digest_sha256_missing", "Digest carries no SHA-256 member")
    _check(found, body)


def verify_content_digest(value: str, body: bytes) -> None:
    """Check an RFC 9530 ``Content-Digest``: SHA-256 or SHA-512 required, all present must match."""
    found = parse_content_digest(value)
    if not found:
        raise DigestError("digest_unsupported", "no sha-256 or sha-512 member")
    _check(found, body)
