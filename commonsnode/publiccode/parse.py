"""publiccode.yml import, the whole flow: YAML nodes → version check → field checks → Listing."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import partial
from typing import TypeVar, cast

from commonsnode.publiccode.findings import FILE_START, Finding, Findings, Location
from commonsnode.publiccode.formats import http_url_problem, url_problem
from commonsnode.publiccode.listing import (
    DevelopmentStatus,
    ItalianExtension,
    Listing,
    Organisation,
    SoftwareType,
)
from commonsnode.publiccode.reader import Fields, Reader, is_null
from commonsnode.publiccode.sections_other import (
    read_audience,
    read_depends_on,
    read_italy,
    read_supports,
)
from commonsnode.publiccode.sections_people import read_legal, read_maintenance, read_organisation
from commonsnode.publiccode.sections_text import read_descriptions, read_localisation
from commonsnode.publiccode.top_fields import (
    checked,
    date,
    is_based_on,
    listed,
    logo,
    media_types,
    one_of,
)
from commonsnode.publiccode.vocabulary import (
    CATEGORIES,
    DEVELOPMENT_STATUSES,
    LATEST_VERSION,
    RELEASED_MINORS,
    SOFTWARE_TYPES,
)
from commonsnode.publiccode.yaml_source import Mapping, Node, Scalar, load

T = TypeVar("T")

TOP_LEVEL_KEYS = (
    "publiccodeYmlVersion",
    "name",
    "applicationSuite",
    "url",
    "landingURL",
    "isBasedOn",
    "softwareVersion",
    "releaseDate",
    "logo",
    "monochromeLogo",
    "organisation",
    "inputTypes",
    "outputTypes",
    "platforms",
    "categories",
    "usedBy",
    "fundedBy",
    "roadmap",
    "developmentStatus",
    "softwareType",
    "intendedAudience",
    "supports",
    "description",
    "legal",
    "maintenance",
    "localisation",
    "dependsOn",
    "IT",
    "it",
)
_VERSION = re.compile(r"0(?:\.([0-9]+)(?:\.[0-9]+)?)?")


@dataclass(frozen=True, slots=True)
class ParseResult:
    """The listing when the file has no error (warnings allowed); every finding, in file order."""

    listing: Listing | None
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.kind == "error")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.kind == "warning")


def parse_publiccode(
    text: str | bytes, *, ipa_registry: Collection[str] | None = None
) -> ParseResult:
    """Read and check a publiccode.yml 0.x file, offline.

    `ipa_registry` is the set of Italian public administration codes (IndicePA) to check
    `urn:x-italian-pa:` URIs and `IT.riuso.codiceIPA` against; without it only their shape is
    checked, since the register is not shipped with this package.
    """
    source = load(text)
    findings = Findings()
    for finding in source.findings:
        findings.add(finding)
    if source.root is None:
        return ParseResult(None, findings.sorted())
    registry = None if ipa_registry is None else frozenset(c.lower() for c in ipa_registry)
    reader = Reader(source.root, findings, registry)
    version = _read_version(reader, source.root)
    if version is None:
        return ParseResult(None, findings.sorted())
    top = reader.fields(source.root, "", FILE_START, TOP_LEVEL_KEYS)
    if top is None:
        return ParseResult(None, findings.sorted())
    listing = _read_listing(reader, top, version)
    return ParseResult(None if findings.has_errors else listing, findings.sorted())


def _read_version(reader: Reader, root: Mapping) -> str | None:
    """Only 0.x is read; a version before the latest is read with the latest rules, and said so."""
    entry = next(((k, v) for k, v in root.entries if k.text == "publiccodeYmlVersion"), None)
    key = "publiccodeYmlVersion"
    if entry is None or is_null(entry[1]):
        where = FILE_START if entry is None else entry[0].where
        reader.findings.error(key, where, f'Missing: `{key}`, such as "{LATEST_VERSION}".')
        return None
    node = entry[1]
    if not isinstance(node, Scalar) or node.kind == "other":
        reader.findings.error(key, node.where, f'`{key}` must be a version such as "0.7".')
        return None
    match = _VERSION.fullmatch(node.text)
    if match is None:
        reader.findings.error(
            key,
            node.where,
            f"Version {node.text} is not supported: only publiccode.yml 0.x files can be read "
            f'(the latest is "{LATEST_VERSION}").',
        )
        return None
    minor = None if match.group(1) is None else f"0.{int(match.group(1))}"
    if minor is not None and minor != LATEST_VERSION:
        known = "an older release" if minor in RELEASED_MINORS else "not a known release"
        reader.findings.warning(
            key,
            node.where,
            f"Version {node.text} is {known} of the standard; the file is read with the rules of "
            f'{LATEST_VERSION}: set `{key}` to "{LATEST_VERSION}".',
        )
    return node.text


def _section(
    reader: Reader, bound: tuple[str, Callable[[Node | None], T | None]], top: Fields
) -> T | None:
    """A section holding a value of the wrong type is dropped whole and read again as absent,
    as the official parser does; only the type errors of the first reading are kept."""
    name, read = bound
    node = top.node(name)
    outer = reader.findings
    buffer = Findings()
    reader.findings = buffer
    type_errors, structural = reader.type_errors, len(reader.structural)
    try:
        value = read(node)
    finally:
        reader.findings = outer
    if reader.type_errors == type_errors:
        for finding in buffer.sorted():
            outer.add(finding)
        return value
    for finding in reader.structural[structural:]:
        outer.add(finding)
    read(None)
    return None


def _read_listing(reader: Reader, top: Fields, version: str) -> Listing | None:
    """Reads every key, so that all findings are made, then builds the record if it can."""
    name = top.text("name", required="the software's `name`")
    url = checked(
        top, "url", url_problem, required="`url`, the address of the source code repository"
    )
    platforms = top.texts("platforms")
    if not platforms:
        reader.missing("platforms", FILE_START, "`platforms`, such as web, linux, android")
    status = one_of(top, "developmentStatus", DEVELOPMENT_STATUSES)
    software_type = one_of(top, "softwareType", SOFTWARE_TYPES)
    descriptions = _section(reader, _at(read_descriptions, reader, top, "description"), top)
    legal = _section(reader, _at(read_legal, reader, top, "legal"), top)
    maintenance = _section(reader, _at(read_maintenance, reader, top, "maintenance"), top)
    localisation = _section(reader, _at(read_localisation, reader, top, "localisation"), top)
    organisation = _section(reader, ("organisation", partial(_organisation, reader)), top)
    funded_by = _section(reader, ("fundedBy", partial(_funders, reader)), top)
    audience = _section(reader, _at(read_audience, reader, top, "intendedAudience"), top)
    supports = _section(reader, ("supports", partial(read_supports, reader)), top)
    depends_on = _section(reader, _at(read_depends_on, reader, top, "dependsOn"), top)
    italy = _read_italy(reader, top)
    application_suite = top.text("applicationSuite")
    landing_url = checked(top, "landingURL", http_url_problem)
    based_on = is_based_on(reader, top)
    software_version = top.text("softwareVersion")
    release_date = date(top, "releaseDate")
    main_logo = logo(top, "logo")
    monochrome_logo = logo(top, "monochromeLogo", deprecated=True)
    input_types = media_types(top, "inputTypes")
    output_types = media_types(top, "outputTypes")
    categories = listed(top, "categories", CATEGORIES, "the standard's list of categories")
    used_by = top.texts("usedBy") or ()
    roadmap = checked(top, "roadmap", http_url_problem)
    if not (name and url and platforms and status and software_type):
        return None
    if descriptions is None or legal is None or maintenance is None or localisation is None:
        return None
    return Listing(
        publiccode_yml_version=version,
        name=name,
        url=url,
        platforms=platforms,
        development_status=cast(DevelopmentStatus, status),
        software_type=cast(SoftwareType, software_type),
        descriptions=descriptions,
        legal=legal,
        maintenance=maintenance,
        localisation=localisation,
        application_suite=application_suite,
        landing_url=landing_url,
        is_based_on=based_on,
        software_version=software_version,
        release_date=release_date,
        logo=main_logo,
        monochrome_logo=monochrome_logo,
        organisation=organisation,
        input_types=input_types,
        output_types=output_types,
        categories=categories,
        used_by=used_by,
        funded_by=funded_by or (),
        roadmap=roadmap,
        intended_audience=audience,
        depends_on=depends_on,
        supports=supports or (),
        it=italy,
    )


def _at(
    read: Callable[[Reader, Node | None, Location], T | None],
    reader: Reader,
    top: Fields,
    name: str,
) -> tuple[str, Callable[[Node | None], T | None]]:
    """A section reader bound to its key, for `_section`."""
    where = top.key_where(name)
    return name, lambda node: read(reader, node, where)


def _organisation(reader: Reader, node: Node | None) -> Organisation | None:
    return (
        None if node is None or is_null(node) else read_organisation(reader, node, "organisation")
    )


def _funders(reader: Reader, node: Node | None) -> tuple[Organisation, ...] | None:
    return reader.records(node, "fundedBy", partial(read_organisation, reader))


def _read_italy(reader: Reader, top: Fields) -> ItalianExtension | None:
    """`IT`, or the deprecated lowercase `it` when `IT` is absent; never both."""
    upper = _section(reader, _italy_reader(reader, top, "IT"), top)
    if top.node("it") is None:
        return upper
    top.warning("it", "The lowercase `it` section is deprecated; rename it to `IT`.")
    lower = _section(reader, _italy_reader(reader, top, "it"), top)
    if top.node("IT") is not None:
        top.error("it", "Both `IT` and `it` are present; keep only `IT`.")
        return upper
    return lower


def _italy_reader(
    reader: Reader, top: Fields, name: str
) -> tuple[str, Callable[[Node | None], ItalianExtension | None]]:
    where = top.key_where(name)
    return name, lambda node: read_italy(reader, node, name, where)
