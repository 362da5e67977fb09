"""formats: the offline checks of single values."""

from __future__ import annotations

import datetime

import pytest

from commonsnode.publiccode.formats import (
    country_problem,
    email_problem,
    grapheme_count,
    http_url_problem,
    ipa_code_problem,
    language_problem,
    license_problem,
    logo_extension_problem,
    mime_type_problem,
    parse_date,
    path_or_url_problem,
    uri_problem,
    url_problem,
)


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("", 0),
        ("abc", 3),
        ("e\u0301", 1),  # e + combining acute accent
        ("\U0001f44d\U0001f3fd", 1),  # thumbs up + skin tone
        ("\U0001f468\u200d\U0001f469\u200d\U0001f467", 1),  # family joined by ZWJ
        ("\U0001f1ee\U0001f1f9\U0001f1e9\U0001f1ea", 2),  # two flags: IT, DE
        ("\u1100\u1161\u11a8", 1),  # Hangul syllable written as jamo
        ("\r\n", 1),
        ("a\nb", 3),
        ("👦" * 122, 122),
    ],
)
def test_grapheme_count(text: str, count: int) -> None:
    assert grapheme_count(text) == count


@pytest.mark.parametrize(
    "expression",
    [
        "AGPL-3.0-or-later",
        "MIT OR Apache-2.0",
        "MIT WITH Bison-exception-2.2",
        "(MIT OR Apache-2.0) AND EUPL-1.2",
        "GPL-2.0+",
        "LicenseRef-my-licence",
        "DocumentRef-spdx:LicenseRef-x",
    ],
)
def test_valid_licence_expressions(expression: str) -> None:
    assert license_problem(expression) is None


@pytest.mark.parametrize(
    "expression",
    ["Invalid License", "MIT AND", "(MIT", "Apache-2.0 WITH MIT", "MIT/Apache-2.0", "foo", " "],
)
def test_invalid_licence_expressions(expression: str) -> None:
    assert license_problem(expression) is not None


@pytest.mark.parametrize("tag", ["en", "it", "en-GB", "sl-IT-nedis", "zh-Hant-TW", "es-419"])
def test_valid_language_tags(tag: str) -> None:
    assert language_problem(tag) is None


@pytest.mark.parametrize("tag", ["en_GB", "xxx", "no such language", "x-private", "en-Abcd", ""])
def test_invalid_language_tags(tag: str) -> None:
    assert language_problem(tag) is not None


def test_underscore_tags_get_a_hint() -> None:
    assert "en-GB" in (language_problem("en_GB") or "")


def test_countries() -> None:
    assert country_problem("IT") is None
    assert country_problem("it") == (
        "warning",
        "Lowercase country codes are deprecated; write `IT`.",
    )
    mixed = country_problem("Fr")
    assert mixed is not None
    assert mixed[0] == "error"
    assert country_problem("XX") is not None


def test_urls() -> None:
    assert url_problem("https://github.com/italia/x.git") is None
    assert url_problem("git://example.org/x.git") is None
    assert url_problem("foobar") is not None
    assert url_problem("https://") is not None
    assert http_url_problem("http://example.org") is None
    assert http_url_problem("ftp://example.org") is not None
    assert http_url_problem("???") is not None
    assert http_url_problem("https://exa mple.org") is not None


@pytest.mark.parametrize("uri", ["urn:x-italian-pa:pcm", "https://example.org/org", "urn:foo:bar"])
def test_uris(uri: str) -> None:
    assert uri_problem(uri) is None


@pytest.mark.parametrize("uri", ["pcm", "1", "urn:", "a b:c"])
def test_not_uris(uri: str) -> None:
    assert uri_problem(uri) is not None


def test_emails_dates_media_types() -> None:
    assert email_problem("ada@example.org") is None
    assert email_problem("not_an_email") is not None
    assert parse_date("2017-04-15") == datetime.date(2017, 4, 15)
    assert parse_date("2017-02-30") is None
    assert parse_date("2011-01-01 20:04:05") is None
    assert parse_date("") is None
    assert mime_type_problem("image/svg+xml") is None
    assert mime_type_problem("foobar") is not None


def test_paths_and_logos() -> None:
    assert path_or_url_problem("img/logo.svg") is None
    assert path_or_url_problem("https://example.org/logo.png") is None
    for bad in ("/logo.png", "file:///logo.png", "file:/logo.png", "ftp://example.org/l.png"):
        assert path_or_url_problem(bad) is not None
    assert logo_extension_problem("img/logo.SVG") is None
    assert logo_extension_problem("https://example.org/logo.png?v=2") is None
    assert logo_extension_problem("logo.mpg") is not None


def test_ipa_codes() -> None:
    assert ipa_code_problem("no_such_pa", None) is None  # shape only, without a register
    assert ipa_code_problem("bad code!", None) is not None
    register = frozenset({"pcm", "c_h501"})
    assert ipa_code_problem("PCM", register) is None
    assert ipa_code_problem("no_such_pa", register) is not None
