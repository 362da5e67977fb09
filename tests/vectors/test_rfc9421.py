"""RFC 9421 Appendix B (+ §2.4, §2.5/3.2, §4.3): bases, signatures, our verifier and our policy.

The library (http-message-signatures) builds every signature base from the vector messages;
deterministic algorithms must reproduce each signature byte for byte, randomised ones (PSS,
ECDSA: ``verify_only``) are verified with the public key. Our own verifier only accepts RSA and
Ed25519 keys, and RSA-PSS only when ``alg`` names it, so PSS, ECDSA and HMAC cases are checked
at library level and shown to be refused by ours.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import http_sf
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import load_pem_private_key, load_pem_public_key
from http_message_signatures import (
    HTTPMessageSignaturesException,
    HTTPMessageSigner,
    HTTPMessageVerifier,
    HTTPSignatureAlgorithm,
    MappingKeyResolver,
    algorithms,
)

from federation.keys import UnsupportedKeyError, load_public_key
from federation.signatures import SignatureError, SignedRequest, parse_incoming
from federation.signatures.rfc9421 import read_claim, to_library_message, verify_signature

FILE = "rfc9421-appendix-b.json"
ALGORITHMS: dict[str, type[HTTPSignatureAlgorithm]] = {
    "rsa-pss-sha512": algorithms.RSA_PSS_SHA512,
    "rsa-v1_5-sha256": algorithms.RSA_V1_5_SHA256,
    "ecdsa-p256-sha256": algorithms.ECDSA_P256_SHA256,
    "ed25519": algorithms.ED25519,
    "hmac-sha256": algorithms.HMAC_SHA256,
}
# What our inbox policy says about each request case (with now = its created time).
POLICY = {
    "B.2.1": "insufficient_coverage",  # covers nothing
    "B.2.2": "insufficient_coverage",
    "B.2.3": "insufficient_coverage",  # @path/@query/@authority but no @target-uri
    "B.2.5": "insufficient_coverage",
    "B.2.6": "insufficient_coverage",
    "B.3": "insufficient_coverage",
    "B.4": "insufficient_coverage",
    "4.3-proxy_sig": "multiple_signatures",
    "4.3-sig1": "insufficient_coverage",
    "2.5/3.1/3.2": "insufficient_coverage",
    "2.4-sig1": "insufficient_coverage",
}


@dataclass
class Response:
    """A response in the shape the library resolves (``status_code`` marks it as one)."""

    status_code: int
    headers: Any
    request: Any


class NoClockVerifier(HTTPMessageVerifier):
    """Vectors are from 2021; the window is our policy's business, not this check's."""

    def validate_created_and_expires(self, sig_input: Any, max_age: Any = None) -> None:
        return None


@pytest.fixture(scope="module")
def data(vector: Callable[[str], Any]) -> Any:
    return vector(FILE)


def signed_headers(data: Any, case: dict[str, Any], name: str) -> list[tuple[str, str]]:
    """The message's field lines, plus the case's signature when the message does not carry it
    (B.2 prints one unsigned test-request/test-response and each case's fields separately)."""
    headers = [(k, v) for k, v in data["messages"][name]["headers"]]
    if case["message"] == name and not any(k.lower() == "signature" for k, _ in headers):
        headers += [("Signature-Input", case["signature_input_header"])]
        headers += [("Signature", case["signature_header"])]
    return headers


def request_of(data: Any, name: str, case: dict[str, Any] | None = None) -> SignedRequest:
    message = data["messages"][name]
    headers = signed_headers(data, case, name) if case else message["headers"]
    host = dict((k.lower(), v) for k, v in headers)["host"]
    url = message.get("target_uri") or f"https://{host}{message['start_line'].split()[1]}"
    method = message["start_line"].split()[0]
    return SignedRequest.build(method, url, headers, message["body"].encode())


def library_message(data: Any, case: dict[str, Any], label: str | None = None) -> Any:
    message = data["messages"][case["message"]]
    if message["request_or_response"] == "request":
        return to_library_message(request_of(data, case["message"], case), label=label)
    related = case.get("related_request", "test-request")
    fields = tuple(signed_headers(data, case, case["message"]))
    headers = to_library_message(SignedRequest("GET", "https://x/", fields)).headers
    status = int(message["start_line"].split()[1])
    return Response(status, headers, to_library_message(request_of(data, related)))


def public_key(data: Any, keyid: str) -> Any:
    return load_pem_public_key(data["keys"][keyid]["public_key_pem"].encode())


def signature_of(case: dict[str, Any]) -> bytes:
    members = http_sf.parse(case["signature_header"].encode(), tltype="dictionary")
    assert isinstance(members, dict)
    value = members[case["label"]][0]
    assert isinstance(value, bytes)
    return value


def prepare(data: Any, case: dict[str, Any]) -> Any:
    """Sign-side base construction by the library from the case's own parameters."""
    parsed = http_sf.parse(f"x={case['signature_params_value']}".encode(), tltype="dictionary")
    assert isinstance(parsed, dict)
    components, params = parsed["x"]
    message = library_message(data, case)
    signer = HTTPMessageSigner(signature_algorithm=ALGORITHMS[case["alg"]])
    when = {
        name: datetime.fromtimestamp(params[name], UTC)
        for name in ("created", "expires")
        if name in params
    }
    return signer.prepare(
        message,
        key_id=params["keyid"],
        nonce=params.get("nonce"),
        tag=params.get("tag"),
        include_alg="alg" in params,
        covered_component_ids=[str(http_sf.ser(item)) for item in components],
        use_existing_digest=any(k.lower() == "content-digest" for k, _ in message.headers.items()),
        **when,
    )


def test_keys_match_their_jwk(data: Any) -> None:
    for name, key in data["keys"].items():
        if key["kty"] == "oct":
            assert len(base64.b64decode(key["secret_base64"])) == 64
            continue
        jwk = key["jwk"]
        loaded = load_pem_public_key(key["public_key_pem"].encode())
        load_pem_private_key(key["private_key_pem"].encode(), password=None)
        b64 = lambda v: int.from_bytes(base64.urlsafe_b64decode(v + "=="), "big")  # noqa: E731
        if isinstance(loaded, rsa.RSAPublicKey):
            assert (loaded.public_numbers().n, loaded.public_numbers().e) == (
                b64(jwk["n"]),
                b64(jwk["e"]),
            ), name
        elif isinstance(loaded, ec.EllipticCurvePublicKey):
            assert (loaded.public_numbers().x, loaded.public_numbers().y) == (
                b64(jwk["x"]),
                b64(jwk["y"]),
            )
        else:
            assert isinstance(loaded, ed25519.Ed25519PublicKey)
            assert loaded.public_bytes_raw() == base64.urlsafe_b64decode(jwk["x"] + "=")


def test_our_loader_accepts_rsa_and_ed25519_only(data: Any) -> None:
    for name in ("test-key-rsa", "test-key-rsa-pss", "test-key-ed25519"):  # PKCS#1 and SPKI PEMs
        load_public_key(data["keys"][name]["public_key_pem"])
    with pytest.raises(UnsupportedKeyError):
        load_public_key(data["keys"]["test-key-ecc-p256"]["public_key_pem"])


@pytest.mark.vector_cases(FILE, "cases")
def test_signature_base_reproduced(data: Any, case: dict[str, Any]) -> None:
    prepared = prepare(data, case)
    assert prepared.signature_base.decode() == case["signature_base"]
    assert prepared.signature_params == case["signature_params_value"]


@pytest.mark.vector_cases(FILE, "cases")
def test_signature_reproduced_or_verified(data: Any, case: dict[str, Any]) -> None:
    base, signature = case["signature_base"].encode(), signature_of(case)
    if case["alg"] == "hmac-sha256":
        secret = base64.b64decode(data["keys"][case["keyid"]]["secret_base64"])
        assert hmac.new(secret, base, hashlib.sha256).digest() == signature
    elif case["deterministic"]:
        private = load_pem_private_key(
            data["keys"][case["keyid"]]["private_key_pem"].encode(), None
        )
        assert ALGORITHMS[case["alg"]](private_key=private).sign(base) == signature
    else:
        assert case["verify_only"]
        ALGORITHMS[case["alg"]](public_key=public_key(data, case["keyid"])).verify(signature, base)


@pytest.mark.vector_cases(FILE, "cases")
def test_library_verifies_the_message(data: Any, case: dict[str, Any]) -> None:
    if case["alg"] == "hmac-sha256":
        key: Any = base64.b64decode(data["keys"][case["keyid"]]["secret_base64"])
    else:
        key = public_key(data, case["keyid"])
    verifier = NoClockVerifier(
        signature_algorithm=ALGORITHMS[case["alg"]],
        key_resolver=MappingKeyResolver(public_keys={case["keyid"]: key}, private_keys={}),
    )
    (result,) = verifier.verify(library_message(data, case, label=case["label"]), max_age=None)
    assert result.label == case["label"]


@pytest.mark.vector_cases(FILE, "cases")
def test_our_verifier(data: Any, case: dict[str, Any]) -> None:
    """Crypto through federation.signatures.rfc9421 (policy aside)."""
    message = data["messages"][case["message"]]
    if message["request_or_response"] != "request":
        pytest.skip("responses: we only verify requests (§2.4 / B.2.4 are checked above)")
    request = request_of(data, case["message"], case)
    claim = read_claim(request, label=case["label"])
    assert claim.key_id == case["keyid"]
    if case["alg"] in ("ecdsa-p256-sha256", "hmac-sha256"):
        return  # no such key reaches us: load_public_key refuses EC (see above), HMAC has no key
    key = load_public_key(data["keys"][case["keyid"]]["public_key_pem"])
    if case["alg"] == "rsa-pss-sha512":
        # Undeclared alg + RSA key means rsa-v1_5-sha256 for us: PSS is used only when named.
        with pytest.raises(SignatureError, match="bad_signature"):
            verify_signature(claim, request, key)
        return
    for variant in case.get("variants") or [{"message": case["message"], "expected_valid": True}]:
        altered = request_of(data, variant["message"], case)
        if variant["expected_valid"]:
            verify_signature(read_claim(altered, label=case["label"]), altered, key)
        else:
            with pytest.raises(SignatureError, match="bad_signature"):
                verify_signature(read_claim(altered, label=case["label"]), altered, key)


@pytest.mark.vector_cases(FILE, "cases")
def test_inbox_policy(data: Any, case: dict[str, Any]) -> None:
    if data["messages"][case["message"]]["request_or_response"] != "request":
        pytest.skip("responses are not inbox requests")
    request = request_of(data, case["message"], case)
    created = float(case["signature_params_value"].split("created=")[1].split(";")[0])
    with pytest.raises(SignatureError) as refused:
        parse_incoming(request, now=created)
    assert refused.value.reason == POLICY[case["id"]]


def test_intermediate_messages(data: Any) -> None:
    """The messages no case signs directly: B.3's client request and the proxy's unsigned copy,
    and §4.3's forwarded request, which still carries sig1 but no longer verifies under it
    (the proxy changed @authority), which is why the proxy adds proxy_sig."""
    messages = data["messages"]
    fields = {name: [tuple(h) for h in messages[name]["headers"]] for name in messages}
    signature_fields = {"Signature-Input", "Signature"}
    proxied = [h for h in fields["b3-proxy-signed"] if h[0] not in signature_fields]
    assert proxied == fields["b3-proxy-unsigned"]
    added = set(fields["b3-proxy-unsigned"]) - set(fields["b3-client-request"])
    assert {name for name, _ in added} == {"Host", "Client-Cert"}
    client, forwarded = fields["s4.3-client-signed"], fields["s4.3-proxy-forwarded"]
    assert [h for h in client if h[0] in signature_fields] == [
        h for h in forwarded if h[0] in signature_fields
    ]
    key = public_key(data, "test-key-ecc-p256")
    verifier = NoClockVerifier(
        signature_algorithm=algorithms.ECDSA_P256_SHA256,
        key_resolver=MappingKeyResolver(public_keys={"test-key-ecc-p256": key}, private_keys={}),
    )
    verifier.verify(to_library_message(request_of(data, "s4.3-client-signed")), max_age=None)
    with pytest.raises(HTTPMessageSignaturesException):
        verifier.verify(to_library_message(request_of(data, "s4.3-proxy-forwarded")), max_age=None)
