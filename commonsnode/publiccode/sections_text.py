"""publiccode.yml import, field checks: the per-language `description`, and `localisation`."""

from __future__ import annotations

from collections.abc import Callable

from commonsnode.publiccode.findings import Location
from commonsnode.publiccode.formats import (
    grapheme_count,
    http_url_problem,
    language_problem,
    path_or_url_problem,
)
from commonsnode.publiccode.listing import Description, Localisation
from commonsnode.publiccode.reader import Fields, Reader, is_null
from commonsnode.publiccode.yaml_source import Mapping, Node, Scalar, Sequence

DESCRIPTION_KEYS = (
    "localisedName",
    "genericName",
    "shortDescription",
    "longDescription",
    "documentation",
    "apiDocumentation",
    "features",
    "screenshots",
    "videos",
    "awards",
)
LOCALISATION_KEYS = ("localisationReady", "availableLanguages")

GENERIC_NAME_MAX = 35
SHORT_DESCRIPTION_MAX = 150
LONG_DESCRIPTION_MIN = 150
LONG_DESCRIPTION_MAX = 10_000


def fields_or_empty(
    reader: Reader, node: Node | None, path: str, where: Location, known: tuple[str, ...]
) -> Fields | None:
    """The map's fields, an empty map when absent (so its required keys get reported), or None
    when the value is of the wrong type (already reported)."""
    if is_null(node):
        return Fields(reader, path, where, {})
    return reader.fields(node, path, where, known)


def read_descriptions(
    reader: Reader, node: Node | None, where: Location
) -> tuple[Description, ...] | None:
    """At least one language; each key a BCP 47 tag, each value the texts in that language."""
    if is_null(node) or (isinstance(node, Mapping) and not node.entries):
        reader.missing("description", where, "a `description` in at least one language, like en")
        return None
    if not isinstance(node, Mapping):
        assert node is not None
        reader.wrong_type(node, "description", "a map of languages (en, it, …)")
        return None
    descriptions: list[Description | None] = []
    for key, value in node.entries:
        problem = language_problem(key.text)
        if problem is not None:
            reader.findings.error("description", key.where, f"Language key: {problem}")
        description = _read_language(reader, key, value)
        descriptions.append(None if problem else description)
    if any(d is None for d in descriptions):
        return None
    return tuple(d for d in descriptions if d is not None)


def _length_check(fields: Fields, name: str, text: str, low: int, high: int) -> None:
    count = grapheme_count(text)
    if count > high:
        fields.error(name, f"`{name}` has {count} characters; at most {high} are allowed.")
    elif count < low:
        fields.error(name, f"`{name}` has {count} characters; at least {low} are needed.")


def _read_language(reader: Reader, key: Scalar, node: Node) -> Description | None:
    path = f"description.{key.text}"
    fields = fields_or_empty(reader, node, path, key.where, DESCRIPTION_KEYS)
    if fields is None:
        return None
    generic = fields.text("genericName")
    if generic:
        fields.warning("genericName", "`genericName` is deprecated; it can simply be removed.")
        _length_check(fields, "genericName", generic, 0, GENERIC_NAME_MAX)
    short = fields.text("shortDescription", required="a one-sentence `shortDescription`")
    if short:
        _length_check(fields, "shortDescription", short, 0, SHORT_DESCRIPTION_MAX)
    long = fields.text("longDescription", required="a `longDescription` for the software's users")
    if long:
        _length_check(fields, "longDescription", long, LONG_DESCRIPTION_MIN, LONG_DESCRIPTION_MAX)
    documentation = _web_address(fields, "documentation")
    api_documentation = _web_address(fields, "apiDocumentation")
    features = fields.texts("features")
    if not features:
        reader.missing(
            fields.child("features"),
            fields.key_where("features"),
            "a non-empty list of `features` the software offers its users",
        )
    screenshots = _checked_list(fields, "screenshots", path_or_url_problem)
    videos = _checked_list(fields, "videos", http_url_problem)
    awards = fields.texts("awards")
    if short is None or long is None or not features:
        return None
    return Description(
        language=key.text,
        short_description=short,
        long_description=long,
        features=features,
        localised_name=fields.text("localisedName"),
        generic_name=generic,
        documentation=documentation,
        api_documentation=api_documentation,
        screenshots=screenshots,
        videos=videos,
        awards=awards or (),
    )


def _web_address(fields: Fields, name: str) -> str | None:
    value = fields.text(name)
    if value is not None:
        problem = http_url_problem(value)
        if problem is not None:
            fields.error(name, problem)
    return value


def _checked_list(fields: Fields, name: str, check: Callable[[str], str | None]) -> tuple[str, ...]:
    """A list of texts, each checked; problems are reported at the entry (`videos[0]`)."""
    values = fields.texts(name)
    node = fields.node(name)
    if not values or not isinstance(node, Sequence):
        return values or ()
    for i, (value, item) in enumerate(zip(values, node.items, strict=True)):
        problem = check(value)
        if problem is not None:
            fields.reader.findings.error(f"{fields.child(name)}[{i}]", item.where, problem)
    return values


def read_localisation(reader: Reader, node: Node | None, where: Location) -> Localisation | None:
    fields = fields_or_empty(reader, node, "localisation", where, LOCALISATION_KEYS)
    if fields is None:
        return None
    ready = fields.flag(
        "localisationReady",
        required="`localisationReady`, true when the software is ready to be translated",
    )
    languages = fields.texts("availableLanguages")
    if not languages:
        reader.missing(
            fields.child("availableLanguages"),
            fields.key_where("availableLanguages"),
            "`availableLanguages`, the BCP 47 tags of the languages the software speaks",
        )
    else:
        _checked_list(fields, "availableLanguages", language_problem)
    if ready is None or not languages:
        return None
    return Localisation(localisation_ready=ready, available_languages=languages)
