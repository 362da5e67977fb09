"""draft-cavage incoming policy and outgoing signer: the security.md checklist, one case each."""

from __future__ import annotations

import base64
import email.utils

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from federation.keys import PrivateKey, PublicKey
from federation.signatures import (
    SignatureClaim,
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
)
from federation.signatures.digest import DigestError, digest_header

NOW = 1_700_000_000.0
URL = "https://our.example/inbox"
KEY_ID = "https://peer.example/users/alice#main-key"
BODY = b'{"type": "Create"}'
POST_COVERED = ["(request-target)", "host", "date", "digest"]


def unsigned(
    method: str = "POST", url: str = URL, body: bytes = BODY, **headers: str
) -> SignedRequest:
    fields = [("Content-Type", "application/activity+json"), *headers.items()]
    return SignedRequest.build(method, url, fields, body if method == "POST" else b"")


def signed(
    key: PrivateKey, request: SignedRequest | None = None, **options: object
) -> SignedRequest:
    request = request or unsigned()
    added = sign_request(request, key_id=KEY_ID, private_key=key, now=NOW, **options)  # type: ignore[arg-type]
    return request.with_headers(added)


def forge(
    key: PrivateKey,
    request: SignedRequest,
    covered: list[str],
    params: str = 'algorithm="rsa-sha256"',
    values: dict[str, str] | None = None,
) -> SignedRequest:
    """A Signature made by hand, for headers our signer would never produce."""
    data = signing_string(request, covered, params=values or {})
    if isinstance(key, rsa.RSAPrivateKey):
        raw = key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    else:
        raw = key.sign(data)
    value = (
        f'keyId="{KEY_ID}",{params},headers="{" ".join(covered)}",'
        f'signature="{base64.b64encode(raw).decode()}"'
    )
    return request.with_headers([("Signature", value)])


def with_field(request: SignedRequest, name: str, value: str | None) -> SignedRequest:
    """Replace (or with None drop) every line of one header."""
    kept = tuple((k, v) for k, v in request.headers if k.lower() != name.lower())
    extra = () if value is None else ((name, value),)
    return SignedRequest(request.method, request.url, kept + extra, request.body)


def accept(request: SignedRequest, key: PublicKey, now: float = NOW) -> SignatureClaim:
    claim = parse_incoming(request, now=now)
    verify_claim(claim, request, key, now)
    return claim


def refusal(request: SignedRequest, key: PublicKey, now: float = NOW) -> str:
    with pytest.raises(SignatureError) as refused:
        verify_claim(parse_incoming(request, now=now), request, key, now)
    return refused.value.reason


def test_post_round_trip(rsa_key: rsa.RSAPrivateKey) -> None:
    claim = accept(signed(rsa_key), rsa_key.public_key())
    assert claim.scheme == "cavage"
    assert claim.key_id == KEY_ID
    assert list(claim.covered) == POST_COVERED
    assert (claim.algorithm, claim.created) == ("rsa-sha256", NOW)


def test_signer_adds_host_date_digest_then_signature(rsa_key: rsa.RSAPrivateKey) -> None:
    added = dict(sign_request(unsigned(), key_id=KEY_ID, private_key=rsa_key, now=NOW))
    assert list(added) == ["Host", "Date", "Digest", "Signature"]
    assert added["Host"] == "our.example"
    assert added["Date"] == email.utils.formatdate(NOW, usegmt=True)
    assert parse_http_date(added["Date"]) == NOW
    assert added["Digest"] == digest_header(BODY)
    params = parse_params(added["Signature"])
    assert (params["keyId"], params["algorithm"]) == (KEY_ID, "rsa-sha256")
    assert params["headers"] == "(request-target) host date digest"


def test_get_signs_without_digest(rsa_key: rsa.RSAPrivateKey) -> None:
    request = signed(rsa_key, unsigned("GET", "https://our.example/users/bob?page=2"))
    claim = accept(request, rsa_key.public_key())
    assert list(claim.covered) == ["(request-target)", "host", "date"]
    assert "digest" not in {k.lower() for k, _ in request.headers}


def test_signer_keeps_existing_host_and_port(rsa_key: rsa.RSAPrivateKey) -> None:
    request = signed(rsa_key, unsigned(url="http://127.0.0.2:8000/inbox"))
    assert request.header("host") == "127.0.0.2:8000"
    accept(request, rsa_key.public_key())


def test_ed25519_signs_as_hs2019(ed_key: ed25519.Ed25519PrivateKey) -> None:
    request = signed(ed_key)
    assert parse_params(request.header("signature") or "")["algorithm"] == "hs2019"
    accept(request, ed_key.public_key())


def test_signer_refuses_a_lying_digest_and_quoted_key_id(rsa_key: rsa.RSAPrivateKey) -> None:
    with pytest.raises(DigestError):
        signed(rsa_key, unsigned(Digest=digest_header(b"other")))
    with pytest.raises(ValueError, match="keyId"):
        sign_request(unsigned(), key_id='a"b', private_key=rsa_key, now=NOW)


def test_authorization_header_form(rsa_key: rsa.RSAPrivateKey) -> None:
    request = signed(rsa_key)
    value = request.header("signature") or ""
    as_auth = with_field(
        with_field(request, "Signature", None), "Authorization", "Signature " + value
    )
    accept(as_auth, rsa_key.public_key())
    bearer = with_field(with_field(request, "Signature", None), "Authorization", "Bearer x")
    assert refusal(bearer, rsa_key.public_key()) == "signature_missing"


def test_signature_signature_prefix_bug_is_tolerated_once(rsa_key: rsa.RSAPrivateKey) -> None:
    """Decision: accept one stray "Signature " (old node-http-signature; Mastodon accepts it too)
    in either header; it is not covered by anything, so it cannot change what is verified."""
    request = signed(rsa_key)
    value = request.header("signature") or ""
    accept(with_field(request, "Signature", "Signature " + value), rsa_key.public_key())
    auth = with_field(
        with_field(request, "Signature", None), "Authorization", "Signature Signature " + value
    )
    accept(auth, rsa_key.public_key())
    twice = with_field(request, "Signature", "Signature Signature " + value)
    assert refusal(twice, rsa_key.public_key()) == "signature_malformed"


@pytest.mark.parametrize(
    ("algorithm", "outcome"),
    [
        ('algorithm="hs2019"', None),
        ("", None),  # absent: the key decides
        ('algorithm="rsa-sha256"', None),
        ('algorithm="hmac-sha256"', "unsupported_algorithm"),
        ('algorithm="RSA-SHA256"', "unsupported_algorithm"),
        ('algorithm="rsa-sha512"', "unsupported_algorithm"),
        ('algorithm="ed25519"', "unsupported_algorithm"),
    ],
)
def test_declared_algorithm_with_rsa_key(
    rsa_key: rsa.RSAPrivateKey, algorithm: str, outcome: str | None
) -> None:
    request = unsigned(Host="our.example", Date=email.utils.formatdate(NOW, usegmt=True))
    request = request.with_headers([("Digest", digest_header(BODY))])
    forged = forge(rsa_key, request, POST_COVERED, params=algorithm or 'x="y"')
    if outcome is None:
        accept(forged, rsa_key.public_key())
    else:
        assert refusal(forged, rsa_key.public_key()) == outcome


def test_algorithm_comes_from_the_key_not_the_request(
    rsa_key: rsa.RSAPrivateKey, ed_key: ed25519.Ed25519PrivateKey
) -> None:
    """Decision: rsa-sha256 declared over an Ed25519 key is refused, not reinterpreted."""
    request = unsigned(Host="our.example", Date=email.utils.formatdate(NOW, usegmt=True))
    request = request.with_headers([("Digest", digest_header(BODY))])
    ed_as_rsa = forge(ed_key, request, POST_COVERED, params='algorithm="rsa-sha256"')
    assert refusal(ed_as_rsa, ed_key.public_key()) == "key_rejected"
    ed_hs2019 = forge(ed_key, request, POST_COVERED, params='algorithm="hs2019"')
    accept(ed_hs2019, ed_key.public_key())
    # An RSA signature checked against an Ed25519 key (or the reverse) simply fails.
    assert refusal(signed(rsa_key), ed_key.public_key()) == "key_rejected"  # declares rsa-sha256
    rsa_hs2019 = forge(rsa_key, request, POST_COVERED, params='algorithm="hs2019"')
    assert refusal(rsa_hs2019, ed_key.public_key()) == "bad_signature"
    assert refusal(ed_hs2019, rsa_key.public_key()) == "bad_signature"


def test_created_pseudo_header(
    rsa_key: rsa.RSAPrivateKey, ed_key: ed25519.Ed25519PrivateKey
) -> None:
    covered = ["(request-target)", "host", "(created)", "digest"]
    request = unsigned(Host="our.example", Digest=digest_header(BODY))
    created = {"created": str(int(NOW))}
    with_rsa = forge(
        rsa_key, request, covered, f'algorithm="rsa-sha256",created={int(NOW)}', created
    )
    with pytest.raises(SignatureError, match="created_with_rsa_sha256"):
        read_claim(with_rsa)
    for key in (rsa_key, ed_key):
        hs2019 = forge(key, request, covered, f'algorithm="hs2019",created={int(NOW)}', created)
        claim = accept(hs2019, key.public_key())
        assert claim.created == NOW
        assert refusal(hs2019, key.public_key(), now=NOW + 7200) == "stale"
    no_created = forge(ed_key, request, covered, 'algorithm="hs2019"', created)
    assert refusal(no_created, ed_key.public_key()) == "signature_malformed"


def test_expires_in_the_past(ed_key: ed25519.Ed25519PrivateKey) -> None:
    covered = ["(request-target)", "host", "(created)", "(expires)", "digest"]
    request = unsigned(Host="our.example", Digest=digest_header(BODY))
    values = {"created": str(int(NOW) - 3000), "expires": str(int(NOW) - 2000 - 3600)}
    params = f'algorithm="hs2019",created={values["created"]},expires={values["expires"]}'
    assert (
        refusal(forge(ed_key, request, covered, params, values), ed_key.public_key()) == "expired"
    )


@pytest.mark.parametrize(
    "covered",
    [
        ["host", "date", "digest"],
        ["(request-target)", "date", "digest"],
        ["(request-target)", "host", "digest"],
        ["(request-target)", "host", "date"],  # a POST whose digest is not signed
        ["date"],
    ],
)
def test_required_coverage(rsa_key: rsa.RSAPrivateKey, covered: list[str]) -> None:
    request = signed(rsa_key, covered=covered)
    assert refusal(request, rsa_key.public_key()) == "insufficient_coverage"


def test_digest_must_match_the_body(rsa_key: rsa.RSAPrivateKey) -> None:
    request = signed(rsa_key)
    tampered = SignedRequest(request.method, request.url, request.headers, BODY + b" ")
    assert refusal(tampered, rsa_key.public_key()) == "digest_mismatch"


@pytest.mark.parametrize(
    ("digest", "reason"),
    [
        ("SHA-512=" + base64.b64encode(b"\0" * 64).decode(), "digest_sha256_missing"),
        ("SHA-256=not*base64", "digest_malformed"),
        ("SHA-256=" + digest_header(BODY)[8:].rstrip("="), "digest_malformed"),  # no padding
        ("SHA-256=" + base64.b64encode(b"\0" * 20).decode(), "digest_malformed"),  # wrong size
    ],
)
def test_digest_strictness(rsa_key: rsa.RSAPrivateKey, digest: str, reason: str) -> None:
    request = unsigned(
        Host="our.example", Date=email.utils.formatdate(NOW, usegmt=True), Digest=digest
    )
    assert refusal(forge(rsa_key, request, POST_COVERED), rsa_key.public_key()) == reason


def test_host_must_be_ours(rsa_key: rsa.RSAPrivateKey) -> None:
    """A request signed for another server and replayed to us: valid signature, wrong Host."""
    elsewhere = signed(rsa_key, unsigned(url="https://victim.example/inbox"))
    replayed = SignedRequest(elsewhere.method, URL, elsewhere.headers, elsewhere.body)
    assert refusal(replayed, rsa_key.public_key()) == "host_mismatch"
    rewritten = with_field(signed(rsa_key), "Host", "victim.example")
    assert refusal(rewritten, rsa_key.public_key()) == "host_mismatch"
    explicit_port = signed(rsa_key, unsigned(Host="OUR.example:443"))
    accept(explicit_port, rsa_key.public_key())


@pytest.mark.parametrize(
    ("offset", "ok"), [(-7200, False), (7200, False), (-3600, True), (3600, True)]
)
def test_date_window(rsa_key: rsa.RSAPrivateKey, offset: float, ok: bool) -> None:
    request = signed(rsa_key)
    if ok:
        accept(request, rsa_key.public_key(), now=NOW + offset)
    else:
        assert refusal(request, rsa_key.public_key(), now=NOW + offset) == "stale"
        with pytest.raises(SignatureError, match="stale"):  # refused before any key fetch
            parse_incoming(request, now=NOW + offset)


@pytest.mark.parametrize(
    "date",
    ["2023-12-20T10:00:00Z", "Wed, 31 Feb 2023 10:00:00 GMT", "Wed, 20 Dec 2023 25:00:00 GMT", ""],
)
def test_malformed_date(rsa_key: rsa.RSAPrivateKey, date: str) -> None:
    request = signed(rsa_key, unsigned(Date=date))
    assert refusal(request, rsa_key.public_key()) == "date_malformed"


@pytest.mark.parametrize(
    "field",
    [
        'keyId="a",keyId="b",signature="AAAA",headers="date"',
        'keyId="a",signature="AAAA",',
        'keyId="a" signature="AAAA"',
        'keyId="a,signature="AAAA"',
        'signature="AAAA",headers="date"',
        'keyId="a",headers="date"',
        'keyId="a",signature="not base64!"',
        'keyId="a",signature="AAAA",headers=""',
        'keyId="a",signature="AAAA",headers="(foo) date"',
        'keyId="a",signature="AAAA",headers="date date"',
        'keyId="a",signature="AAAA",created=soon,algorithm="hs2019"',
        "",
        'keyId="a",signature="' + "A" * 9000 + '"',
    ],
)
def test_malformed_signature_field(rsa_key: rsa.RSAPrivateKey, field: str) -> None:
    request = unsigned().with_headers([("Signature", field)])
    assert refusal(request, rsa_key.public_key()) == "signature_malformed"


def test_parameters_syntax() -> None:
    params = parse_params(' keyId = "a\\"b" , algorithm=hs2019,\tfoo="ignored" ')
    assert params == {"keyId": 'a"b', "algorithm": "hs2019", "foo": "ignored"}


def test_two_signature_lines_are_refused(rsa_key: rsa.RSAPrivateKey) -> None:
    request = signed(rsa_key)
    doubled = request.with_headers([("Signature", request.header("signature") or "")])
    assert refusal(doubled, rsa_key.public_key()) == "signature_malformed"


@pytest.mark.parametrize(
    "key_id", ["https://peer.example/users/a#main-key", "https://peer.example/users/a/main-key"]
)
def test_key_id_is_an_opaque_string(rsa_key: rsa.RSAPrivateKey, key_id: str) -> None:
    added = sign_request(unsigned(), key_id=key_id, private_key=rsa_key, now=NOW)
    assert parse_incoming(unsigned().with_headers(added), now=NOW).key_id == key_id


def test_query_string_variants(rsa_key: rsa.RSAPrivateKey) -> None:
    """Mastodon's quirk: a signature without the query is accepted on ?query; other changes fail."""
    public = rsa_key.public_key()
    without_query = signed(rsa_key, unsigned("GET", "https://our.example/outbox"))
    moved = SignedRequest("GET", "https://our.example/outbox?page=2", without_query.headers)
    accept(moved, public)
    with_query = signed(rsa_key, unsigned("GET", "https://our.example/outbox?page=2"))
    other_query = SignedRequest("GET", "https://our.example/outbox?page=3", with_query.headers)
    assert refusal(other_query, public) == "bad_signature"
    other_path = SignedRequest("GET", "https://our.example/followers", without_query.headers)
    assert refusal(other_path, public) == "bad_signature"


def test_wrong_key(rsa_key: rsa.RSAPrivateKey, other_rsa_key: rsa.RSAPrivateKey) -> None:
    assert refusal(signed(rsa_key), other_rsa_key.public_key()) == "bad_signature"


def test_small_rsa_keys_are_refused() -> None:
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    request = signed(small)
    assert refusal(request, small.public_key()) == "key_rejected"
    verify_claim(
        parse_incoming(request, now=NOW), request, small.public_key(), NOW, min_rsa_bits=1024
    )


def test_claim_checked_against_another_request_is_rechecked(rsa_key: rsa.RSAPrivateKey) -> None:
    """verify_claim re-runs the policy unless it gets the very request parse_incoming saw."""
    request = signed(rsa_key)
    claim = parse_incoming(request, now=NOW)
    other = SignedRequest(request.method, request.url, request.headers, b"{}")
    with pytest.raises(SignatureError, match="digest_mismatch"):
        verify_claim(claim, other, rsa_key.public_key(), NOW)
    with pytest.raises(SignatureError, match="stale"):  # the clock is always re-checked
        verify_claim(claim, request, rsa_key.public_key(), NOW + 7200)
    verify_claim(claim, request, rsa_key.public_key(), NOW)


def test_unsigned_request() -> None:
    with pytest.raises(SignatureError, match="signature_missing"):
        parse_incoming(unsigned())
