"""publiccode.yml as it arrives: YAML kept as written, JSON read in place, merge patches."""

from __future__ import annotations

import json

from commonsnode.publiccode.documents import document_data, merge_patch, read_document
from tests.conftest import SHARED

VALID = SHARED / "publiccode" / "v0" / "valid"


def test_yaml_is_kept_as_written_with_its_comments() -> None:
    text = (VALID / "valid.yml").read_text()
    document = read_document(text.encode())
    assert document.result.listing is not None
    assert document.yaml_text == text


def test_json_is_checked_and_kept_as_its_yaml_export() -> None:
    data = document_data((VALID / "valid.yml").read_text())
    document = read_document(json.dumps(data))
    assert document.result.findings == ()
    assert document.yaml_text is not None
    again = read_document(document.yaml_text)
    assert again.result.listing == document.result.listing


def test_json_that_is_not_yaml_is_still_read() -> None:
    data = document_data((VALID / "valid.minimal.yml").read_text())
    tabbed = json.dumps(data, indent="\t").replace("/", "\\/")
    assert read_document(tabbed).result.listing is not None


def test_stored_documents_read_as_yaml_1_2_data() -> None:
    data = document_data('a: yes\nb: true\nc: 1.10\nd: ~\ne: [x, "y"]\n')
    assert data == {"a": "yes", "b": True, "c": "1.10", "d": None, "e": ["x", "y"]}


def test_merge_patch_follows_rfc_7396() -> None:
    target = {"a": "b", "c": {"d": "e", "f": "g"}, "l": [1, 2]}
    patch = {"a": "z", "c": {"f": None, "h": "i"}, "l": [3], "n": None}
    assert merge_patch(target, patch) == {"a": "z", "c": {"d": "e", "h": "i"}, "l": [3]}
    assert merge_patch(target, ["replaced"]) == ["replaced"]
