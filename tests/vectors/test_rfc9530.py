"""RFC 9530 digest examples: our Content-Digest writer and strict parser against every value.

Repr-Digest has the same syntax as Content-Digest, so its examples exercise the same parser.
Values the source prints wrongly (``==`` padding on a 32-byte digest) must be refused as sent and
accepted once corrected; the printed brotli bytes (``8B 08 80 …``) must not match their digest.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import zlib
from collections.abc import Callable
from typing import Any

import pytest

from federation.signatures.digest import (
    DigestError,
    content_digest_header,
    digest_header,
    parse_content_digest,
    verify_content_digest,
)

FILE = "rfc9530-examples.json"


def input_bytes(item: dict[str, Any]) -> bytes:
    if "input_hex" in item:
        return bytes.fromhex(item["input_hex"].replace(" ", ""))
    return str(item["input_utf8"]).encode()


@pytest.mark.vector_cases(FILE, "examples")
def test_example(case: dict[str, Any]) -> None:
    value = case.get("corrected_value", case["value_as_printed"])
    if "members" in case:  # §2 / B.6: each member describes its own bytes
        found = parse_content_digest(value)
        for member in case["members"]:
            algorithm = member["algorithm"]
            assert found[algorithm] == base64.b64decode(member["value"])
            verify_content_digest(f"{algorithm}=:{member['value']}:", input_bytes(member))
    else:
        body = input_bytes(case)
        verify_content_digest(value, body)
        assert content_digest_header(body, case["algorithm"]) == value
    if case.get("printed_value_is_valid") is False:
        with pytest.raises(DigestError) as refused:
            parse_content_digest(case["value_as_printed"])
        assert refused.value.reason == "digest_malformed"
    if case.get("printed_body_hex_matches_digest") is False:  # the brotli erratum
        printed = bytes.fromhex(case["printed_body_hex"].replace(" ", ""))
        with pytest.raises(DigestError, match="digest_mismatch"):
            verify_content_digest(value, printed)


def _bsd_sum(data: bytes) -> int:
    checksum = 0
    for byte in data:
        checksum = ((checksum >> 1) | ((checksum & 1) << 15)) + byte
        checksum &= 0xFFFF
    return checksum


def _posix_cksum(data: bytes) -> int:
    crc = 0
    for byte in data + len(data).to_bytes((len(data).bit_length() + 7) // 8, "little"):
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
            crc &= 0xFFFFFFFF
    return ~crc & 0xFFFFFFFF


def _crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF


CHECKSUMS: dict[str, Callable[[bytes], bytes]] = {
    "sha-512": lambda d: hashlib.sha512(d).digest(),
    "sha-256": lambda d: hashlib.sha256(d).digest(),
    "md5": lambda d: hashlib.md5(d).digest(),
    "sha": lambda d: hashlib.sha1(d).digest(),
    "unixsum": lambda d: _bsd_sum(d).to_bytes(2, "big"),
    "unixcksum": lambda d: _posix_cksum(d).to_bytes(4, "big"),
    "adler": lambda d: zlib.adler32(d).to_bytes(4, "big"),
    "crc32c": lambda d: _crc32c(d).to_bytes(4, "big"),
}


@pytest.mark.vector_cases(FILE, "appendix_d_sample_values", "values")
def test_appendix_d(case: dict[str, Any], vector: Callable[[str], Any]) -> None:
    body = vector(FILE)["appendix_d_sample_values"]["input_utf8"].encode()
    algorithm, value = case["algorithm"], case["value_as_printed"]
    assert base64.b64encode(CHECKSUMS[algorithm](body)).decode() == value.strip(":")
    field = f"{algorithm}={value}"
    if algorithm in ("sha-256", "sha-512"):
        assert content_digest_header(body, algorithm) == field
        verify_content_digest(field, body)
    else:  # well-formed but never trusted: alone it is not enough
        assert parse_content_digest(field) == {}
        with pytest.raises(DigestError, match="digest_unsupported"):
            verify_content_digest(field, body)
        verify_content_digest(f"{field}, {content_digest_header(body)}", body)


def test_appendix_d_matches_the_cavage_digest(vector: Callable[[str], Any]) -> None:
    """The same 18 bytes are the draft-cavage request body: both digest headers agree."""
    body = vector(FILE)["appendix_d_sample_values"]["input_utf8"].encode()
    cavage_body = vector("cavage-appendix-c.json")["request"]["body"].encode()
    assert body == cavage_body
    assert digest_header(body).removeprefix("SHA-256=") == content_digest_header(body)[9:-1]


def test_appendix_a_gzip_example(vector: Callable[[str], Any]) -> None:
    """No digest is printed for it; Content-Digest covers the encoded bytes, so the gzip body
    and the JSON it decodes to (B.1's representation) have different digests."""
    gzipped = bytes.fromhex(vector(FILE)["appendix_a_gzip_example"]["input_hex"].replace(" ", ""))
    decoded = gzip.decompress(gzipped)
    assert decoded == b'{"hello": "world"}\n'
    b1 = next(e for e in vector(FILE)["examples"] if e["id"] == "B.1")["value_as_printed"]
    verify_content_digest(b1, decoded)
    with pytest.raises(DigestError, match="digest_mismatch"):
        verify_content_digest(b1, gzipped)
    verify_content_digest(content_digest_header(gzipped), gzipped)
