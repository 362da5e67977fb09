"""AS2 shape readers: one-or-many, id-or-object, and a cap the caller chooses."""

from __future__ import annotations

from typing import Any

import pytest

from federation.jsonld import as_list, first, id_of, str_or_none

NOTE = "https://peer.example/notes/1"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, []),
        ("a", ["a"]),
        ({"id": NOTE}, [{"id": NOTE}]),
        (["a", "b"], ["a", "b"]),
        ([], []),
    ],
)
def test_as_list_accepts_one_or_many(value: Any, expected: list[Any]) -> None:
    assert as_list(value, 10) == expected


def test_as_list_caps_hostile_arrays() -> None:
    assert as_list(list(range(100_000)), 20) == list(range(20))
    assert as_list("a", 0) == []
    with pytest.raises(ValueError, match="cap"):
        as_list([1], -1)


def test_first_takes_one_of_many() -> None:
    assert first(["a", "b"]) == "a"
    assert first([]) is None
    assert first("a") == "a"
    assert first(None) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (NOTE, NOTE),
        ({"id": NOTE, "type": "Note"}, NOTE),
        ({"type": "Note"}, None),  # an embedded object without id
        ({"id": 7}, None),
        ("", None),
        ([NOTE], None),  # lists are not guessed from: first() says which one
        (None, None),
        (3, None),
    ],
)
def test_id_of_reads_an_iri_or_an_embedded_object(value: Any, expected: str | None) -> None:
    assert id_of(value) == expected


def test_id_of_first_for_one_of_many_actors() -> None:
    assert id_of(first([{"id": NOTE}, "https://peer.example/other"])) == NOTE


@pytest.mark.parametrize(("value", "expected"), [("x", "x"), ("", ""), (1, None), (["x"], None)])
def test_str_or_none(value: Any, expected: str | None) -> None:
    assert str_or_none(value) == expected
