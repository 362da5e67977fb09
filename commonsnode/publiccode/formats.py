"""publiccode.yml import, field checks: single values (URLs, dates, languages, licences).

Every check here is offline: a URL is checked for its syntax, never fetched. Each function
answers with None when the value is fine, or with a sentence for the author when it is not.
"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from urllib.parse import urlsplit

import boolean  # type: ignore[import-untyped]
import langcodes
from license_expression import (  # type: ignore[import-untyped]
    ExpressionError,
    Licensing,
    get_spdx_licensing,
)

from commonsnode.publiccode.vocabulary import COUNTRIES, LOGO_EXTENSIONS

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")
_EMAIL = re.compile(r"[^\s@]+@[^\s@.]+(\.[^\s@.]+)+")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MIME_NAME = r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}"
_MIME = re.compile(rf"{_MIME_NAME}/{_MIME_NAME}")
_LICENSE_REF = re.compile(r"(DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]+")
_IPA_CODE = re.compile(r"[A-Za-z0-9_]{1,32}")
_BCP47 = re.compile(
    r"""
    (?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4,8})       # language (the primary subtag is required)
    (?:-[a-z]{4})?                                   # script
    (?:-(?:[a-z]{2}|[0-9]{3}))?                      # region
    (?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*         # variants
    (?:-[0-9a-wyz](?:-[a-z0-9]{2,8})+)*              # extensions
    (?:-x(?:-[a-z0-9]{1,8})+)?                       # private use
    """,
    re.VERBOSE | re.IGNORECASE,
)


@functools.cache
def _spdx() -> Licensing:
    """Built on first use: the SPDX licence list takes a moment to index."""
    return get_spdx_licensing()


def url_problem(value: str) -> str | None:
    """Any absolute URL with a host (a code repository may be https://, git://, ssh://…)."""
    parts = _split(value)
    if parts is None or not _SCHEME.fullmatch(parts[0]) or not parts[1]:
        return f"`{value}` is not an absolute URL (such as https://example.org/repo.git)."
    return None


def http_url_problem(value: str) -> str | None:
    parts = _split(value)
    if parts is None or parts[0].lower() not in ("http", "https") or not parts[1]:
        return f"`{value}` is not a web address starting with https:// or http://."
    return None


def uri_problem(value: str) -> str | None:
    """An RFC 3986 URI: a scheme, a colon, and something after it (https://…, urn:…)."""
    scheme, _, rest = value.partition(":")
    if not _SCHEME.fullmatch(scheme) or not rest or any(c.isspace() for c in value):
        return f"`{value}` is not a URI; write a URL or a URN such as urn:x-example:my-org."
    return None


def _split(value: str) -> tuple[str, str] | None:
    if not value or any(c.isspace() for c in value):
        return None
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        return None
    return parts.scheme, host or ""


def email_problem(value: str) -> str | None:
    if not _EMAIL.fullmatch(value):
        return f"`{value}` is not an e-mail address."
    return None


def parse_date(value: str) -> datetime.date | None:
    """Only the YYYY-MM-DD form, as the standard asks, and only real calendar days."""
    if not _DATE.fullmatch(value):
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


def mime_type_problem(value: str) -> str | None:
    if not _MIME.fullmatch(value):
        return f"`{value}` is not a media type such as text/plain (RFC 6838)."
    return None


def language_problem(tag: str) -> str | None:
    """A BCP 47 tag, well-formed and made of registered subtags (IANA registry via langcodes)."""
    if not _BCP47.fullmatch(tag):
        hint = f" (did you mean `{tag.replace('_', '-')}`?)" if "_" in tag else ""
        return f"`{tag}` is not a BCP 47 language tag such as en or en-GB{hint}."
    if not langcodes.tag_is_valid(tag):
        return f"`{tag}` uses a language, script, region or variant that is not registered."
    return None


def country_problem(code: str) -> tuple[str, str] | None:
    """('error', why) for a code that is not ISO 3166-1 alpha-2, ('warning', why) for lowercase."""
    if code in COUNTRIES:
        return None
    if code.islower() and code.upper() in COUNTRIES:
        return "warning", f"Lowercase country codes are deprecated; write `{code.upper()}`."
    return "error", f"`{code}` is not an ISO 3166-1 alpha-2 country code such as IT or DE."


def license_problem(expression: str) -> str | None:
    """A valid SPDX licence expression: known identifiers joined by AND, OR, WITH."""
    licensing = _spdx()
    try:
        parsed = licensing.parse(expression, validate=False, strict=True)
    except (ExpressionError, boolean.ParseError) as exc:
        return f"`{expression}` is not a valid SPDX licence expression ({exc})."
    if parsed is None:
        return "The licence is empty; write an SPDX expression such as AGPL-3.0-or-later."
    unknown = [
        key
        for key in licensing.license_keys(parsed)
        if key not in licensing.known_symbols and not _LICENSE_REF.fullmatch(key)
    ]
    if unknown:
        names = ", ".join(f"`{key}`" for key in unknown)
        return f"{names}: not an SPDX licence identifier (see https://spdx.org/licenses/)."
    return None


def path_or_url_problem(value: str) -> str | None:
    """A file is named by a path relative to the repository root, or by an http(s) URL."""
    if value.startswith("/"):
        return f"`{value}` is an absolute path; use a path relative to the repository root."
    if value.lower().startswith("file:"):
        return f"`{value}` is a file: URL; use a relative path or an https:// URL."
    if "://" in value and http_url_problem(value) is not None:
        return f"`{value}` must be a relative path or an https:// URL."
    return None


def logo_extension_problem(value: str) -> str | None:
    path = urlsplit(value).path if "://" in value else value
    if not path.lower().endswith(LOGO_EXTENSIONS):
        return f"`{value}` must be an SVG, SVGZ or PNG file."
    return None


def ipa_code_problem(code: str, registry: frozenset[str] | None) -> str | None:
    """An Italian public administration code (IndicePA), matched without regard to case.

    Without a registry only the shape of the code is checked: membership needs the IndicePA
    list, which this offline validator does not ship.
    """
    if not _IPA_CODE.fullmatch(code):
        return f"`{code}` is not shaped like an IndicePA code (letters, digits, underscores)."
    if registry is not None and code.lower() not in registry:
        return f"`{code}` is not a code of the Italian public administration index (IndicePA)."
    return None


def grapheme_count(text: str) -> int:
    """User-perceived characters, following the main rules of Unicode UAX #29.

    A combining accent, a skin-tone modifier, an emoji joined by ZWJ, a flag's two regional
    indicators and a Hangul syllable written as jamo each count once with their base.
    """
    count = 0
    previous = ""
    regional_run = 0
    for char in text:
        if previous and not _breaks(previous, char, regional_run):
            regional_run = regional_run + 1 if _is_regional(char) else 0
            previous = char
            continue
        count += 1
        regional_run = 1 if _is_regional(char) else 0
        previous = char
    return count


def _is_regional(char: str) -> bool:
    return "\U0001f1e6" <= char <= "\U0001f1ff"


def _hangul(char: str) -> str:
    code = ord(char)
    if 0x1100 <= code <= 0x115F or 0xA960 <= code <= 0xA97C:
        return "L"
    if 0x1160 <= code <= 0x11A7 or 0xD7B0 <= code <= 0xD7C6:
        return "V"
    if 0x11A8 <= code <= 0x11FF or 0xD7CB <= code <= 0xD7FB:
        return "T"
    if 0xAC00 <= code <= 0xD7A3:
        return "LV" if (code - 0xAC00) % 28 == 0 else "LVT"
    return ""


def _extends(char: str) -> bool:
    code = ord(char)
    return (
        unicodedata.category(char) in ("Mn", "Me", "Mc")
        or code in (0x200C, 0x200D, 0xFF9E, 0xFF9F)
        or 0x1F3FB <= code <= 0x1F3FF
        or 0xE0020 <= code <= 0xE007F
    )


def _breaks(previous: str, char: str, regional_run: int) -> bool:
    if previous == "\r" and char == "\n":
        return False
    if unicodedata.category(previous) in ("Cc", "Zl", "Zp") or unicodedata.category(char) in (
        "Cc",
        "Zl",
        "Zp",
    ):
        return True
    before, after = _hangul(previous), _hangul(char)
    if before == "L" and after in ("L", "V", "LV", "LVT"):
        return False
    if before in ("LV", "V") and after in ("V", "T"):
        return False
    if before in ("LVT", "T") and after == "T":
        return False
    if _extends(char):
        return False
    if previous == "\u200d" and unicodedata.category(char) == "So":
        return False
    return not (_is_regional(previous) and _is_regional(char) and regional_run % 2 == 1)
