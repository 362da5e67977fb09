"""publiccode.yml documents as they arrive: YAML text, JSON text, or a JSON merge patch."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from commonsnode.publiccode.export import export_publiccode
from commonsnode.publiccode.parse import ParseResult, parse_publiccode
from commonsnode.publiccode.yaml_source import Mapping, Node, Scalar, Sequence, load


@dataclass(frozen=True, slots=True)
class Document:
    """A checked document: the findings, and the YAML text to keep when it has no error."""

    result: ParseResult
    yaml_text: str | None


def read_document(text: str | bytes) -> Document:
    """Check a publiccode.yml given as YAML or as JSON, with findings placed in that text.

    JSON is read as the YAML it almost always is, so findings point into the JSON as sent;
    JSON that is not YAML (tab indentation, `\\/`) is checked in a re-indented copy instead.
    A JSON document is kept as its YAML export; a YAML one as written, comments included.
    """
    result = parse_publiccode(text)
    as_json = _json_object(text)
    if as_json is not None and result.listing is None and _whole_file_error(result):
        result = parse_publiccode(json.dumps(as_json, indent=2, ensure_ascii=False))
    if result.listing is None:
        return Document(result, None)
    if as_json is not None:
        return Document(result, export_publiccode(result.listing))
    raw = text.decode("utf-8") if isinstance(text, bytes) else text
    return Document(result, raw.removeprefix("\ufeff"))


def document_data(yaml_text: str) -> dict[str, Any]:
    """A stored document as JSON data, read with the same YAML 1.2 rules as the checks."""
    source = load(yaml_text)
    return {} if source.root is None else _data(source.root)  # type: ignore[return-value]


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON merge patch: objects merge key by key, null removes, the rest replaces."""
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged


def _data(node: Node) -> Any:
    if isinstance(node, Mapping):
        return {key.text: _data(value) for key, value in node.entries}
    if isinstance(node, Sequence):
        return [_data(item) for item in node.items]
    if isinstance(node, Scalar):
        if node.kind == "null":
            return None
        if node.kind == "bool":
            return node.text.lower() == "true"
        return node.text  # every other publiccode.yml value is read as text
    raise TypeError(f"unexpected node {node!r}")


def _json_object(text: str | bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


def _whole_file_error(result: ParseResult) -> bool:
    return any(f.key == "" and f.kind == "error" for f in result.findings)
