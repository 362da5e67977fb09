"""JSON-LD at the federation edge: bundled contexts, normalise() for inbound documents, shapes."""

from __future__ import annotations

from federation.jsonld.loader import (
    KNOWN_CONTEXTS,
    JsonLdRejected,
    UnknownContext,
    install,
    load_document,
)
from federation.jsonld.normalise import compact, needs_compaction, normalise
from federation.jsonld.shapes import as_list, first, id_of, str_or_none

# Whoever calls pyld in this process, its default loader must not be the HTTP one.
install()

__all__ = [
    "KNOWN_CONTEXTS",
    "JsonLdRejected",
    "UnknownContext",
    "as_list",
    "compact",
    "first",
    "id_of",
    "install",
    "load_document",
    "needs_compaction",
    "normalise",
    "str_or_none",
]
