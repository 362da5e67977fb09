"""parse_publiccode: the field rules, on small documents made from one valid base."""

from __future__ import annotations

import ast
import datetime
from pathlib import Path

import pytest

import commonsnode.publiccode as package
from commonsnode.publiccode import Finding, ParseResult, parse_publiccode

LONG = "A description long enough for the standard's minimum of one hundred and fifty " * 3

BASE = f"""\
publiccodeYmlVersion: "0.7"
name: Medusa
url: "https://example.org/medusa.git"
platforms:
  - web
developmentStatus: stable
softwareType: standalone/web
description:
  en:
    shortDescription: Books rooms in public buildings.
    longDescription: "{LONG}"
    features:
      - Room booking
legal:
  license: EUPL-1.2
maintenance:
  type: community
  contacts:
    - name: Ada Lovelace
localisation:
  localisationReady: true
  availableLanguages:
    - en
"""


def parse(text: str, ipa_registry: set[str] | None = None) -> ParseResult:
    return parse_publiccode(text, ipa_registry=ipa_registry)


def replaced(old: str, new: str) -> str:
    assert old in BASE
    return BASE.replace(old, new)


def keys(result: ParseResult) -> set[tuple[str, str]]:
    return {(f.kind, f.key) for f in result.findings}


def only(result: ParseResult) -> Finding:
    (finding,) = result.findings
    return finding


def test_the_base_document_is_valid() -> None:
    result = parse(BASE)
    assert result.findings == ()
    assert result.listing is not None
    assert result.listing.name == "Medusa"
    assert result.listing.maintenance.contacts[0].name == "Ada Lovelace"
    assert result.listing.description("EN") is result.listing.descriptions[0]


def test_bytes_and_text_give_the_same_result() -> None:
    assert parse_publiccode(BASE.encode()) == parse(BASE)


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "y", "n", "Yes", "OFF"])
def test_yaml_1_1_booleans_are_refused_where_a_boolean_belongs(word: str) -> None:
    result = parse(replaced("localisationReady: true", f"localisationReady: {word}"))
    assert result.listing is None
    alias = next(f for f in result.findings if "YAML 1.1" in f.message)
    assert (alias.key, alias.line, alias.column) == ("localisation.localisationReady", 21, 22)


def test_yaml_1_1_booleans_are_refused_in_nested_sections() -> None:
    text = BASE + "dependsOn:\n  open:\n    - name: SQLite\n      optional: yes\n"
    text += "IT:\n  piattaforme:\n    spid: on\n"
    result = parse(text)
    assert ("error", "dependsOn.open[0].optional") in keys(result)
    assert ("error", "IT.piattaforme.spid") in keys(result)


def test_yes_is_a_plain_text_where_text_belongs() -> None:
    result = parse(BASE + "softwareVersion: yes\napplicationSuite: 1.0\n")
    assert result.findings == ()
    assert result.listing is not None
    assert (result.listing.software_version, result.listing.application_suite) == ("yes", "1.0")


@pytest.mark.parametrize(
    ("version", "warned"),
    [('"0.7"', False), ('"0"', False), ("0.7.0", False), ("0.4", True), ('"0.9"', True)],
)
def test_0x_versions_are_read(version: str, warned: bool) -> None:
    result = parse(replaced('publiccodeYmlVersion: "0.7"', f"publiccodeYmlVersion: {version}"))
    assert result.errors == ()
    assert bool(result.warnings) is warned


@pytest.mark.parametrize("version", ['"1"', '"1.0.0"', '"v0.7"', "[]", '""'])
def test_other_versions_are_refused_and_nothing_else_is_said(version: str) -> None:
    result = parse(replaced('publiccodeYmlVersion: "0.7"', f"publiccodeYmlVersion: {version}"))
    finding = only(result)
    assert (finding.kind, finding.key) == ("error", "publiccodeYmlVersion")
    assert result.listing is None


def test_a_missing_version_is_refused() -> None:
    result = parse(BASE.replace('publiccodeYmlVersion: "0.7"\n', ""))
    assert only(result).key == "publiccodeYmlVersion"


def test_findings_are_located_at_the_value() -> None:
    finding = only(parse(replaced("license: EUPL-1.2", "license: Not A Licence")))
    assert (finding.key, finding.line, finding.column) == ("legal.license", 15, 12)
    assert "SPDX" in finding.message


def test_a_missing_key_is_located_at_its_section() -> None:
    finding = only(parse(replaced("  license: EUPL-1.2\n", "  mainCopyrightOwner: City\n")))
    assert (finding.key, finding.line) == ("legal.license", 14)


def test_unknown_keys_are_refused_with_a_hint() -> None:
    finding = only(parse(replaced("  license: EUPL-1.2", "  license: EUPL-1.2\n  License: MIT")))
    assert finding.key == "legal.License"
    assert "`license`" in finding.message


def test_a_section_of_the_wrong_type_counts_as_absent() -> None:
    text = replaced("legal:\n  license: EUPL-1.2\n", "legal: []\n")
    assert keys(parse(text)) == {("error", "legal"), ("error", "legal.license")}


@pytest.mark.parametrize(("count", "ok"), [(150, True), (151, False)])
def test_short_description_counts_graphemes(count: int, ok: bool) -> None:
    short = "e\u0301" * count  # twice as many code points as graphemes
    result = parse(replaced("Books rooms in public buildings.", short))
    assert (result.errors == ()) is ok


@pytest.mark.parametrize(
    ("count", "ok"), [(149, False), (150, True), (10_000, True), (10_001, False)]
)
def test_long_description_bounds(count: int, ok: bool) -> None:
    result = parse(replaced(LONG, "x" * count))
    assert (result.errors == ()) is ok
    if not ok:
        assert only(result).key == "description.en.longDescription"


def test_each_language_is_checked_under_its_own_key() -> None:
    text = BASE.replace("  en:\n", "  en-GB:\n").replace("      - Room booking\n", "")
    assert keys(parse(text)) == {("error", "description.en-GB.features")}


@pytest.mark.parametrize("tag", ["en_GB", "xxx"])
def test_description_languages_must_be_bcp_47(tag: str) -> None:
    assert keys(parse(BASE.replace("  en:\n", f"  {tag}:\n"))) == {("error", "description")}


def test_contract_maintenance_needs_contractors_and_only_it_may_have_them() -> None:
    contractor = "  contractors:\n    - name: ACME\n      until: 2030-01-31\n  contacts:"
    contract = replaced("type: community", "type: contract")
    assert keys(parse(contract)) == {("error", "maintenance.contractors")}
    result = parse(contract.replace("  contacts:", contractor))
    assert result.errors == ()
    assert result.listing is not None
    assert result.listing.maintenance.contractors[0].until == datetime.date(2030, 1, 31)
    community = BASE.replace("  contacts:", contractor)
    assert keys(parse(community)) == {("error", "maintenance.contractors")}


def test_internal_and_community_maintenance_need_contacts() -> None:
    text = replaced("  contacts:\n    - name: Ada Lovelace\n", "").replace("community", "internal")
    assert keys(parse(text)) == {("error", "maintenance.contacts")}
    none = replaced("  contacts:\n    - name: Ada Lovelace\n", "").replace("community", "none")
    assert parse(none).errors == ()


def test_contractor_fields_are_checked() -> None:
    text = BASE.replace("type: community", "type: contract").replace(
        "  contacts:",
        "  contractors:\n    - name: ACME\n      until: soon\n      email: nobody\n"
        "      website: ftp://x.org\n  contacts:",
    )
    assert keys(parse(text)) == {
        ("error", "maintenance.contractors[0].until"),
        ("error", "maintenance.contractors[0].email"),
        ("error", "maintenance.contractors[0].website"),
    }


def test_countries_lowercase_warns_mixed_case_fails() -> None:
    text = BASE + "intendedAudience:\n  countries: [it, Fr, DE]\n  scope: [education, nope]\n"
    result = parse(text)
    assert keys(result) == {
        ("warning", "intendedAudience.countries[0]"),
        ("error", "intendedAudience.countries[1]"),
        ("error", "intendedAudience.scope[1]"),
    }


def test_lowercase_countries_are_stored_uppercase() -> None:
    result = parse(BASE + "intendedAudience:\n  countries: [it]\n")
    assert result.listing is not None
    assert result.listing.intended_audience is not None
    assert result.listing.intended_audience.countries == ("IT",)


def test_italian_pa_codes_without_and_with_a_register() -> None:
    text = BASE + "organisation:\n  uri: urn:x-italian-pa:no_such_pa\n"
    assert parse(text).errors == ()
    refused = parse(text, ipa_registry={"pcm"})
    assert keys(refused) == {("error", "organisation.uri")}
    accepted = parse(text.replace("no_such_pa", "PCM"), ipa_registry={"pcm"})
    assert accepted.errors == ()


def test_codice_ipa_is_deprecated_and_checked() -> None:
    text = BASE + "IT:\n  riuso:\n    codiceIPA: pcm\n"
    assert keys(parse(text)) == {("warning", "IT.riuso.codiceIPA")}
    assert keys(parse(text, ipa_registry={"c_h501"})) == {("error", "IT.riuso.codiceIPA")}


def test_lowercase_it_section_is_read_with_a_warning() -> None:
    result = parse(BASE + "it:\n  countryExtensionVersion: '1.0'\n")
    assert keys(result) == {("warning", "it")}
    assert result.listing is not None
    assert result.listing.it is not None
    assert result.listing.it.country_extension_version == "1.0"


def test_supports() -> None:
    text = BASE + "supports:\n  - id: alias:gdpr\n  - id: urn:iso:std:iso:27001\n"
    result = parse(text)
    assert result.listing is not None
    assert result.listing.supports == ("alias:gdpr", "urn:iso:std:iso:27001")
    assert keys(parse(BASE + "supports:\n  - id: alias:nope\n")) == {("error", "supports[0].id")}


def test_urls_are_checked_offline_for_syntax_only() -> None:
    text = BASE + "landingURL: https://unreachable.invalid/\nroadmap: not a url\n"
    assert keys(parse(text)) == {("error", "roadmap")}


def test_is_based_on_accepts_one_url_or_a_list() -> None:
    one = parse(BASE + "isBasedOn: https://example.org/a.git\n")
    many = parse(BASE + "isBasedOn:\n  - https://example.org/a.git\n")
    assert one.listing is not None
    assert many.listing is not None
    assert one.listing.is_based_on == many.listing.is_based_on == ("https://example.org/a.git",)


def test_the_listing_is_withheld_when_there_is_an_error_but_not_for_warnings() -> None:
    warned = parse(BASE + "inputTypes: [text/plain]\n")
    assert warned.warnings
    assert warned.listing is not None
    refused = parse(BASE + "inputTypes: [plain]\n")
    assert refused.errors
    assert refused.listing is None


FORBIDDEN = ("aiohttp", "sqlalchemy", "pyld", "federation", "storage", "web")


def test_the_package_imports_no_infrastructure() -> None:
    for module in Path(package.__file__).parent.glob("*.py"):
        tree = ast.parse(module.read_text())
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in FORBIDDEN, f"{module.name} imports {name}"
