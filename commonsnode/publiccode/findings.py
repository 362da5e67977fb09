"""publiccode.yml import, last step: what the checks say, each finding pinned to its place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Location:
    """A 1-based line and column. A missing key is placed at the key of the map it belongs in."""

    line: int
    column: int


FILE_START = Location(1, 1)


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing the author should know: an error refuses the file, a warning does not.

    `key` is the dotted path of the field (`legal.license`, `description.en.features`,
    `categories[0]`); it is empty for a problem of the file as a whole (not YAML, not UTF-8).
    """

    line: int
    column: int
    key: str
    kind: Kind
    message: str

    @property
    def is_error(self) -> bool:
        return self.kind == "error"

    def __str__(self) -> str:
        return f"{self.line}:{self.column} {self.kind} {self.key or '(file)'}: {self.message}"


class Findings:
    """Collects findings while the checks run, so each check just says what it saw and where."""

    __slots__ = ("_items",)

    def __init__(self) -> None:
        self._items: list[Finding] = []

    def error(self, key: str, where: Location, message: str) -> None:
        self._items.append(Finding(where.line, where.column, key, "error", message))

    def warning(self, key: str, where: Location, message: str) -> None:
        self._items.append(Finding(where.line, where.column, key, "warning", message))

    def add(self, finding: Finding) -> None:
        self._items.append(finding)

    @property
    def has_errors(self) -> bool:
        return any(f.is_error for f in self._items)

    def sorted(self) -> tuple[Finding, ...]:
        """In file order, so a reader can walk the file top to bottom; whole-file problems first."""
        return tuple(sorted(self._items, key=lambda f: (f.line, f.column)))
