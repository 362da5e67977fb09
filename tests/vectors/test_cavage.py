"""draft-cavage Appendix C: signing strings, byte-exact signatures, and our inbox policy on them."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from federation.keys import PrivateKey, PublicKey, load_private_key, load_public_key
from federation.signatures import (
    SignatureError,
    SignedRequest,
    parse_http_date,
    parse_incoming,
    verify_claim,
)
from federation.signatures.cavage import (
    parse_params,
    read_claim,
    sign_request,
    signing_string,
    verify_signature,
)
from federation.signatures.digest import digest_header

FILE = "cavage-appendix-c.json"
DATE = parse_http_date("Sun, 05 Jan 2014 21:31:40 GMT")  # the Date of the sample request


@pytest.fixture(scope="module")
def data(vector: Callable[[str], Any]) -> Any:
    return vector(FILE)


@pytest.fixture(scope="module")
def public_key(data: Any) -> PublicKey:
    return load_public_key(data["key"]["public_key_pem"])


@pytest.fixture(scope="module")
def private_key(data: Any) -> PrivateKey:
    return load_private_key(data["key"]["private_key_pem"])


@pytest.fixture(scope="module")
def appendix_request(data: Any) -> Callable[..., SignedRequest]:
    """The Appendix C sample POST, with optional extra field lines (the signature under test)."""

    def build(extra: list[tuple[str, str]] | None = None) -> SignedRequest:
        req = data["request"]
        headers = [(name, value) for name, value in req["headers"]] + (extra or [])
        url = "https://example.com" + req["path_and_query"]
        return SignedRequest.build(req["method"], url, headers, req["body"].encode())

    return build


def covered_of(case: dict[str, Any]) -> list[str]:
    # No headers parameter: draft-10 (and Mastodon) sign "date" for rsa-sha256.
    return case["params"].get("headers", "date").split()


def test_request_digest_matches_body(data: Any) -> None:
    body = data["request"]["body"].encode()
    assert digest_header(body) == "SHA-256=" + data["request"]["body_sha256_base64"]


def test_key_is_the_1024_bit_one(data: Any, public_key: PublicKey) -> None:
    assert isinstance(public_key, rsa.RSAPublicKey)
    assert public_key.key_size == data["key"]["bits"] == 1024


@pytest.mark.vector_cases(FILE, "draft_10", "tests")
def test_signing_string_is_reproduced(
    appendix_request: Callable[..., SignedRequest], case: dict[str, Any]
) -> None:
    assert signing_string(appendix_request(), covered_of(case)).decode() == case["signing_string"]


@pytest.mark.vector_cases(FILE, "draft_10", "tests")
def test_signature_is_reproduced_byte_for_byte(
    appendix_request: Callable[..., SignedRequest], case: dict[str, Any], private_key: PrivateKey
) -> None:
    added = sign_request(
        appendix_request(),
        key_id="Test",
        private_key=private_key,
        now=DATE,
        covered=covered_of(case),
    )
    assert [name for name, _ in added] == ["Signature"]  # Host, Date, Digest were all present
    produced = parse_params(added[0][1])
    assert produced["signature"] == case["params"]["signature"]
    if "headers" in case["params"]:  # same parameter order as the draft: the whole field matches
        assert added[0][1] == case["signature_header"]


@pytest.mark.vector_cases(FILE, "draft_10", "tests")
@pytest.mark.parametrize("form", ["signature_header", "authorization_header"])
def test_signature_verifies_with_public_key(
    appendix_request: Callable[..., SignedRequest],
    case: dict[str, Any],
    form: str,
    public_key: PublicKey,
) -> None:
    name = "Signature" if form == "signature_header" else "Authorization"
    request = appendix_request([(name, case[form])])
    claim = read_claim(request)
    assert (claim.key_id, claim.algorithm, list(claim.covered)) == (
        "Test",
        "rsa-sha256",
        covered_of(case),
    )
    verify_signature(claim, request, public_key, min_rsa_bits=1024)


@pytest.mark.vector_cases(FILE, "draft_10", "tests")
def test_default_policy_refuses_the_1024_bit_key(
    appendix_request: Callable[..., SignedRequest], case: dict[str, Any], public_key: PublicKey
) -> None:
    request = appendix_request([("Signature", case["signature_header"])])
    with pytest.raises(SignatureError) as refused:
        verify_signature(read_claim(request), request, public_key)
    assert refused.value.reason == "key_rejected"


# Our inbox policy on the same POST: only C.3 signs (request-target), host, date and digest.
POLICY = {
    "Default Test": "insufficient_coverage",
    "Basic Test": "insufficient_coverage",  # a POST whose digest is not signed
    "All Headers Test": None,
}


@pytest.mark.vector_cases(FILE, "draft_10", "tests")
def test_inbox_policy(
    appendix_request: Callable[..., SignedRequest], case: dict[str, Any], public_key: PublicKey
) -> None:
    request = appendix_request([("Signature", case["signature_header"])])
    expected = POLICY[case["name"]]
    if expected is None:
        claim = parse_incoming(request, now=DATE + 60)
        verify_claim(claim, request, public_key, DATE + 60, min_rsa_bits=1024)
        with pytest.raises(SignatureError, match="stale"):  # the same request two hours later
            verify_claim(claim, request, public_key, DATE + 7200, min_rsa_bits=1024)
    else:
        with pytest.raises(SignatureError) as refused:
            parse_incoming(request, now=DATE)
        assert refused.value.reason == expected


@pytest.mark.vector_cases(FILE, "draft_12", "tests")
def test_draft_12(
    appendix_request: Callable[..., SignedRequest],
    case: dict[str, Any],
    public_key: PublicKey,
    private_key: PrivateKey,
) -> None:
    """C.1 and C.2 are unchanged from draft-10. C.3 is `verified: false`: its headers list names
    (created) (expires) but its signature covers only the printed six lines, and draft-12 §2.3
    forbids (created) with rsa-sha256. What is testable: the signature is valid over the printed
    string, and our parser refuses the header as sent."""
    request = appendix_request([("Signature", case["signature_header"])])
    signature = base64.b64decode(case["params"]["signature"])
    data = case["signing_string"].encode()
    assert isinstance(public_key, rsa.RSAPublicKey)
    assert isinstance(private_key, rsa.RSAPrivateKey)
    public_key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
    assert private_key.sign(data, padding.PKCS1v15(), hashes.SHA256()) == signature
    if case.get("verified") is False:
        assert case["headers_param_matches_signing_string"] is False
        with pytest.raises(SignatureError) as refused:
            read_claim(request)
        assert refused.value.reason == "created_with_rsa_sha256"
        printed = case["signing_string"].splitlines()
        covered = [line.split(": ", 1)[0] for line in printed]
        assert signing_string(request, covered).decode() == case["signing_string"]
    else:
        verify_signature(read_claim(request), request, public_key, min_rsa_bits=1024)
        assert list(read_claim(request).covered) == covered_of(case)
