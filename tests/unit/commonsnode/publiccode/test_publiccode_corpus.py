"""The official parser's example corpus (shared/publiccode/v0), one test per file.

valid/ files must import with no finding at all; valid_with_warnings/ and invalid/ files must
give findings naming the same (kind, key) pairs as expected-v0.json, apart from the findings
named in EXCLUDED below, which an offline import cannot reproduce.
"""

from __future__ import annotations

import json
import re

import pytest

from commonsnode.publiccode import ParseResult, export_publiccode, parse_publiccode
from tests.conftest import SHARED

CORPUS = SHARED / "publiccode"
EXPECTED = CORPUS / "expected-v0.json"

NETWORK = "needs the network: the official parser fetches it (reachability, oEmbed, repository)"
FILES = "needs the files beside the publiccode.yml (logo, screenshot), absent from an upload"

EXCLUDED: dict[tuple[str, str, str], str] = {
    (
        "v0/invalid/description_en_screenshots_missing_file.yml",
        "error",
        "description.en.screenshots[0]",
    ): FILES,
    (
        "v0/invalid/description_en_videos_invalid_oembed.yml",
        "error",
        "description.en.videos[0]",
    ): NETWORK,
    ("v0/invalid/logo_missing_file.yml", "error", "logo"): FILES,
    ("v0/invalid/logo_missing_url.yml", "error", "logo"): NETWORK,
    ("v0/invalid/monochromeLogo_missing_file.yml", "error", "monochromeLogo"): FILES,
    ("v0/invalid/no-network/logo_invalid_png.yml", "error", "logo"): FILES,
    ("v0/invalid/no-network/logo_missing_file.yml", "error", "logo"): FILES,
    ("v0/invalid/no-network/monochromeLogo_invalid_png.yml", "error", "monochromeLogo"): FILES,
    # `url` is reported three times there; only the network one is excluded, the two offline
    # ones (not a URL) remain expected.
    ("v0/invalid/url_invalid.yml", "error", "url"): NETWORK,
    # Not flagged in expected-v0.json, yet the same kind of check: the parser looks for the
    # authors file in the repository (over the network, from `url`) and finds none.
    ("v0/invalid/legal_authorsFile_missing_file.yml", "error", "legal.authorsFile"): FILES,
}
"""The findings an offline import cannot make, each with the reason."""

UNFLAGGED_EXCLUSIONS = {
    ("v0/invalid/legal_authorsFile_missing_file.yml", "error", "legal.authorsFile")
}

CORPUS_IPA_CODES = frozenset({"pcm", "c_h501"})
"""A stand-in for the IndicePA register, which the package does not ship: the two codes the
corpus's valid files use. With it, the corpus's invalid IPA codes are refused as the official
parser refuses them; test_checks covers the import without a register."""


def _expected() -> dict[str, list[dict[str, object]]]:
    files: dict[str, list[dict[str, object]]] = json.loads(EXPECTED.read_text())["files"]
    return files


def _corpus_files() -> list[str]:
    return sorted(str(p.relative_to(CORPUS)) for p in CORPUS.glob("v0/**/*.yml"))


def _dotted(key: str) -> str:
    """The official parser writes a map key that is not all letters in brackets
    (`description[en-US].features`); this package always writes dotted paths."""
    return re.sub(r"\[([^\]]*[^\]0-9][^\]]*)\]", r".\1", key)


def _parse(relative: str) -> ParseResult:
    return parse_publiccode((CORPUS / relative).read_bytes(), ipa_registry=CORPUS_IPA_CODES)


def _wanted(relative: str) -> set[tuple[str, str]]:
    """The expected (kind, key) pairs less the excluded findings, entry by entry."""
    wanted = set()
    for entry in _expected().get(relative, []):
        kind, key = str(entry["kind"]), _dotted(str(entry["key"]))
        flagged = bool(entry.get("needs_network") or entry.get("needs_files"))
        named = (relative, kind, key) in EXCLUDED
        if (flagged and named) or (relative, kind, key) in UNFLAGGED_EXCLUSIONS:
            continue
        wanted.add((kind, key))
    return wanted


def test_corpus_is_there() -> None:
    assert EXPECTED.is_file(), f"the shared corpus is missing at {CORPUS}"
    files = _corpus_files()
    assert len(files) > 150
    assert set(_expected()) <= set(files)


def test_exclusions_name_exactly_the_flagged_findings() -> None:
    """Every network/files finding of expected-v0.json is named, and nothing else is."""
    flagged = {
        (relative, str(entry["kind"]), _dotted(str(entry["key"])))
        for relative, entries in _expected().items()
        for entry in entries
        if entry.get("needs_network") or entry.get("needs_files")
    }
    assert set(EXCLUDED) == flagged | UNFLAGGED_EXCLUSIONS


@pytest.mark.parametrize("relative", _corpus_files())
def test_corpus_file(relative: str) -> None:
    result = _parse(relative)
    found = {(f.kind, f.key) for f in result.findings}
    wanted = _wanted(relative)
    assert found == wanted, "\n".join(str(f) for f in result.findings)
    assert all(f.line >= 1 and f.column >= 1 for f in result.findings)
    if relative.startswith("v0/valid/"):
        assert result.listing is not None
        assert result.findings == ()
    elif relative.startswith("v0/valid_with_warnings/"):
        assert result.listing is not None
        assert result.errors == ()
        assert result.warnings
    elif any(kind == "error" for kind, _ in wanted):
        assert result.listing is None
        assert result.errors
    else:
        # Every error the official parser reports for this file needs the network or files.
        assert all((relative, "error", key) in EXCLUDED for key in _error_keys(relative))


def _error_keys(relative: str) -> set[str]:
    return {_dotted(str(e["key"])) for e in _expected().get(relative, []) if e["kind"] == "error"}


def _importable() -> list[str]:
    return [r for r in _corpus_files() if r.startswith(("v0/valid/", "v0/valid_with_warnings/"))]


@pytest.mark.parametrize("relative", _importable())
def test_export_round_trips(relative: str) -> None:
    """import → export → import gives the same record, and exporting it again the same text."""
    listing = _parse(relative).listing
    assert listing is not None
    text = export_publiccode(listing)
    again = parse_publiccode(text, ipa_registry=CORPUS_IPA_CODES)
    assert again.errors == ()
    assert again.listing == listing
    assert export_publiccode(again.listing) == text
