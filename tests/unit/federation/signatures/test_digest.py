"""Digest / Content-Digest: exact values out, strict parsing in."""

from __future__ import annotations

import base64
import hashlib

import pytest

from federation.signatures import SignatureError
from federation.signatures.digest import (
    DigestError,
    content_digest_header,
    digest_header,
    parse_content_digest,
    parse_digest,
    verify_content_digest,
    verify_digest,
)

BODY = b'{"hello": "world"}'
SHA256 = base64.b64encode(hashlib.sha256(BODY).digest()).decode()
SHA512 = base64.b64encode(hashlib.sha512(BODY).digest()).decode()


def test_writers() -> None:
    assert digest_header(BODY) == f"SHA-256={SHA256}"
    assert content_digest_header(BODY) == f"sha-256=:{SHA256}:"
    assert content_digest_header(BODY, "sha-512") == f"sha-512=:{SHA512}:"
    assert issubclass(DigestError, SignatureError)  # one exception type for the web layer


@pytest.mark.parametrize(
    "value",
    [
        f"SHA-256={SHA256}",
        f"sha-256={SHA256}",  # algorithm names are case-insensitive (RFC 3230)
        f"SHA-256={SHA256}, SHA-512={SHA512}",
        f"MD5=whatever-not-checked,SHA-256={SHA256}",
    ],
)
def test_digest_accepted(value: str) -> None:
    verify_digest(value, BODY)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (f"SHA-512={SHA512}", "digest_sha256_missing"),
        ("MD5=Sd/dVLAcvNLSq16eXua5uQ==", "digest_sha256_missing"),
        (f"SHA-256={SHA256[:-1]}", "digest_malformed"),  # padding missing
        (f"SHA-256={SHA256}=", "digest_malformed"),  # padding doubled
        (f"SHA-256={SHA256[:-2]}B=", "digest_malformed"),  # non-canonical trailing bits
        ("SHA-256=" + "A" * 44, "digest_malformed"),  # not 32 bytes
        (f"SHA-256=:{SHA256}:", "digest_malformed"),  # the RFC 9530 form in the wrong header
        (f"SHA-256={SHA256},SHA-256={SHA256}", "digest_malformed"),
        (f"SHA-256={SHA256},", "digest_malformed"),
        ("SHA-256", "digest_malformed"),
        ("", "digest_malformed"),
        (digest_header(b"other"), "digest_mismatch"),
        (f"SHA-256={SHA256}, SHA-512={base64.b64encode(b'0' * 64).decode()}", "digest_mismatch"),
    ],
)
def test_digest_refused(value: str, reason: str) -> None:
    with pytest.raises(DigestError) as refused:
        verify_digest(value, BODY)
    assert refused.value.reason == reason


def test_parse_digest_keeps_only_sha2() -> None:
    assert set(parse_digest(f"SHA-256={SHA256}, UNIXsum=30637")) == {"sha-256"}


@pytest.mark.parametrize(
    "value",
    [
        f"sha-256=:{SHA256}:",
        f"sha-512=:{SHA512}:",
        f"sha-256=:{SHA256}:, sha-512=:{SHA512}:",
        f"  sha-256=:{SHA256}:,sha-512=:{SHA512}:  ",
        f"md5=:Sd/dVLAcvNLSq16eXua5uQ==:, sha-256=:{SHA256}:",
    ],
)
def test_content_digest_accepted(value: str) -> None:
    verify_content_digest(value, BODY)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (f"SHA-256=:{SHA256}:", "digest_malformed"),  # keys are lower case (RFC 8941)
        (f"sha-256={SHA256}", "digest_malformed"),  # not a byte sequence
        (f"sha-256=:{SHA256}:;p=1", "digest_malformed"),  # parameters: not in RFC 9530
        (f"sha-256=:{SHA256}:,", "digest_malformed"),
        (f"sha-256=:{SHA256}:, sha-256=:{SHA256}:", "digest_malformed"),
        (f"sha-256=:{SHA256[:-1]}:", "digest_malformed"),
        ("sha-256", "digest_malformed"),
        ("md5=:Sd/dVLAcvNLSq16eXua5uQ==:", "digest_unsupported"),
        (content_digest_header(b"other"), "digest_mismatch"),
        (f"sha-256=:{SHA256}:, {content_digest_header(b'x', 'sha-512')}", "digest_mismatch"),
    ],
)
def test_content_digest_refused(value: str, reason: str) -> None:
    with pytest.raises(DigestError) as refused:
        verify_content_digest(value, BODY)
    assert refused.value.reason == reason


def test_parse_content_digest_members() -> None:
    found = parse_content_digest(f"sha-512=:{SHA512}:, sha-256=:{SHA256}:")
    assert found == {
        "sha-512": hashlib.sha512(BODY).digest(),
        "sha-256": hashlib.sha256(BODY).digest(),
    }
