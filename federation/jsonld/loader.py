"""Offline JSON-LD document loader: the only place pyld gets a context from, never the network."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any, Final

from pyld import jsonld

from federation import vocab


class JsonLdRejected(ValueError):
    """A document we refuse to read; `reason` is a short stable code for logs and 400 bodies."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


class UnknownContext(JsonLdRejected):
    """A remote @context we do not hold: refused, because fetching it is an SSRF vector."""

    def __init__(self, url: str) -> None:
        super().__init__("unknown-context", url[:200])
        self.url = url


_CONTEXTS_PACKAGE: Final = "federation.jsonld.contexts"

# Canonical URL → bundled file (contexts/README.md names each file's source and licence).
_FILES: Final[dict[str, str]] = {
    vocab.AS_CONTEXT: "activitystreams.json",
    vocab.SECURITY_V1: "security-v1.json",
    vocab.DATA_INTEGRITY_V1: "data-integrity-v1.json",
    vocab.DATA_INTEGRITY_V2: "data-integrity-v2.json",
    vocab.MULTIKEY_V1: "multikey-v1.json",
    vocab.DID_V1: "did-v1.json",
    vocab.CID_V1: "cid-v1.json",
    vocab.IDENTITY_V1: "identity-v1.json",
    vocab.GOTOSOCIAL_CONTEXT: "gotosocial.json",
    vocab.WEBFINGER_CONTEXT: "webfinger.json",
}

# Other spellings peers put in @context for the same documents.
_ALIASES: Final[dict[str, str]] = {
    "http://www.w3.org/ns/activitystreams": vocab.AS_CONTEXT,
    "https://www.w3.org/ns/activitystreams.jsonld": vocab.AS_CONTEXT,
    "http://www.w3.org/ns/activitystreams.jsonld": vocab.AS_CONTEXT,
    "http://w3id.org/security/v1": vocab.SECURITY_V1,
    "http://w3id.org/security/data-integrity/v1": vocab.DATA_INTEGRITY_V1,
    "http://w3id.org/security/data-integrity/v2": vocab.DATA_INTEGRITY_V2,
    "http://w3id.org/security/multikey/v1": vocab.MULTIKEY_V1,
    "http://www.w3.org/ns/did/v1": vocab.DID_V1,
    "http://w3id.org/identity/v1": vocab.IDENTITY_V1,
    "http://purl.archive.org/socialweb/webfinger": vocab.WEBFINGER_CONTEXT,
}

_VARIANT_STARTS: Final = tuple(vocab.NAMESPACE_VARIANTS)
_DEFINITION_KEYS: Final = frozenset({"@id", "@type", "@container"})
_CONTAINERS_OK: Final = frozenset({"@list", "@set", "@language"})
_TYPES_ODD: Final = frozenset({"@json", "@none", "@vocab"})

KNOWN_CONTEXTS: Final[frozenset[str]] = frozenset([*_FILES, *_ALIASES, vocab.COMMONS_CONTEXT])


def canonical_url(url: str) -> str | None:
    """The URL we file a known context under, or None for one we do not hold."""
    if url in _FILES or url == vocab.COMMONS_CONTEXT:
        return url
    return _ALIASES.get(url)


@cache
def _parsed(url: str) -> Mapping[str, Any]:
    if url == vocab.COMMONS_CONTEXT:
        return {"@context": vocab.COMMONS_TERMS}
    text = resources.files(_CONTEXTS_PACKAGE).joinpath(_FILES[url]).read_text("utf-8")
    return json.loads(text)


def context_document(url: str) -> dict[str, Any]:
    """A private copy of a known context document; raises UnknownContext for any other URL."""
    canonical = canonical_url(url)
    if canonical is None:
        raise UnknownContext(url)
    return copy.deepcopy(dict(_parsed(canonical)))


def load_document(url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """pyld's documentLoader: bundled contexts only, tagged "static" so pyld caches them."""
    return {
        "contextUrl": None,
        "documentUrl": url,
        "document": context_document(url),
        "tag": "static",
        "contentType": "application/ld+json",
    }


def install() -> None:
    """Make this pyld's process-wide default too, so no caller can reach its HTTP loader."""
    jsonld.set_document_loader(load_document)


def expand_iri(value: str, prefixes: Mapping[str, str]) -> str | None:
    """A term definition's IRI with its prefix resolved; None for forms we do not follow."""
    if value[:1] == "@":
        return value
    prefix, colon, suffix = value.partition(":")
    if not colon or prefix == "_":
        return None  # vocab-relative or blank node: unusual in a term definition
    if suffix[:2] == "//":
        return value
    return prefixes[prefix] + suffix if prefix in prefixes else value


def normal_iri(iri: str) -> str:
    """One spelling per namespace (Mastodon writes schema.org three ways), so IRIs compare."""
    if not iri.startswith(_VARIANT_STARTS):
        return iri
    for variant, namespace in vocab.NAMESPACE_VARIANTS.items():
        if iri.startswith(variant):
            return namespace + iri[len(variant) :]
    return iri


def is_namespace(iri: str) -> bool:
    """Whether an IRI can serve as a prefix (JSON-LD 1.1: it ends in a gen-delim)."""
    return ":" in iri and iri[-1] in "#/"


def collect_prefixes(local: Mapping[str, Any], prefixes: dict[str, str]) -> None:
    """Add a term map's prefix definitions first: its other terms may use them in any order."""
    for term, definition in local.items():
        if isinstance(definition, str) and ":" not in term and is_namespace(definition):
            prefixes[term] = definition


def definition_iri(definition: Any, prefixes: Mapping[str, str]) -> str | None:
    """The IRI a plain term definition maps to; None for anything fancier (scoped, reverse…)."""
    if isinstance(definition, dict):
        if not definition.keys() <= _DEFINITION_KEYS:
            return None
        container = definition.get("@container")
        kind = definition.get("@type")
        if container is not None and (
            not isinstance(container, str) or container not in _CONTAINERS_OK
        ):
            return None
        if kind is not None and (not isinstance(kind, str) or kind in _TYPES_ODD):
            return None
        definition = definition.get("@id")
    if not isinstance(definition, str):
        return None
    iri = expand_iri(definition, prefixes)
    return None if iri is None else normal_iri(iri)


@cache
def term_iris(url: str) -> tuple[Mapping[str, str], Mapping[str, str]]:
    """(term → IRI, prefix → namespace) of a known context's top-level definitions.

    Scoped contexts inside definitions are not followed: they only apply under their type.
    """
    ctx = _parsed(canonical_url(url) or url)["@context"]
    layers = ctx if isinstance(ctx, list) else [ctx]
    terms: dict[str, str] = {}
    prefixes: dict[str, str] = {}
    for layer in layers:
        if not isinstance(layer, Mapping):
            continue
        collect_prefixes(layer, prefixes)
        for term, definition in layer.items():
            raw = definition.get("@id") if isinstance(definition, Mapping) else definition
            if term[:1] == "@" or not isinstance(raw, str):
                continue
            iri = expand_iri(raw, prefixes)
            if iri is not None:
                terms[term] = normal_iri(iri)
    return terms, prefixes
