"""yaml_source: YAML 1.2 typing of plain scalars, 1-based positions, malformed files as findings."""

from __future__ import annotations

import pytest

from commonsnode.publiccode.yaml_source import (
    MAX_NODES,
    Mapping,
    Scalar,
    Sequence,
    key_at_line,
    load,
)


def _root(text: str) -> Mapping:
    source = load(text)
    assert source.findings == ()
    assert source.root is not None
    return source.root


def _value(text: str) -> Scalar:
    value = _root(text).entries[0][1]
    assert isinstance(value, Scalar)
    return value


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("a: yes", "str"),
        ("a: on", "str"),
        ("a: 2017-04-15", "str"),
        ("a: 1:20", "str"),
        ("a: true", "bool"),
        ("a: FALSE", "bool"),
        ("a: ~", "null"),
        ("a:", "null"),
        ("a: 0755", "int"),
        ("a: 0x1F", "int"),
        ("a: 1e3", "float"),
        ("a: .inf", "float"),
        ('a: "true"', "str"),
        ("a: !!str 12", "str"),
        ("a: !!binary aGk=", "other"),
    ],
)
def test_plain_scalars_follow_yaml_1_2(text: str, kind: str) -> None:
    assert _value(text).kind == kind


@pytest.mark.parametrize("word", ["yes", "No", "ON", "off", "y", "N"])
def test_yaml_1_1_booleans_are_recognised_only_unquoted(word: str) -> None:
    assert _value(f"a: {word}").is_yaml11_boolean
    assert not _value(f'a: "{word}"').is_yaml11_boolean


def test_positions_are_one_based() -> None:
    root = _root("first: 1\nsecond:\n  - x\n  - y\n")
    key, value = root.entries[1]
    assert (key.line, key.column) == (2, 1)
    assert isinstance(value, Sequence)
    assert [(item.line, item.column) for item in value.items] == [(3, 5), (4, 5)]


def test_key_at_line_names_what_starts_on_the_line() -> None:
    root = _root("a: 1\nfundedBy:\n  name: x\norg:\n  - name: y\nflow: {}\n")
    assert key_at_line(root, 3) == "fundedBy.name"
    assert key_at_line(root, 5) == "org[0]"
    assert key_at_line(root, 6) == "flow"
    assert key_at_line(root, 99) is None


def _only_error(data: str | bytes) -> tuple[int, str, str]:
    source = load(data)
    assert source.root is None
    (finding,) = source.findings
    assert finding.kind == "error"
    return finding.line, finding.key, finding.message


def test_invalid_utf8_is_a_file_error_at_its_line() -> None:
    line, key, message = _only_error(b"name: ok\nother: caf\xe9\n")
    assert (line, key) == (2, "")
    assert "UTF-8" in message


def test_malformed_yaml_is_located() -> None:
    line, key, message = _only_error("a:\n  b: 1\n   c: 2\n")
    assert key == ""
    assert line == 3
    assert "not valid YAML" in message


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "no YAML document"),
        ("a: 1\n---\nb: 2\n", "more than one"),
        ("- a\n- b\n", "map of keys"),
        ("just text\n", "map of keys"),
    ],
)
def test_documents_that_are_not_one_map_are_refused(text: str, words: str) -> None:
    assert words in _only_error(text)[2]


def test_a_byte_order_mark_is_accepted() -> None:
    assert _root("\ufeffname: x\n").entries[0][0].text == "name"


def test_duplicate_keys_are_reported_with_their_path() -> None:
    source = load("legal:\n  license: MIT\n  license: EUPL-1.2\n")
    assert source.root is not None
    (finding,) = source.findings
    assert (finding.key, finding.line, finding.column) == ("legal.license", 3, 3)


def test_alias_expansion_is_bounded() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 12)]
    assert str(MAX_NODES) in _only_error("\n".join(lines) + "\n")[2]


def test_aliases_within_bounds_are_expanded() -> None:
    root = _root("a: &v hello\nb: *v\n")
    value = root.entries[1][1]
    assert isinstance(value, Scalar)
    assert value.text == "hello"
