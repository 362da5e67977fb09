"""The shared records: SignedRequest construction and header views, URL parts, the clock window."""

from __future__ import annotations

import pytest
from multidict import CIMultiDict

from federation.signatures import (
    SignatureClaim,
    SignatureError,
    SignedRequest,
    check_window,
    normalize_authority,
    split_url,
)


def test_build_from_mapping_pairs_and_multidict() -> None:
    from_map = SignedRequest.build("post", "https://a.example/x", {"Host": "a.example"}, b"x")
    assert (from_map.method, from_map.headers, from_map.body) == (
        "POST",
        (("Host", "a.example"),),
        b"x",
    )
    multi = CIMultiDict([("Accept", "a"), ("accept", "b")])
    from_multi = SignedRequest.build("GET", "https://a.example/", multi.items())
    assert from_multi.header("ACCEPT") == "a, b"  # field lines joined in order (RFC 9110 §5.3)
    assert from_multi.header_map() == {"accept": "a, b"}
    assert from_multi.header("missing") is None


def test_values_are_trimmed_and_copies_extend() -> None:
    request = SignedRequest.build("GET", "https://a.example/", [("X", "  v \t")])
    assert request.header_map() == {"x": "v"}
    longer = request.with_headers([("Y", "w")])
    assert longer.headers[-1] == ("Y", "w")
    assert len(request.headers) == 1


@pytest.mark.parametrize(
    ("url", "parts"),
    [
        ("https://A.Example/inbox", ("https", "a.example", "/inbox")),
        ("https://a.example:443/x?y=%2F#frag", ("https", "a.example", "/x?y=%2F")),
        ("http://127.0.0.2:8000/inbox", ("http", "127.0.0.2:8000", "/inbox")),
        ("http://[::1]:80/", ("http", "[::1]", "/")),
        ("https://user@a.example", ("https", "a.example", "/")),
        ("https://a.example?q", ("https", "a.example", "/?q")),
    ],
)
def test_split_url(url: str, parts: tuple[str, str, str]) -> None:
    assert split_url(url) == parts


def test_split_url_needs_an_absolute_url() -> None:
    with pytest.raises(SignatureError, match="url_malformed"):
        split_url("/inbox")
    assert normalize_authority("Example.COM:80", "http") == "example.com"
    assert normalize_authority("example.com:8080", "http") == "example.com:8080"


def test_window() -> None:
    claim = SignatureClaim("cavage", "k", ("date",), 1000.0, None, None, b"")
    check_window(claim, 1000.0 + 3600)
    with pytest.raises(SignatureError, match="stale"):
        check_window(claim, 1000.0 + 3601)
    with pytest.raises(SignatureError, match="no_timestamp"):
        check_window(SignatureClaim("cavage", "k", (), None, None, None, b""), 0)
    # expires gets the same clock-skew grace as created (as Mastodon does), so within the
    # window it only bites when it is set before the creation time plus the skew.
    expiring = SignatureClaim("cavage", "k", (), 1000.0, 900.0, None, b"")
    check_window(expiring, 900.0 + 3600)
    with pytest.raises(SignatureError, match="expired"):
        check_window(expiring, 900.0 + 3601)
