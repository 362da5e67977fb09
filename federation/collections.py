"""OrderedCollection and its pages, keyset-paged so deep pages cost the same as the first."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from federation.vocab import AS_CONTEXT

PAGE_SIZE = 40


def collection(iri: str, total: int) -> dict[str, Any]:
    """The collection's front document: a count and a link to the first page."""
    return {
        "@context": AS_CONTEXT,
        "id": iri,
        "type": "OrderedCollection",
        "totalItems": total,
        "first": f"{iri}?page=true",
    }


def page(
    iri: str, items: list[Any], *, cursor_name: str, next_cursor: str | None, current: str
) -> dict[str, Any]:
    """One page; `next` carries the keyset cursor of the last item when more may follow."""
    document: dict[str, Any] = {
        "@context": AS_CONTEXT,
        "id": current,
        "type": "OrderedCollectionPage",
        "partOf": iri,
        "orderedItems": items,
    }
    if next_cursor is not None:
        document["next"] = f"{iri}?page=true&{cursor_name}={quote(next_cursor, safe='')}"
    return document
