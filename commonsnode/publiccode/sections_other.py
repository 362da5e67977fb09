"""publiccode.yml import, field checks: the optional sections (intendedAudience, dependsOn,
supports) and the Italian country extension `IT`."""

from __future__ import annotations

from functools import partial

from commonsnode.publiccode.findings import Location
from commonsnode.publiccode.formats import country_problem, ipa_code_problem, uri_problem
from commonsnode.publiccode.listing import (
    Dependency,
    DependsOn,
    IntendedAudience,
    ItalianConformity,
    ItalianExtension,
    ItalianPlatforms,
)
from commonsnode.publiccode.reader import Fields, Reader
from commonsnode.publiccode.vocabulary import COUNTRY_EXTENSION_VERSIONS, SCOPES, SUPPORT_ALIASES
from commonsnode.publiccode.yaml_source import Node, Sequence

AUDIENCE_KEYS = ("scope", "countries", "unsupportedCountries")
DEPENDS_ON_KEYS = ("open", "proprietary", "hardware")
DEPENDENCY_KEYS = ("name", "versionMin", "versionMax", "optional", "version")
SUPPORT_KEYS = ("id",)
ITALY_KEYS = ("countryExtensionVersion", "conforme", "riuso", "piattaforme")
CONFORMITY_KEYS = ("lineeGuidaDesign", "modelloInteroperabilita", "misureMinimeSicurezza", "gdpr")
REUSE_KEYS = ("codiceIPA",)
PLATFORM_KEYS = ("spid", "pagopa", "cie", "anpr", "io")


def _entries(fields: Fields, name: str) -> tuple[tuple[str, Node], ...]:
    """The texts of a list with the node of each, for problems reported at `name[i]`."""
    values = fields.texts(name)
    node = fields.node(name)
    if not values or not isinstance(node, Sequence):
        return ()
    return tuple(zip(values, node.items, strict=True))


def read_audience(reader: Reader, node: Node | None, where: Location) -> IntendedAudience | None:
    fields = reader.fields(node, "intendedAudience", where, AUDIENCE_KEYS)
    if fields is None:
        return None
    for i, (scope, item) in enumerate(_entries(fields, "scope")):
        if scope not in SCOPES:
            reader.findings.error(
                f"intendedAudience.scope[{i}]",
                item.where,
                f"`{scope}` is not in the standard's list of scopes (such as education, "
                "healthcare, local-authorities).",
            )
    countries = {name: _countries(reader, fields, name) for name in AUDIENCE_KEYS[1:]}
    audience = IntendedAudience(
        scope=fields.texts("scope") or (),
        countries=countries["countries"],
        unsupported_countries=countries["unsupportedCountries"],
    )
    return None if audience == IntendedAudience() else audience


def _countries(reader: Reader, fields: Fields, name: str) -> tuple[str, ...]:
    for i, (code, item) in enumerate(_entries(fields, name)):
        problem = country_problem(code)
        if problem is not None:
            kind, message = problem
            key = f"{fields.child(name)}[{i}]"
            if kind == "error":
                reader.findings.error(key, item.where, message)
            else:
                reader.findings.warning(key, item.where, message)
    return tuple(code.upper() for code in fields.texts(name) or ())


def read_depends_on(reader: Reader, node: Node | None, where: Location) -> DependsOn | None:
    fields = reader.fields(node, "dependsOn", where, DEPENDS_ON_KEYS)
    if fields is None:
        return None
    groups = [
        reader.records(fields.node(name), fields.child(name), partial(_dependency, reader))
        for name in DEPENDS_ON_KEYS
    ]
    open_, proprietary, hardware = (group or () for group in groups)
    depends_on = DependsOn(open=open_, proprietary=proprietary, hardware=hardware)
    return None if depends_on == DependsOn() else depends_on


def _dependency(reader: Reader, node: Node, path: str) -> Dependency | None:
    fields = reader.fields(node, path, node.where, DEPENDENCY_KEYS)
    if fields is None:
        return None
    name = fields.text("name", required="the dependency's `name`")
    if not name:
        return None
    return Dependency(
        name=name,
        version_min=fields.text("versionMin"),
        version_max=fields.text("versionMax"),
        version=fields.text("version"),
        optional=fields.flag("optional"),
    )


def read_supports(reader: Reader, node: Node | None) -> tuple[str, ...] | None:
    """Standards and regulations the software supports: `alias:<name>` or any URI."""
    return reader.records(node, "supports", partial(_support, reader))


def _support(reader: Reader, node: Node, path: str) -> str | None:
    fields = reader.fields(node, path, node.where, SUPPORT_KEYS)
    if fields is None:
        return None
    ident = fields.text("id", required="the `id` of the supported standard (alias:… or a URI)")
    if not ident:
        return None
    if ident.startswith("alias:"):
        alias = ident.removeprefix("alias:")
        if alias not in SUPPORT_ALIASES:
            known = ", ".join(sorted(SUPPORT_ALIASES))
            fields.error("id", f"`{alias}` is not a known alias; the known ones are {known}.")
            return None
    else:
        problem = uri_problem(ident)
        if problem is not None:
            fields.error("id", problem)
            return None
    return ident


def read_italy(
    reader: Reader, node: Node | None, path: str, where: Location
) -> ItalianExtension | None:
    fields = reader.fields(node, path, where, ITALY_KEYS)
    if fields is None:
        return None
    version = fields.text("countryExtensionVersion")
    if version is not None and version not in COUNTRY_EXTENSION_VERSIONS:
        fields.error(
            "countryExtensionVersion",
            f"`{version}` is not a version of the Italian extension; use 1.0 (or 0.2).",
        )
    conformity = _flags(reader, fields, "conforme", CONFORMITY_KEYS)
    if fields.node("conforme") is not None:
        fields.warning("conforme", "`conforme` is deprecated; it can simply be removed.")
    codice_ipa = _codice_ipa(reader, fields)
    platforms = _flags(reader, fields, "piattaforme", PLATFORM_KEYS)
    extension = ItalianExtension(
        country_extension_version=version,
        conforme=None if conformity is None else ItalianConformity(*conformity),
        codice_ipa=codice_ipa,
        piattaforme=None if platforms is None else ItalianPlatforms(*platforms),
    )
    return None if extension == ItalianExtension() else extension


def _flags(
    reader: Reader, fields: Fields, name: str, keys: tuple[str, ...]
) -> tuple[bool | None, ...] | None:
    """The booleans of a sub-map in `keys` order; None when it holds none of them."""
    inner = reader.fields(fields.node(name), fields.child(name), fields.key_where(name), keys)
    if inner is None:
        return None
    values = tuple(inner.flag(key) for key in keys)
    return None if all(value is None for value in values) else values


def _codice_ipa(reader: Reader, fields: Fields) -> str | None:
    inner = reader.fields(
        fields.node("riuso"), fields.child("riuso"), fields.key_where("riuso"), REUSE_KEYS
    )
    code = None if inner is None else inner.text("codiceIPA")
    if inner is None or not code:
        return None
    problem = ipa_code_problem(code, reader.ipa_registry)
    if problem is not None:
        inner.error("codiceIPA", problem)
        return None
    inner.warning(
        "codiceIPA",
        f"`riuso.codiceIPA` is deprecated; set `organisation.uri` to urn:x-italian-pa:{code}.",
    )
    return code
