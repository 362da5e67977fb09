"""publiccode.yml import, first step: text → a tree of YAML nodes that know their line and column.

The tree is read with YAML 1.2 core-schema rules, as the standard asks: `yes`, `no`, `on`, `off`
are strings here, not booleans (the field checks refuse them where a boolean is expected), and an
unquoted `2017-04-15` stays the text it is. PyYAML only tokenises and composes; the meaning of
plain scalars is decided here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import yaml

from commonsnode.publiccode.findings import FILE_START, Finding, Location

ScalarKind = Literal["str", "null", "bool", "int", "float", "other"]

MAX_BYTES = 2 * 1024 * 1024
MAX_NODES = 100_000

YAML11_BOOLEANS = frozenset(
    word
    for base in ("y", "yes", "n", "no", "on", "off")
    for word in (base, base.capitalize(), base.upper())
)

_PLAIN = "tag:commonsnode,2025:plain"
_TAG = "tag:yaml.org,2002:"
_NULL = re.compile(r"~|null|Null|NULL|")
_BOOL = re.compile(r"true|True|TRUE|false|False|FALSE")
_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT = re.compile(
    r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)"
)


@dataclass(frozen=True, slots=True)
class Scalar:
    text: str
    kind: ScalarKind
    plain: bool
    line: int
    column: int

    @property
    def where(self) -> Location:
        return Location(self.line, self.column)

    @property
    def is_yaml11_boolean(self) -> bool:
        """`yes`/`no`/`on`/`off`/`y`/`n`: a boolean to a YAML 1.1 reader, a string to a 1.2 one."""
        return self.plain and self.kind == "str" and self.text in YAML11_BOOLEANS


@dataclass(frozen=True, slots=True)
class Mapping:
    entries: tuple[tuple[Scalar, Node], ...]
    line: int
    column: int

    @property
    def where(self) -> Location:
        return Location(self.line, self.column)


@dataclass(frozen=True, slots=True)
class Sequence:
    items: tuple[Node, ...]
    line: int
    column: int

    @property
    def where(self) -> Location:
        return Location(self.line, self.column)


Node = Scalar | Mapping | Sequence


@dataclass(frozen=True, slots=True)
class Source:
    """The composed document: its root mapping, or None with the findings that say why not."""

    root: Mapping | None
    findings: tuple[Finding, ...]


class _Loader(yaml.SafeLoader):
    """Leaves plain scalars untyped, so YAML 1.1 implicit typing never applies."""

    def resolve(self, kind: object, value: str, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode:
            return _PLAIN if implicit[0] else f"{_TAG}str"
        return f"{_TAG}seq" if kind is yaml.SequenceNode else f"{_TAG}map"


def plain_kind(text: str) -> ScalarKind:
    """What an unquoted scalar means under the YAML 1.2 core schema."""
    if _NULL.fullmatch(text):
        return "null"
    if _BOOL.fullmatch(text):
        return "bool"
    if _INT.fullmatch(text):
        return "int"
    if _FLOAT.fullmatch(text):
        return "float"
    return "str"


def _tagged_kind(tag: str) -> ScalarKind:
    name = tag.removeprefix(_TAG) if tag.startswith(_TAG) else ""
    if name in ("str", "null", "bool", "int", "float"):
        return name  # type: ignore[return-value]
    return "other"


def _file_error(message: str, where: Location = FILE_START) -> Source:
    return Source(None, (Finding(where.line, where.column, "", "error", message),))


class _TooLarge(Exception):
    """The document expands (through aliases) past MAX_NODES values."""


class _Converter:
    """Turns PyYAML nodes into ours, counting nodes so that alias bombs stop early."""

    def __init__(self) -> None:
        self.nodes = 0
        self.findings: list[Finding] = []

    def convert(self, node: yaml.Node, path: str) -> Node:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _TooLarge
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
        if isinstance(node, yaml.ScalarNode):
            plain = node.tag == _PLAIN
            kind = plain_kind(node.value) if plain else _tagged_kind(node.tag)
            return Scalar(node.value, kind, plain, line, column)
        if isinstance(node, yaml.SequenceNode):
            items = tuple(self.convert(item, f"{path}[{i}]") for i, item in enumerate(node.value))
            return Sequence(items, line, column)
        entries: list[tuple[Scalar, Node]] = []
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = self.convert(key_node, path)
            if not isinstance(key, Scalar):
                self._error(path, key.where, "A key must be a plain name, not a list or a map.")
                continue
            child = f"{path}.{key.text}" if path else key.text
            if key.text in seen:
                self._error(child, key.where, f"The key `{key.text}` appears twice in this map.")
                continue
            seen.add(key.text)
            entries.append((key, self.convert(value_node, child)))
        return Mapping(tuple(entries), line, column)

    def _error(self, key: str, where: Location, message: str) -> None:
        self.findings.append(Finding(where.line, where.column, key, "error", message))


def _decode(data: str | bytes) -> str | Source:
    if isinstance(data, str):
        text = data
    else:
        if len(data) > MAX_BYTES:
            return _file_error(f"The file is larger than {MAX_BYTES // 1024} KiB.")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            return _file_error(
                "The file is not valid UTF-8 text; save it as UTF-8.", Location(line, 1)
            )
    if len(text) > MAX_BYTES:
        return _file_error(f"The file is larger than {MAX_BYTES // 1024} KiB.")
    return text.removeprefix("\ufeff")


def load(data: str | bytes) -> Source:
    """Compose one YAML document; report a malformed file as findings rather than raising."""
    text = _decode(data)
    if isinstance(text, Source):
        return text
    try:
        documents = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Location(mark.line + 1, mark.column + 1) if mark else FILE_START
        return _file_error(
            f"This is not valid YAML: {exc.problem or exc.context}; check the indentation "
            "and quoting near here.",
            where,
        )
    except yaml.YAMLError as exc:
        return _file_error(f"This is not valid YAML ({exc}).")
    except RecursionError:
        return _file_error("The YAML is nested too deeply.")
    if len(documents) != 1:
        found = "no YAML document" if not documents else "more than one YAML document"
        return _file_error(f"The file must hold exactly one YAML document; it holds {found}.")
    converter = _Converter()
    try:
        root = converter.convert(documents[0], "")
    except _TooLarge:
        return _file_error(f"The document expands to more than {MAX_NODES} values.")
    if not isinstance(root, Mapping):
        return _file_error("The file must be a map of keys (publiccodeYmlVersion, name, …).")
    return Source(root, tuple(converter.findings))


def key_at_line(node: Node, line: int, path: str = "") -> str | None:
    """The path of the first key or list entry that starts on `line`, in document order.

    A value of the wrong type is named after what starts on its line, as the official parser
    does: `countries: {}` names `countries`, while a map written below `fundedBy:` (where a
    list belongs) names its first key, `fundedBy.name`.
    """
    if isinstance(node, Mapping):
        for key, value in node.entries:
            child = f"{path}.{key.text}" if path else key.text
            if key.line == line:
                return child
            if not isinstance(value, Scalar):
                found = key_at_line(value, line, child)
                if found is not None:
                    return found
    elif isinstance(node, Sequence):
        for i, item in enumerate(node.items):
            child = f"{path}[{i}]"
            if item.line == line:
                return child
            if not isinstance(item, Scalar):
                found = key_at_line(item, line, child)
                if found is not None:
                    return found
    return None
