"""publiccode.yml import, field checks: the single top-level keys (url, dates, logos, lists)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Collection

from commonsnode.publiccode.formats import (
    logo_extension_problem,
    mime_type_problem,
    parse_date,
    path_or_url_problem,
    url_problem,
)
from commonsnode.publiccode.reader import Fields, Reader, is_null
from commonsnode.publiccode.yaml_source import Node, Scalar, Sequence

Check = Callable[[str], str | None]


def checked(fields: Fields, name: str, check: Check, *, required: str = "") -> str | None:
    """A text that must also pass `check`; a failing one is reported and read as absent."""
    value = fields.text(name, required=required)
    if value:
        problem = check(value)
        if problem is not None:
            fields.error(name, problem)
            return None
    return value


def one_of(fields: Fields, name: str, allowed: Collection[str]) -> str | None:
    value = fields.text(name, required=f"`{name}`, one of {', '.join(allowed)}")
    if value and value not in allowed:
        fields.error(name, f"`{value}` is not allowed; use one of {', '.join(allowed)}.")
        return None
    return value


def listed(fields: Fields, name: str, allowed: Collection[str], described: str) -> tuple[str, ...]:
    """A list whose entries come from a closed vocabulary; unknown ones reported at `name[i]`."""
    values = fields.texts(name) or ()
    node = fields.node(name)
    if isinstance(node, Sequence):
        for i, (value, item) in enumerate(zip(values, node.items, strict=False)):
            if value not in allowed:
                fields.reader.findings.error(
                    f"{name}[{i}]", item.where, f"`{value}` is not in {described}."
                )
    return values


def is_based_on(reader: Reader, fields: Fields) -> tuple[str, ...]:
    """One URL or a list of URLs of the projects this one is a fork or variant of."""
    node = fields.node("isBasedOn")
    if isinstance(node, Scalar) and not is_null(node):
        values: tuple[str, ...] = (fields.text("isBasedOn") or "",)
        items: tuple[Node, ...] = (node,)
    else:
        values = fields.texts("isBasedOn") or ()
        items = node.items if isinstance(node, Sequence) else ()
    for i, (value, item) in enumerate(zip(values, items, strict=False)):
        problem = url_problem(value)
        if problem is not None:
            reader.findings.error(f"isBasedOn[{i}]", item.where, problem)
    return values


def date(fields: Fields, name: str) -> datetime.date | None:
    value = fields.text(name)
    if value is None:
        return None
    parsed = parse_date(value)
    if parsed is None:
        fields.error(name, f"`{value}` is not a date written as YYYY-MM-DD.")
    return parsed


def logo(fields: Fields, name: str, *, deprecated: bool = False) -> str | None:
    """A relative path in the repository or an http(s) URL, to an SVG, SVGZ or PNG file.

    Whether the file exists, and is an image, needs the repository: not checked here.
    """
    value = fields.text(name)
    if value is None:
        return None
    if deprecated:
        fields.warning(name, f"`{name}` is deprecated; use `logo`.")
    if value:
        problem = path_or_url_problem(value) or logo_extension_problem(value)
        if problem is not None:
            fields.error(name, problem)
    return value or None


def media_types(fields: Fields, name: str) -> tuple[str, ...]:
    """The deprecated `inputTypes` / `outputTypes`: still checked, so old files stay correct."""
    values = fields.texts(name)
    if values is None or is_null(fields.node(name)):
        return ()
    fields.warning(name, f"`{name}` is deprecated; it can simply be removed.")
    node = fields.node(name)
    items = node.items if isinstance(node, Sequence) else ()
    for i, (value, item) in enumerate(zip(values, items, strict=False)):
        problem = mime_type_problem(value)
        if problem is not None:
            fields.reader.findings.error(f"{name}[{i}]", item.where, problem)
    return values
