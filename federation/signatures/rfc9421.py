"""RFC 9421 HTTP Message Signatures: delivery's double-knock fallback, newer peers' inbox scheme.

Base construction and arithmetic are ``http-message-signatures``' (3.x); this module adds our
policy (one signature; ``created``, ``@method``, ``@target-uri`` and, with a body, a matching
``content-digest`` covered), our injected clock and the key-type-chosen algorithm.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import http_sf
from cryptography.hazmat.primitives.asymmetric import rsa
from http_message_signatures import (
    HTTPMessageSignaturesException,
    HTTPMessageSigner,
    HTTPMessageVerifier,
    HTTPSignatureAlgorithm,
    HTTPSignatureKeyResolver,
    algorithms,
)

from federation.keys import MIN_RSA_BITS, PrivateKey, PublicKey, UnsupportedKeyError, algorithm_for
from federation.signatures import (
    DEFAULT_MAX_SKEW,
    SignatureClaim,
    SignatureError,
    SignedRequest,
    check_window,
)
from federation.signatures.digest import content_digest_header, verify_content_digest

#: Mastodon and Fedify both sign these; together they bind method, scheme, host, path and query.
REQUIRED_COMPONENTS = ("@method", "@target-uri")
DEFAULT_LABEL = "sig1"
MAX_FIELD_LENGTH = 8192
_ALGORITHMS: dict[str, type[HTTPSignatureAlgorithm]] = {
    "rsa-v1_5-sha256": algorithms.RSA_V1_5_SHA256,
    "rsa-pss-sha512": algorithms.RSA_PSS_SHA512,
    "ed25519": algorithms.ED25519,
}
_PARAM_TYPES: dict[str, type] = {
    "keyid": str,
    "created": int,
    "expires": int,
    "alg": str,
    "nonce": str,
    "tag": str,
}
_SIGNATURE_FIELDS = ("signature-input", "signature")


class _FieldLines:
    """Read-only header view in the shape the library expects (``items()`` keeps every line)."""

    def __init__(self, lines: Iterable[tuple[str, str]]) -> None:
        self._lines = tuple(lines)

    def items(self) -> tuple[tuple[str, str], ...]:
        return self._lines

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(name for name, _ in self._lines))

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and any(k.lower() == name.lower() for k, _ in self._lines)


@dataclass(frozen=True, slots=True)
class LibraryRequest:
    """A :class:`SignedRequest` as ``http-message-signatures`` reads a request message."""

    method: str
    url: str
    headers: _FieldLines


def to_library_message(request: SignedRequest, *, label: str | None = None) -> LibraryRequest:
    """Adapt a request for the library; with ``label``, keep only that signature's members.

    Narrowing to one member lets the library verify one signature of several (RFC 9421 §4.3)
    without its label-only selection, which it rightly warns about.
    """
    lines: list[tuple[str, str]] = list(request.headers)
    if label is not None:
        selected = [(name, _member(request, name, label)) for name in _SIGNATURE_FIELDS]
        lines = [(k, v) for k, v in lines if k.lower() not in _SIGNATURE_FIELDS] + selected
    return LibraryRequest(request.method, request.url, _FieldLines(lines))


def _dictionary(request: SignedRequest, name: str) -> dict[str, Any]:
    value = request.header(name)
    if value is None:
        raise SignatureError("signature_missing", f"no {name} header")
    if len(value) > MAX_FIELD_LENGTH:
        raise SignatureError("signature_malformed", f"{name} too long")

    def refuse_duplicate(key: str, context: str) -> None:
        raise SignatureError("signature_malformed", f"duplicate {key} in {name}")

    try:
        parsed = http_sf.parse(
            value.encode("ascii"), tltype="dictionary", on_duplicate_key=refuse_duplicate
        )
    except (ValueError, UnicodeEncodeError) as exc:
        raise SignatureError("signature_malformed", f"{name} is not a dictionary") from exc
    assert isinstance(parsed, dict)
    return parsed


def _member(request: SignedRequest, name: str, label: str) -> str:
    members = _dictionary(request, name)
    if label not in members:
        raise SignatureError("signature_malformed", f"label {label} absent from {name}")
    return str(http_sf.ser({label: members[label]}))


def read_claim(request: SignedRequest, *, label: str | None = None) -> SignatureClaim:
    """Syntax only. Without ``label`` exactly one signature must be present (we never choose)."""
    inputs, signatures = _dictionary(request, "signature-input"), _dictionary(request, "signature")
    if label is None:
        if len(inputs) != 1 or len(signatures) != 1:
            raise SignatureError("multiple_signatures", f"{len(inputs)} signatures present")
        label = next(iter(inputs))
    if label not in inputs or label not in signatures:
        raise SignatureError("signature_malformed", "Signature-Input and Signature labels differ")
    components, params = inputs[label]
    signature = signatures[label][0]
    if not isinstance(components, list) or not isinstance(signature, bytes):
        raise SignatureError("signature_malformed", "expected an inner list and a byte sequence")
    covered = []
    for item, item_params in components:
        if not isinstance(item, str):
            raise SignatureError("signature_malformed", "component names must be strings")
        covered.append(item if not item_params else str(http_sf.ser((item, item_params))))
    for key, value in params.items():
        expected = _PARAM_TYPES.get(key)
        if expected is None or type(value) is not expected:
            raise SignatureError("signature_malformed", f"unexpected parameter {key}")
    key_id = params.get("keyid")
    if not key_id:
        raise SignatureError("signature_malformed", "keyid is required")
    created, expires = params.get("created"), params.get("expires")
    return SignatureClaim(
        scheme="rfc9421",
        key_id=key_id,
        covered=tuple(covered),
        created=None if created is None else float(created),
        expires=None if expires is None else float(expires),
        algorithm=params.get("alg"),
        signature=signature,
        params=tuple((key, str(value)) for key, value in params.items()),
        label=label,
    )


def check_policy(
    claim: SignatureClaim,
    request: SignedRequest,
    *,
    now: float | None = None,
    max_skew: float = DEFAULT_MAX_SKEW,
) -> None:
    """Everything but the crypto: what must be covered, the digest, the algorithm, the clock."""
    if claim.created is None:
        raise SignatureError("created_missing", "created parameter is required")
    if claim.algorithm is not None and claim.algorithm not in _ALGORITHMS:
        raise SignatureError("unsupported_algorithm", f"alg {claim.algorithm!r}")
    required = [*REQUIRED_COMPONENTS, *(["content-digest"] if request.carries_body() else [])]
    missing = [name for name in required if name not in claim.covered]
    if missing:
        raise SignatureError("insufficient_coverage", "not signed: " + " ".join(missing))
    if "content-digest" in claim.covered:
        value = request.header("content-digest")
        if value is None:
            raise SignatureError("digest_missing", "content-digest is signed but absent")
        verify_content_digest(value, request.body)
    if now is not None:
        check_window(claim, now, max_skew)


def parse(
    request: SignedRequest, *, now: float | None = None, max_skew: float = DEFAULT_MAX_SKEW
) -> SignatureClaim:
    """Read the single signature and apply the key-independent policy."""
    claim = read_claim(request)
    check_policy(claim, request, now=now, max_skew=max_skew)
    return replace(claim, checked_request=request)


class _Verifier(HTTPMessageVerifier):
    """The library's verifier minus its wall-clock checks: our window uses the injected ``now``."""

    def validate_created_and_expires(self, sig_input: Any, max_age: Any = None) -> None:
        return None


class _OneKey(HTTPSignatureKeyResolver):
    def __init__(self, key_id: str, key: PublicKey) -> None:
        self.key_id, self.key = key_id, key

    def resolve_public_key(self, key_id: str) -> PublicKey | None:
        return self.key if key_id == self.key_id else None


def verify_signature(
    claim: SignatureClaim,
    request: SignedRequest,
    public_key: PublicKey,
    *,
    min_rsa_bits: int = MIN_RSA_BITS,
) -> None:
    """Crypto only: the library rebuilds the base; the key type chooses the algorithm."""
    try:
        algorithm = algorithm_for(
            public_key, scheme="rfc9421", declared=claim.algorithm, min_rsa_bits=min_rsa_bits
        )
    except UnsupportedKeyError as exc:
        raise SignatureError("key_rejected", str(exc)) from exc
    verifier = _Verifier(
        signature_algorithm=_ALGORITHMS[algorithm], key_resolver=_OneKey(claim.key_id, public_key)
    )
    try:
        verifier.verify(to_library_message(request, label=claim.label), max_age=None)
    except HTTPMessageSignaturesException as exc:
        raise SignatureError("bad_signature", str(exc) or "does not verify") from exc


def verify(
    claim: SignatureClaim,
    request: SignedRequest,
    public_key: PublicKey,
    *,
    now: float,
    max_skew: float = DEFAULT_MAX_SKEW,
    min_rsa_bits: int = MIN_RSA_BITS,
) -> None:
    """Policy (unless ``parse`` already passed this very request), clock, then signature."""
    if claim.checked_request is request:
        check_window(claim, now, max_skew)
    else:
        check_policy(claim, request, now=now, max_skew=max_skew)
    verify_signature(claim, request, public_key, min_rsa_bits=min_rsa_bits)


def sign_request(
    request: SignedRequest,
    *,
    key_id: str,
    private_key: PrivateKey,
    now: float,
    label: str = DEFAULT_LABEL,
) -> list[tuple[str, str]]:
    """Headers to add: ``Content-Digest`` (body, if absent), ``Signature-Input``, ``Signature``.

    Covers ``@method @target-uri`` (+ ``content-digest``), ``created`` from ``now``, ``keyid`` and
    ``alg`` for the key: ``rsa-v1_5-sha256`` (what Mastodon verifies) or ``ed25519``.
    """
    algorithm = "rsa-v1_5-sha256" if isinstance(private_key, rsa.RSAPrivateKey) else "ed25519"
    covered = list(REQUIRED_COMPONENTS)
    added: list[tuple[str, str]] = []
    if request.carries_body():
        existing = request.header("content-digest")
        if existing is None:
            added.append(("Content-Digest", content_digest_header(request.body)))
        else:
            verify_content_digest(existing, request.body)  # never sign a digest that lies
        covered.append("content-digest")
    signer = HTTPMessageSigner(signature_algorithm=_ALGORITHMS[algorithm])
    prepared = signer.prepare(
        to_library_message(request.with_headers(added)),
        key_id=key_id,
        created=datetime.fromtimestamp(int(now), UTC),
        label=label,
        covered_component_ids=covered,
        use_existing_digest="content-digest" in covered,
    )
    raw = _ALGORITHMS[algorithm](private_key=private_key).sign(prepared.signature_base)
    signature = base64.b64encode(raw).decode("ascii")
    return [
        *added,
        ("Signature-Input", f"{label}={prepared.signature_params}"),
        ("Signature", f"{label}=:{signature}:"),
    ]
