"""publiccode.yml import, second step: typed reading of the YAML nodes, reporting what does not fit.

The section readers ask a `Fields` for text, booleans and lists by key; a value of the wrong
type is reported here once and read as absent, so the checks after it see "missing" rather
than a half-read value.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TypeVar

from commonsnode.publiccode.findings import Finding, Findings, Location
from commonsnode.publiccode.yaml_source import Mapping, Node, Scalar, Sequence, key_at_line

T = TypeVar("T")


def join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _shown(node: Node) -> str:
    if isinstance(node, Mapping):
        return "a map"
    if isinstance(node, Sequence):
        return "a list"
    if node.kind == "bool":
        return "a boolean"
    if node.kind in ("int", "float"):
        return "a number"
    return f"`{node.text}`" if node.kind != "other" else "a tagged value"


def is_null(node: Node | None) -> bool:
    return node is None or (isinstance(node, Scalar) and node.kind == "null")


class Reader:
    """Shared state of one import: the findings, the document root and the IPA registry."""

    def __init__(
        self, root: Mapping, findings: Findings, ipa_registry: frozenset[str] | None
    ) -> None:
        self.root = root
        self.findings = findings
        self.ipa_registry = ipa_registry
        self.structural: list[Finding] = []
        self.type_errors = 0

    def wrong_type(self, node: Node, path: str, expected: str) -> None:
        """Named after what starts on the value's line, as the official parser does."""
        key = key_at_line(self.root, node.line) or path
        finding = Finding(
            node.line,
            node.column,
            key,
            "error",
            f"Wrong type: {expected} belongs here, not {_shown(node)}.",
        )
        self.type_errors += 1
        self.structural.append(finding)
        self.findings.add(finding)

    def unknown_key(self, key: Scalar, path: str, known: Collection[str]) -> None:
        near = [name for name in known if name.lower() == key.text.lower()]
        hint = f" (did you mean `{near[0]}`?)" if near else ""
        finding = Finding(
            key.line,
            key.column,
            join(path, key.text),
            "error",
            f"`{key.text}` is not a key of publiccode.yml here{hint}.",
        )
        self.structural.append(finding)
        self.findings.add(finding)

    def missing(self, path: str, where: Location, what: str) -> None:
        self.findings.error(path, where, f"Missing: {what}.")

    def fields(
        self, node: Node | None, path: str, where: Location, known: Collection[str]
    ) -> Fields | None:
        """The entries of a map, unknown keys reported; None when absent, null or not a map."""
        if node is None or is_null(node):
            return None
        if not isinstance(node, Mapping):
            self.wrong_type(node, path, "a map of keys")
            return None
        entries: dict[str, tuple[Scalar, Node]] = {}
        for key, value in node.entries:
            if key.text in known:
                entries[key.text] = (key, value)
            else:
                self.unknown_key(key, path, known)
        return Fields(self, path, where, entries)

    def items(self, node: Node | None, path: str) -> tuple[Node, ...] | None:
        """The entries of a list: () when absent or null, None when not a list (reported)."""
        if node is None or is_null(node):
            return ()
        if not isinstance(node, Sequence):
            self.wrong_type(node, path, "a list")
            return None
        return node.items

    def text(self, node: Node | None, path: str) -> str | None:
        """Any scalar reads as its text (`1.0`, `+39…`), as YAML 1.2 readers do for strings."""
        if node is None or is_null(node):
            return None
        if not isinstance(node, Scalar) or node.kind == "other":
            self.wrong_type(node, path, "a text")
            return None
        return node.text

    def flag(self, node: Node | None, path: str) -> bool | None:
        if node is None or is_null(node):
            return None
        if isinstance(node, Scalar) and node.kind == "bool":
            return node.text.lower() == "true"
        if isinstance(node, Scalar) and node.is_yaml11_boolean:
            key = key_at_line(self.root, node.line) or path
            finding = Finding(
                node.line,
                node.column,
                key,
                "error",
                f"`{node.text}` is a boolean only in YAML 1.1; write true or false (YAML 1.2).",
            )
            self.type_errors += 1
            self.structural.append(finding)
            self.findings.add(finding)
            return None
        self.wrong_type(node, path, "true or false")
        return None

    def texts(self, node: Node | None, path: str) -> tuple[str, ...] | None:
        """A list of texts, () when absent; None when it or an entry has the wrong type."""
        items = self.items(node, path)
        if items is None:
            return None
        values = [self.text(item, f"{path}[{i}]") for i, item in enumerate(items)]
        if any(value is None for value in values):
            return None
        return tuple(value for value in values if value is not None)

    def records(
        self, node: Node | None, path: str, read: Callable[[Node, str], T | None]
    ) -> tuple[T, ...] | None:
        """A list of maps, each read by `read`; () when absent, None if an entry is unreadable."""
        items = self.items(node, path)
        if items is None:
            return None
        values = [read(item, f"{path}[{i}]") for i, item in enumerate(items)]
        if any(value is None for value in values):
            return None
        return tuple(value for value in values if value is not None)


@dataclass(slots=True)
class Fields:
    """The known entries of one map, with where the map's own key stands for missing-key reports."""

    reader: Reader
    path: str
    where: Location
    entries: dict[str, tuple[Scalar, Node]]

    def node(self, name: str) -> Node | None:
        entry = self.entries.get(name)
        return None if entry is None else entry[1]

    def key_where(self, name: str) -> Location:
        entry = self.entries.get(name)
        return self.where if entry is None else entry[0].where

    def value_where(self, name: str) -> Location:
        entry = self.entries.get(name)
        return self.where if entry is None else entry[1].where

    def child(self, name: str) -> str:
        return join(self.path, name)

    def text(self, name: str, *, required: str = "") -> str | None:
        """The text at `name`; if `required` says what it is, an absent or empty one is reported."""
        value = self.reader.text(self.node(name), self.child(name))
        if required and not value:
            self.reader.missing(self.child(name), self.key_where(name), required)
            return None
        return value

    def flag(self, name: str, *, required: str = "") -> bool | None:
        value = self.reader.flag(self.node(name), self.child(name))
        if required and value is None:
            self.reader.missing(self.child(name), self.key_where(name), required)
        return value

    def texts(self, name: str) -> tuple[str, ...] | None:
        return self.reader.texts(self.node(name), self.child(name))

    def error(self, name: str, message: str) -> None:
        self.reader.findings.error(self.child(name), self.value_where(name), message)

    def warning(self, name: str, message: str) -> None:
        self.reader.findings.warning(self.child(name), self.key_where(name), message)
