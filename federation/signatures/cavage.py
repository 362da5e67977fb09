"""draft-cavage HTTP signatures (what Mastodon and most peers speak): sign deliveries, check inbox.

Incoming: :func:`parse` (syntax + policy, no key) then :func:`verify` (policy again + crypto with a
cached ``cryptography`` key). The algorithm comes from the key type, never from the request.
"""

from __future__ import annotations

import base64
import binascii
import email.utils
import re
from collections.abc import Mapping, Sequence

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from federation.keys import MIN_RSA_BITS, PrivateKey, PublicKey, UnsupportedKeyError, algorithm_for
from federation.signatures import (
    DEFAULT_MAX_SKEW,
    SignatureClaim,
    SignatureError,
    SignedRequest,
    check_window,
    normalize_authority,
    parse_http_date,
    split_url,
)
from federation.signatures.digest import digest_header, verify_digest

MAX_FIELD_LENGTH = 8192
_TOKEN = r"[0-9A-Za-z!#$%&'*+.^_`|~-]+"  # noqa: S105 (RFC 9110 token)
_PARAM = re.compile(
    rf'({_TOKEN})[ \t]*=[ \t]*(?:"([^"\\]*(?:\\.[^"\\]*)*)"|({_TOKEN}))[ \t]*(?:(,)[ \t]*|$)'
)
_QUOTED_PAIR = re.compile(r"\\(.)")
_NUMBER = re.compile(r"\d{1,12}(?:\.\d{1,9})?")
_ACCEPTED_ALGORITHMS = (None, "hs2019", "rsa-sha256")
_PSEUDO = ("(request-target)", "(created)", "(expires)")
_PKCS1, _SHA256 = padding.PKCS1v15(), hashes.SHA256()
_BUGGY_PREFIX = "Signature "  # old node-http-signature put the auth scheme in the Signature header


def parse_params(value: str) -> dict[str, str]:
    """Parse ``keyId="…",algorithm="…",…`` strictly; duplicates and stray bytes are refused.

    One leading ``Signature `` is tolerated (the node-http-signature bug Mastodon also accepts);
    it carries no meaning, so accepting it costs nothing. A second one is refused.
    """
    text = value.strip(" \t")
    if len(text) > MAX_FIELD_LENGTH:
        raise SignatureError("signature_malformed", "signature field too long")
    if text.startswith(_BUGGY_PREFIX):
        text = text[len(_BUGGY_PREFIX) :].lstrip(" ")
    params: dict[str, str] = {}
    position, end = 0, len(text)
    while position < end or not params:
        match = _PARAM.match(text, position)
        if match is None:
            raise SignatureError("signature_malformed", f"unparsable at offset {position}")
        name, quoted, token, comma = match.groups()
        if name in params:
            raise SignatureError("signature_malformed", f"duplicate parameter {name}")
        if quoted is None:
            params[name] = token
        else:
            params[name] = _QUOTED_PAIR.sub(r"\1", quoted) if "\\" in quoted else quoted
        position = match.end()
        if comma and position == end:
            raise SignatureError("signature_malformed", "trailing comma")
    return params


def _signature_field(headers: Mapping[str, str]) -> str:
    value = headers.get("signature")
    if value is not None:
        return value
    authorization = headers.get("authorization")
    if authorization is not None and authorization[:10].lower() == "signature ":
        return authorization[10:]
    raise SignatureError("signature_missing", "no Signature or Authorization: Signature header")


def _check_pseudo(name: str, params: Mapping[str, str], algorithm: str | None) -> None:
    if name not in _PSEUDO:
        raise SignatureError("signature_malformed", f"unknown pseudo-header {name}")
    if algorithm == "rsa-sha256":  # draft-12 §2.3: an error with rsa-* algorithms
        raise SignatureError("created_with_rsa_sha256", f"{name} with rsa-sha256")
    raw = params.get(name[1:-1])
    if raw is None or not _NUMBER.fullmatch(raw):
        raise SignatureError(
            "signature_malformed", f"{name} needs a numeric {name[1:-1]} parameter"
        )


def read_claim(request: SignedRequest) -> SignatureClaim:
    """Syntax only: what the request claims, without judging whether that is enough."""
    return _read_claim(request.header_map(), None)


def _read_claim(headers: Mapping[str, str], checked: SignedRequest | None) -> SignatureClaim:
    params = parse_params(_signature_field(headers))
    key_id, encoded = params.get("keyId"), params.get("signature")
    if not key_id or not encoded:
        raise SignatureError("signature_malformed", "keyId and signature are required")
    try:
        signature = base64.b64decode(encoded, validate=True)
    except binascii.Error as exc:
        raise SignatureError("signature_malformed", "signature is not base64") from exc
    algorithm = params.get("algorithm")
    if algorithm not in _ACCEPTED_ALGORITHMS:
        raise SignatureError("unsupported_algorithm", f"algorithm {algorithm!r}")
    default = "date" if algorithm == "rsa-sha256" else "(created)"  # draft-12 §2.1.6, Mastodon
    covered = tuple(params.get("headers", default).lower().split())
    if not covered or len(set(covered)) != len(covered):
        raise SignatureError("signature_malformed", "headers list empty or repeated")
    for name in covered:
        if name[0] == "(" and name != "(request-target)":
            _check_pseudo(name, params, algorithm)
    if "expires" in params and not _NUMBER.fullmatch(params["expires"]):
        raise SignatureError("signature_malformed", "expires is not a timestamp")
    created: float | None = None
    if "(created)" in covered:
        created = float(params["created"])
    elif "date" in covered and (date := headers.get("date")) is not None:
        created = parse_http_date(date)
    return SignatureClaim(
        scheme="cavage",
        key_id=key_id,
        covered=covered,
        created=created,
        expires=float(params["expires"]) if "expires" in params else None,
        algorithm=algorithm,
        signature=signature,
        params=tuple(params.items()),
        checked_request=checked,
    )


def _check_policy(
    claim: SignatureClaim,
    request: SignedRequest,
    headers: Mapping[str, str],
    now: float | None,
    max_skew: float,
) -> None:
    covered = claim.covered
    missing = [name for name in ("(request-target)", "host") if name not in covered]
    if "date" not in covered and "(created)" not in covered:
        missing.append("date")
    if request.carries_body() and "digest" not in covered:
        missing.append("digest")
    if missing:
        raise SignatureError("insufficient_coverage", "not signed: " + " ".join(missing))
    scheme, authority, _ = split_url(request.url)
    if normalize_authority(headers.get("host", ""), scheme) != authority:
        raise SignatureError("host_mismatch", "Host header is not the addressed authority")
    if "digest" in covered:
        digest = headers.get("digest")
        if digest is None:
            raise SignatureError("digest_missing", "digest is signed but absent")
        verify_digest(digest, request.body)
    if now is not None:
        _check_clock(claim, headers, now, max_skew)


def _check_clock(
    claim: SignatureClaim, headers: Mapping[str, str], now: float, max_skew: float
) -> None:
    check_window(claim, now, max_skew)
    both = "date" in claim.covered and "(created)" in claim.covered  # both signed: both must hold
    if both and abs(now - parse_http_date(headers.get("date", ""))) > max_skew:
        raise SignatureError("stale", "Date outside the window")


def parse(
    request: SignedRequest, *, now: float | None = None, max_skew: float = DEFAULT_MAX_SKEW
) -> SignatureClaim:
    """Read the claim; refuse early on coverage, Host, Digest or (given ``now``) the clock."""
    headers = request.header_map()
    claim = _read_claim(headers, request)
    _check_policy(claim, request, headers, now, max_skew)
    return claim


def signing_string(
    request: SignedRequest,
    covered: Sequence[str],
    *,
    params: Mapping[str, str] | None = None,
    target: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> bytes:
    """The draft's signing string: ``name: value`` lines in ``covered`` order, joined by LF."""
    headers = request.header_map() if headers is None else headers
    params = params or {}
    lines = []
    for name in covered:
        if name == "(request-target)":
            path = split_url(request.url)[2] if target is None else target
            value: str | None = f"{request.method.lower()} {path}"
        elif name in ("(created)", "(expires)"):
            value = params.get(name[1:-1])
        else:
            value = headers.get(name)
        if value is None:
            raise SignatureError("header_missing", f"signed {name} is absent")
        lines.append(f"{name}: {value}")
    return "\n".join(lines).encode("utf-8", "surrogateescape")


def _valid(key: PublicKey, algorithm: str, signature: bytes, data: bytes) -> bool:
    try:
        if algorithm == "rsa-sha256" and isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, _PKCS1, _SHA256)
        elif algorithm == "ed25519" and isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, data)
        else:
            return False
    except InvalidSignature:
        return False
    return True


def verify_signature(
    claim: SignatureClaim,
    request: SignedRequest,
    public_key: PublicKey,
    *,
    min_rsa_bits: int = MIN_RSA_BITS,
    headers: Mapping[str, str] | None = None,
) -> None:
    """Crypto only: rebuild the signing string and verify it with the algorithm the key allows.

    If the full target fails and it has a query, the query-less target is tried once more:
    Mastodon's compatibility rule for signers that omitted the query (the Mastodon vectors
    require it; a query never selects what an inbox POST does).
    """
    try:
        algorithm = algorithm_for(
            public_key, scheme="cavage", declared=claim.algorithm, min_rsa_bits=min_rsa_bits
        )
    except UnsupportedKeyError as exc:
        raise SignatureError("key_rejected", str(exc)) from exc
    headers = request.header_map() if headers is None else headers
    params, target = dict(claim.params), split_url(request.url)[2]
    targets = [target]
    if "?" in target and "(request-target)" in claim.covered:
        targets.append(target.partition("?")[0])
    for candidate in targets:
        data = signing_string(
            request, claim.covered, params=params, target=candidate, headers=headers
        )
        if _valid(public_key, algorithm, claim.signature, data):
            return
    raise SignatureError("bad_signature", f"signature does not verify for {claim.key_id}")


def verify(
    claim: SignatureClaim,
    request: SignedRequest,
    public_key: PublicKey,
    *,
    now: float,
    max_skew: float = DEFAULT_MAX_SKEW,
    min_rsa_bits: int = MIN_RSA_BITS,
) -> None:
    """Policy (unless ``parse`` already passed this very request) then signature.

    Raises :class:`SignatureError`. The clock is always re-checked against ``now``.
    """
    headers = request.header_map()
    if claim.checked_request is request:
        _check_clock(claim, headers, now, max_skew)
    else:
        _check_policy(claim, request, headers, now, max_skew)
    verify_signature(claim, request, public_key, min_rsa_bits=min_rsa_bits, headers=headers)


def sign_request(
    request: SignedRequest,
    *,
    key_id: str,
    private_key: PrivateKey,
    now: float,
    covered: Sequence[str] | None = None,
) -> list[tuple[str, str]]:
    """Headers to add to an outgoing request: Host/Date/Digest when absent, then ``Signature``.

    Default coverage: ``(request-target) host date`` plus ``digest`` when there is a body (POST).
    RSA keys sign ``rsa-sha256`` (what every peer verifies); Ed25519 keys sign as ``hs2019``.
    """
    if '"' in key_id or "\\" in key_id:
        raise ValueError("keyId must not contain quotes or backslashes")
    headers = request.header_map()
    added: list[tuple[str, str]] = []
    if covered is None:
        covered = ["(request-target)", "host", "date"]
        if request.carries_body():
            covered.append("digest")
    generated = {
        "host": lambda: split_url(request.url)[1],
        "date": lambda: email.utils.formatdate(now, usegmt=True),
        "digest": lambda: digest_header(request.body),
    }
    for name in covered:
        if name in generated and name not in headers:
            headers[name] = generated[name]()
            added.append((name.capitalize(), headers[name]))
    if "digest" in covered:
        verify_digest(headers["digest"], request.body)  # never sign a digest that lies
    data = signing_string(request, covered, headers=headers)
    if isinstance(private_key, rsa.RSAPrivateKey):
        algorithm, raw = "rsa-sha256", private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    else:
        algorithm, raw = "hs2019", private_key.sign(data)
    signature = base64.b64encode(raw).decode("ascii")
    value = (
        f'keyId="{key_id}",algorithm="{algorithm}",headers="{" ".join(covered)}",'
        f'signature="{signature}"'
    )
    return [*added, ("Signature", value)]
