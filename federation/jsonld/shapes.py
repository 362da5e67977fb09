"""Tiny readers for AS2's one-or-many and id-or-object fields, applied to normalise()'s output."""

from __future__ import annotations

from typing import Any


def as_list(value: Any, cap: int) -> list[Any]:
    """Any AS2 field may be absent, one value or an array: always a list, at most `cap` long.

    The cap is the caller's, because only it knows how many tags, attachments or recipients
    it is willing to work through for one hostile document.
    """
    if cap < 0:
        raise ValueError("cap must be >= 0")
    if value is None:
        return []
    if isinstance(value, list):
        return value[:cap]
    return [value][:cap]


def first(value: Any) -> Any:
    """The first of a one-or-many field (None when empty), for fields we only use once."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def id_of(value: Any) -> str | None:
    """The IRI of an id-or-object field: the string itself, or an embedded object's `id`.

    A list is not guessed from: use `first()` where one of many is acceptable.
    """
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def str_or_none(value: Any) -> str | None:
    """A string field, or None when a peer sent a number, object or array instead."""
    return value if isinstance(value, str) else None
