"""Step 6 of the inbound pipeline: read a peer's JSON-LD as plain JSON, offline, or refuse it.

Most documents (Mastodon, GoToSocial, Fedify, us) use a known form of @context, where each
key we read means what its name says: those are handed back untouched (the fast path). Any
other document is compacted by pyld against READ_CONTEXT, offline, and the compacted form is
what callers read; if compaction would change who or what the document is about, it is
refused (security.md rule 8).
"""

from __future__ import annotations

import copy
import json
import logging
import warnings
from collections.abc import Mapping
from functools import cache
from typing import Any, Final

from pyld import jsonld

from federation import vocab
from federation.jsonld.loader import (
    JsonLdRejected,
    UnknownContext,
    canonical_url,
    collect_prefixes,
    definition_iri,
    is_namespace,
    load_document,
    term_iris,
)
from federation.jsonld.shapes import as_list, id_of

_log = logging.getLogger(__name__)

FORBIDDEN_KEYWORDS: Final = frozenset({"@graph", "@included", "@reverse"})
MAX_DEPTH: Final = 32  # Announce{Create{Note{tag{icon}}}} is 6; far deeper is an attack
MAX_CONTEXT_ENTRIES: Final = 32  # Fedify sends 8
MAX_INLINE_TERMS: Final = 512  # Mastodon sends ~40, we send ~75
_IDENTITY_FIELDS: Final = ("id", "type", "actor", "attributedTo")
_IDENTITY_CAP: Final = 8
_CONTEXT_KEYWORDS_OK: Final = frozenset({"@language", "@version"})
_PUBLIC_COMPACT: Final = "as:Public"
_SHADOW_KEYS: Final = frozenset(
    f"{ns}{field}" for ns in ("as:", vocab.AS_NS) for field in ("actor", "attributedTo", "object")
)

# Security terms our bundled contexts disagree on (security v1 vs identity v1, which Fedify
# puts first) and that nothing reads: not held against a peer's context.
_UNREAD_DISPUTED: Final = frozenset({"signatureAlgorithm"})
# Mastodon's context (up to 2024) maps its end-to-end encryption classes into toot:, which
# security v1 also names; nothing here reads them, so the fast path may ignore the clash.
_UNREAD_PEER_CLASHES: Final = frozenset({"EncryptedMessage"})

# (canonical terms a context left meaning something else, prefix → namespace in force)
_State = tuple[frozenset[str], Mapping[str, str]]
# (canonical terms defined as we read them, ones defined otherwise, prefixes, plain enough)
_Layer = tuple[frozenset[str], frozenset[str], Mapping[str, str], bool]
_INLINE_CACHE: dict[tuple[str, frozenset[tuple[str, str]]], _Layer] = {}
_INLINE_CACHE_SIZE: Final = 256


def _read_context_terms() -> dict[str, str]:
    """Term → IRI as callers read documents: READ_CONTEXT, flattened."""
    terms: dict[str, str] = {}
    prefixes: dict[str, str] = {}
    for entry in vocab.READ_CONTEXT:
        if isinstance(entry, str):
            layer_terms, layer_prefixes = term_iris(entry)
            terms.update(layer_terms)
            prefixes.update(layer_prefixes)
            continue
        collect_prefixes(entry, prefixes)
        for term, definition in entry.items():
            iri = definition_iri(definition, prefixes)
            if iri is None:
                raise RuntimeError(f"READ_CONTEXT term {term!r} is not a plain definition")
            terms[term] = iri
    for term in _UNREAD_DISPUTED | _UNREAD_PEER_CLASHES:
        terms.pop(term, None)
    return terms


_CANON: Final = _read_context_terms()
_CANON_IRIS: Final = frozenset(
    iri for iri in _CANON.values() if iri[:1] != "@" and not is_namespace(iri)
)


@cache
def _layer(url: str) -> _Layer:
    """A known context as a layer: the canonical terms it defines as we read them, the ones it
    defines otherwise, its prefixes; bundled contexts are trusted to be plain enough."""
    terms, prefixes = term_iris(url)
    ours = {term for term, iri in terms.items() if _CANON.get(term) == iri}
    other = {term for term in terms if term in _CANON} - ours
    return frozenset(ours), frozenset(other), prefixes, True


_ROOT: Final[_State] = (frozenset(), _layer(vocab.AS_CONTEXT)[2])  # AS2 applies regardless


def _aliases_forbidden(definition: Any) -> bool:
    if isinstance(definition, dict):
        return "@reverse" in definition or definition.get("@id") in FORBIDDEN_KEYWORDS
    return isinstance(definition, str) and definition in FORBIDDEN_KEYWORDS


def _inline_layer(local: Mapping[str, Any], prefixes: Mapping[str, str]) -> _Layer:
    """An inline term map as a layer; not faithful when it does more than map terms to IRIs."""
    prefixes = dict(prefixes)
    collect_prefixes(local, prefixes)
    ours: set[str] = set()
    other: set[str] = set()
    faithful = True
    for term, definition in local.items():
        if _aliases_forbidden(definition):
            raise JsonLdRejected("forbidden-keyword", f"{term[:50]!r} aliases {definition!r:.80}")
        if term[:1] == "@":
            faithful = faithful and term in _CONTEXT_KEYWORDS_OK
            continue
        iri = definition_iri(definition, prefixes)
        if iri is None:
            faithful = False
            continue
        canonical = _CANON.get(term)
        if canonical is not None:
            (ours if iri == canonical else other).add(term)
        elif iri[:1] == "@" or iri in _CANON_IRIS or not iri.startswith(vocab.KNOWN_NAMESPACES):
            faithful = False  # keyword alias, second name for a term we read, or unusual prefix
    return frozenset(ours), frozenset(other), prefixes, faithful


def _inline(local: Mapping[str, Any], prefixes: Mapping[str, str]) -> _Layer:
    """_inline_layer, remembered: peers send the same few term maps over and over."""
    if local == _OWN_INLINE:  # commonsnode's own map: the most frequent, and the longest
        return _OWN_LAYER
    try:
        key = (json.dumps(local), frozenset(prefixes.items()))
    except (TypeError, ValueError):
        return _inline_layer(local, prefixes)
    layer = _INLINE_CACHE.get(key)
    if layer is None:
        layer = _inline_layer(local, prefixes)
        if len(_INLINE_CACHE) >= _INLINE_CACHE_SIZE:
            _INLINE_CACHE.pop(next(iter(_INLINE_CACHE)), None)
        _INLINE_CACHE[key] = layer
    return layer


def _apply_context(state: _State, context: Any) -> tuple[_State, bool]:
    """The state after one @context value, and whether it keeps the plain reading faithful."""
    bad = set(state[0])
    prefixes = dict(state[1])
    faithful = True
    entries = context if isinstance(context, list) else (context,)
    if len(entries) > MAX_CONTEXT_ENTRIES:
        raise JsonLdRejected("context-too-large", f"{len(entries)} entries")
    for entry in entries:
        if isinstance(entry, str):
            url = canonical_url(entry)
            if url is None:
                raise UnknownContext(entry)
            layer = _layer(url)
        elif isinstance(entry, dict):
            if len(entry) > MAX_INLINE_TERMS:  # pyld's slow path would chew on it for long
                raise JsonLdRejected("context-too-large", f"{len(entry)} terms")
            layer = _inline(entry, prefixes)
        elif entry is None:
            faithful = False  # a context reset: let pyld work out what remains
            continue
        else:
            raise JsonLdRejected("invalid-context", type(entry).__name__)
        ours, other, layer_prefixes, layer_faithful = layer
        bad -= ours
        bad |= other
        prefixes.update(layer_prefixes)
        faithful = faithful and layer_faithful
    return (frozenset(bad), prefixes), faithful and not bad


# Redefining a prefix it relies on (as:, xsd:) is itself caught as a canonical-term change.
_OWN_INLINE: Final = vocab.DEFAULT_CONTEXT[2]
_OWN_LAYER: Final = _inline_layer(_OWN_INLINE, _ROOT[1])


def needs_compaction(document: Mapping[str, Any]) -> bool:
    """Whether reading `document` as plain JSON could differ from its JSON-LD meaning.

    Raises JsonLdRejected for what we never read at all: unknown contexts, @graph, @included,
    @reverse anywhere, nesting deeper than MAX_DEPTH.
    """
    faithful = True
    stack: list[tuple[Any, _State, int]] = [(document, _ROOT, 0)]
    while stack:
        node, state, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise JsonLdRejected("too-deep", f"more than {MAX_DEPTH} levels")
        if isinstance(node, list):
            stack.extend((item, state, depth + 1) for item in node if isinstance(item, dict | list))
            continue
        if "@context" in node:
            state, ok = _apply_context(state, node["@context"])
            faithful = faithful and ok
        for key, value in node.items():
            if not isinstance(key, str):
                raise JsonLdRejected("invalid-key", type(key).__name__)
            if key[:1] == "@":
                if key in FORBIDDEN_KEYWORDS:
                    raise JsonLdRejected("forbidden-keyword", key)
                if key == "@context":
                    continue
                faithful = False
            elif ":" in key:
                faithful = False  # compact or absolute IRI as a key: may alias a term we read
            if isinstance(value, dict | list):
                stack.append((value, state, depth + 1))
    return not faithful


def _forbidden_anywhere(node: Any) -> str | None:
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            found = FORBIDDEN_KEYWORDS.intersection(item)
            if found:
                return min(found)
            stack.extend(value for key, value in item.items() if key != "@context")
    return None


def _full_public(node: Any) -> None:
    """pyld writes the public collection as "as:Public"; every reader expects the full IRI."""
    stack = [node]
    while stack:
        item = stack.pop()
        pairs = item.items() if isinstance(item, dict) else enumerate(item)
        for key, value in pairs:
            if value == _PUBLIC_COMPACT:
                item[key] = vocab.AS_PUBLIC
            elif isinstance(value, dict | list):
                stack.append(value)


def _identity(document: Mapping[str, Any]) -> tuple[Any, ...]:
    """Who and what a document is about, as a signature check or handler would read it."""

    def fields(node: Any) -> tuple[Any, ...]:
        if not isinstance(node, dict):
            return (id_of(node),)
        return tuple(
            tuple(id_of(v) if f != "type" else v for v in as_list(node.get(f), _IDENTITY_CAP))
            for f in _IDENTITY_FIELDS
        )

    return fields(document), fields(document.get("object"))


def _shadowed(document: Mapping[str, Any]) -> bool:
    """Whether compaction left an actor, author or object statement under another key: one
    a plain reader would not see (a literal, or an IRI-shaped key)."""
    nodes = [document, document.get("object")]
    return any(isinstance(n, dict) and not _SHADOW_KEYS.isdisjoint(n) for n in nodes)


def _rejection(exc: jsonld.JsonLdError) -> JsonLdRejected:
    """Our own refusal if pyld wrapped one (a scoped unknown context), else pyld's reason."""
    innermost: BaseException = exc
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, JsonLdRejected):
            return cause
        innermost = cause
        cause = cause.__cause__
    code = getattr(innermost, "code", None) or type(innermost).__name__
    return JsonLdRejected("invalid-jsonld", str(code)[:200])


def compact(document: dict[str, Any]) -> dict[str, Any]:
    """pyld compaction against READ_CONTEXT, offline: the slow path, and the benchmark baseline."""
    options = {
        "documentLoader": load_document,
        "expandContext": vocab.AS_CONTEXT,  # AS2 applies even where a peer left it out
    }
    # pyld warns (not raises) on odd language tags or reserved-looking terms; under our
    # control here, they are logged, never turned into a crash or a silent global filter.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            compacted = jsonld.compact(document, vocab.READ_CONTEXT, options)
        except jsonld.JsonLdError as exc:
            raise _rejection(exc) from exc
    for warning in caught:
        _log.info("jsonld: %s in %.200s", warning.message, id_of(document.get("id")))
    compacted.pop("@context", None)  # pyld's refers to our constant: hand out a copy instead
    _full_public(compacted)
    return {"@context": copy.deepcopy(vocab.READ_CONTEXT), **compacted}


def normalise(document: Mapping[str, Any]) -> dict[str, Any]:
    """The document callers read: itself on the fast path (do not mutate it), else compacted.

    Raises JsonLdRejected (→ 400) for documents we refuse; UnknownContext is one of them.
    """
    if not isinstance(document, dict):
        raise JsonLdRejected("not-an-object", type(document).__name__)
    if not needs_compaction(document):
        return document
    compacted = compact(document)
    keyword = _forbidden_anywhere(compacted)
    if keyword is not None:
        raise JsonLdRejected("forbidden-keyword", f"{keyword} after compaction")
    if _identity(compacted) != _identity(document) or _shadowed(compacted):
        raise JsonLdRejected("context-trick", "compaction changes id, type, actor or object")
    return compacted
