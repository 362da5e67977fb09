"""RFC 9421 incoming policy and outgoing signer (the delivery double-knock fallback)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from http_message_signatures import HTTPMessageSignaturesException, HTTPMessageSigner, algorithms

from federation.keys import PrivateKey, PublicKey
from federation.signatures import (
    SignatureClaim,
    SignatureError,
    SignedRequest,
    parse_incoming,
    verify_claim,
)
from federation.signatures.digest import content_digest_header
from federation.signatures.rfc9421 import read_claim, sign_request, to_library_message

NOW = 1_700_000_000.0
URL = "https://our.example/inbox"
KEY_ID = "https://peer.example/users/alice#main-key"
BODY = b'{"type": "Create"}'


def unsigned(method: str = "POST", url: str = URL, body: bytes = BODY) -> SignedRequest:
    return SignedRequest.build(method, url, {"Content-Type": "application/activity+json"}, body)


def signed(
    key: PrivateKey, request: SignedRequest | None = None, now: float = NOW
) -> SignedRequest:
    request = request or unsigned()
    return request.with_headers(sign_request(request, key_id=KEY_ID, private_key=key, now=now))


def library_signed(
    key: PrivateKey,
    components: list[str],
    *,
    algorithm: type = algorithms.RSA_V1_5_SHA256,
    include_alg: bool = True,
    request: SignedRequest | None = None,
    label: str = "sig1",
    **params: object,
) -> SignedRequest:
    """Sign with the library directly, for inputs our signer never produces."""
    request = request or unsigned().with_headers([("Content-Digest", content_digest_header(BODY))])
    signer = HTTPMessageSigner(signature_algorithm=algorithm)
    prepared = signer.prepare(
        to_library_message(request),
        key_id=KEY_ID,
        created=datetime.fromtimestamp(NOW, UTC),
        include_alg=include_alg,
        label=label,
        covered_component_ids=components,
        use_existing_digest=request.header("content-digest") is not None,
        **params,  # type: ignore[arg-type]
    )
    signature = algorithm(private_key=key).sign(prepared.signature_base)
    return request.with_headers(
        [
            ("Signature-Input", f"{label}={prepared.signature_params}"),
            ("Signature", f"{label}=:{base64.b64encode(signature).decode()}:"),
        ]
    )


def accept(request: SignedRequest, key: PublicKey, now: float = NOW) -> SignatureClaim:
    claim = parse_incoming(request, now=now)
    verify_claim(claim, request, key, now)
    return claim


def refusal(request: SignedRequest, key: PublicKey, now: float = NOW) -> str:
    with pytest.raises(SignatureError) as refused:
        verify_claim(parse_incoming(request, now=now), request, key, now)
    return refused.value.reason


FULL = ["@method", "@target-uri", "content-digest"]


@pytest.mark.parametrize("key_name", ["rsa_key", "ed_key"])
def test_post_round_trip(key_name: str, request: pytest.FixtureRequest) -> None:
    key = request.getfixturevalue(key_name)
    message = signed(key)
    claim = accept(message, key.public_key())
    alg = "rsa-v1_5-sha256" if isinstance(key, rsa.RSAPrivateKey) else "ed25519"
    assert (claim.scheme, claim.key_id, claim.algorithm, claim.created) == (
        "rfc9421",
        KEY_ID,
        alg,
        NOW,
    )
    assert list(claim.covered) == FULL
    assert message.header("signature-input") == (
        f'sig1=("@method" "@target-uri" "content-digest");'
        f'created={int(NOW)};keyid="{KEY_ID}";alg="{alg}"'
    )
    assert message.header("content-digest") == content_digest_header(BODY)


def test_get_round_trip(ed_key: ed25519.Ed25519PrivateKey) -> None:
    message = signed(ed_key, unsigned("GET", "https://our.example/users/bob?page=1", b""))
    assert list(accept(message, ed_key.public_key()).covered) == ["@method", "@target-uri"]
    assert message.header("content-digest") is None


def test_rsa_pss_only_when_named(rsa_key: rsa.RSAPrivateKey) -> None:
    named = library_signed(rsa_key, FULL, algorithm=algorithms.RSA_PSS_SHA512)
    assert accept(named, rsa_key.public_key()).algorithm == "rsa-pss-sha512"
    unnamed = library_signed(rsa_key, FULL, algorithm=algorithms.RSA_PSS_SHA512, include_alg=False)
    assert refusal(unnamed, rsa_key.public_key()) == "bad_signature"
    v15_unnamed = library_signed(rsa_key, FULL, include_alg=False)
    accept(v15_unnamed, rsa_key.public_key())


def test_declared_alg_must_fit_the_key(
    rsa_key: rsa.RSAPrivateKey, ed_key: ed25519.Ed25519PrivateKey
) -> None:
    assert refusal(signed(ed_key), rsa_key.public_key()) == "key_rejected"  # alg="ed25519"
    assert refusal(signed(rsa_key), ed_key.public_key()) == "key_rejected"
    hmac = library_signed(b"0" * 32, FULL, algorithm=algorithms.HMAC_SHA256)  # type: ignore[arg-type]
    assert refusal(hmac, rsa_key.public_key()) == "unsupported_algorithm"


def test_created_is_required(rsa_key: rsa.RSAPrivateKey) -> None:
    message = signed(rsa_key)
    value = message.header("signature-input") or ""
    without = SignedRequest(
        message.method,
        message.url,
        tuple(
            (k, value.replace(f";created={int(NOW)}", "") if k == "Signature-Input" else v)
            for k, v in message.headers
        ),
        message.body,
    )
    assert refusal(without, rsa_key.public_key()) == "created_missing"


@pytest.mark.parametrize(
    "components",
    [
        ["@method", "@authority", "@path", "content-digest"],  # no @target-uri
        ["@target-uri", "content-digest"],  # no @method
        ["@method", "@target-uri"],  # POST without content-digest
        ["@method", '"@target-uri";req', "content-digest"],  # a parameterised look-alike
    ],
)
def test_required_coverage(rsa_key: rsa.RSAPrivateKey, components: list[str]) -> None:
    if ";req" in components[1]:
        with pytest.raises(HTTPMessageSignaturesException, match="req"):  # unsignable anyway
            library_signed(rsa_key, components)
        return
    assert (
        refusal(library_signed(rsa_key, components), rsa_key.public_key())
        == "insufficient_coverage"
    )


def test_content_digest_must_match(rsa_key: rsa.RSAPrivateKey) -> None:
    message = signed(rsa_key)
    tampered = SignedRequest(message.method, message.url, message.headers, BODY + b" ")
    assert refusal(tampered, rsa_key.public_key()) == "digest_mismatch"
    dropped = SignedRequest(
        message.method,
        message.url,
        tuple(h for h in message.headers if h[0] != "Content-Digest"),
        BODY,
    )
    assert refusal(dropped, rsa_key.public_key()) == "digest_missing"


def test_multiple_signatures_are_refused(rsa_key: rsa.RSAPrivateKey) -> None:
    first = signed(rsa_key)
    second = library_signed(rsa_key, FULL, label="sig2")
    both = first.with_headers(
        [
            ("Signature-Input", second.header("signature-input") or ""),
            ("Signature", second.header("signature") or ""),
        ]
    )
    assert refusal(both, rsa_key.public_key()) == "multiple_signatures"
    assert read_claim(both, label="sig2").label == "sig2"  # only by explicit choice


@pytest.mark.parametrize(
    ("offset", "ok"), [(-7200, False), (7200, False), (-3599, True), (3599, True)]
)
def test_created_window(rsa_key: rsa.RSAPrivateKey, offset: float, ok: bool) -> None:
    message = signed(rsa_key)
    if ok:
        accept(message, rsa_key.public_key(), now=NOW + offset)
    else:
        assert refusal(message, rsa_key.public_key(), now=NOW + offset) == "stale"


def test_library_clock_is_not_used(rsa_key: rsa.RSAPrivateKey) -> None:
    """created in 2001 is fine when our injected clock says 2001."""
    long_ago = 1_000_000_000.0
    accept(signed(rsa_key, now=long_ago), rsa_key.public_key(), now=long_ago)


def test_expires_in_the_past(rsa_key: rsa.RSAPrivateKey) -> None:
    expired = library_signed(rsa_key, FULL, expires=datetime.fromtimestamp(NOW - 3700, UTC))
    assert refusal(expired, rsa_key.public_key()) == "expired"


def test_replayed_to_another_host(rsa_key: rsa.RSAPrivateKey) -> None:
    message = signed(rsa_key, unsigned(url="https://victim.example/inbox"))
    replayed = SignedRequest(message.method, URL, message.headers, message.body)
    assert refusal(replayed, rsa_key.public_key()) == "bad_signature"


@pytest.mark.parametrize(
    ("signature_input", "signature", "reason"),
    [
        ('sig1=("@method");created=1;keyid="k"', None, "signature_missing"),
        ('sig1=("@method";created=1;keyid="k"', "sig1=:AAAA:", "signature_malformed"),
        ('sig1=("@method");created=1;keyid="k"', "sig2=:AAAA:", "signature_malformed"),
        (
            'sig1=("@method");created=1;keyid="k", sig1=("@path")',
            "sig1=:AAAA:",
            "signature_malformed",
        ),
        ('sig1=("@method");created=1;keyid="k";foo=1', "sig1=:AAAA:", "signature_malformed"),
        ('sig1=("@method");created="1";keyid="k"', "sig1=:AAAA:", "signature_malformed"),
        ('sig1=("@method");created=1', "sig1=:AAAA:", "signature_malformed"),
        ('sig1=("@method");created=1;keyid="k"', 'sig1="AAAA"', "signature_malformed"),
        ('sig1="@method";created=1;keyid="k"', "sig1=:AAAA:", "signature_malformed"),
        (
            'sig1=("@method");created=1;keyid="' + "k" * 9000 + '"',
            "sig1=:AAAA:",
            "signature_malformed",
        ),
    ],
)
def test_malformed_fields(
    rsa_key: rsa.RSAPrivateKey, signature_input: str, signature: str | None, reason: str
) -> None:
    fields = [("Signature-Input", signature_input)] + (
        [("Signature", signature)] if signature else []
    )
    assert refusal(unsigned().with_headers(fields), rsa_key.public_key()) == reason


def test_claim_checked_against_another_request_is_rechecked(rsa_key: rsa.RSAPrivateKey) -> None:
    message = signed(rsa_key)
    claim = parse_incoming(message, now=NOW)
    other = SignedRequest(message.method, message.url, message.headers, b"{}")
    with pytest.raises(SignatureError, match="digest_mismatch"):
        verify_claim(claim, other, rsa_key.public_key(), NOW)
    verify_claim(claim, message, rsa_key.public_key(), NOW)
