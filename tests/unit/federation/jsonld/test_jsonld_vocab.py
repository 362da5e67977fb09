"""Our vocabulary: one host-independent namespace, terms that never shadow AS2 or security v1."""

from __future__ import annotations

import copy
import warnings

import pytest
from pyld import jsonld

from federation import vocab
from federation.jsonld import load_document
from federation.jsonld.loader import _FILES, definition_iri, term_iris
from federation.jsonld.normalise import _UNREAD_DISPUTED


def test_namespace_is_ours_and_host_independent() -> None:
    assert vocab.COMMONS_NS == "https://w3id.org/commonsnode#"
    assert vocab.COMMONS_PREFIX == "commons"
    assert vocab.COMMONS_TERMS["commons"] == vocab.COMMONS_NS


def test_default_context_is_as2_security_then_our_terms_inline() -> None:
    assert vocab.DEFAULT_CONTEXT[:2] == [
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/v1",
    ]
    inline = vocab.DEFAULT_CONTEXT[2]
    assert len(vocab.DEFAULT_CONTEXT) == 3
    assert inline["manuallyApprovesFollowers"] == "as:manuallyApprovesFollowers"
    assert inline["discoverable"] == "toot:discoverable"
    assert inline["indexable"] == "toot:indexable"
    assert inline["toot"] == "http://joinmastodon.org/ns#"
    for term in ("kind", "repository", "license", "developmentStatus", "softwareType"):
        assert term in inline
    for term in ("platforms", "scores", "wouldRecommend", "budget", "milestones", "amount"):
        assert term in inline


def _expanded(terms: dict[str, object]) -> dict[str, str]:
    prefixes = {"as": vocab.AS_NS, "sec": vocab.SEC_NS, "xsd": vocab.XSD_NS}
    prefixes.update({k: v for k, v in terms.items() if isinstance(v, str) and v[-1] in "#/"})
    out = {}
    for term, definition in terms.items():
        iri = definition_iri(definition, prefixes)
        assert iri is not None, term
        out[term] = iri
    return out


def test_every_commons_term_is_in_our_namespace() -> None:
    for term, iri in _expanded(vocab.COMMONS_TERMS).items():
        if term != vocab.COMMONS_PREFIX:
            assert iri.startswith(vocab.COMMONS_NS), term


@pytest.mark.parametrize(
    "terms", [vocab.COMMONS_TERMS, vocab.MASTODON_TERMS, vocab.RECOGNISED_TERMS]
)
def test_our_terms_never_give_an_as2_or_security_term_another_meaning(
    terms: dict[str, object],
) -> None:
    standard = {}
    for url in (vocab.AS_CONTEXT, vocab.SECURITY_V1, vocab.GOTOSOCIAL_CONTEXT):
        standard.update(term_iris(url)[0])
    for term, iri in _expanded(terms).items():
        if term in standard:
            assert standard[term] == iri, term


def test_bundled_contexts_disagree_only_where_handled() -> None:
    """Outside AS2's own terms (which AS2 resets wherever it comes later), the only term our
    bundled contexts define two ways is one nothing reads."""
    as2 = term_iris(vocab.AS_CONTEXT)[0]
    seen: dict[str, str] = {}
    disputed = set()
    for url in _FILES:
        for term, iri in term_iris(url)[0].items():
            if term in as2:
                continue
            if seen.setdefault(term, iri) != iri:
                disputed.add(term)
    assert disputed == _UNREAD_DISPUTED


@pytest.mark.parametrize("context", [vocab.DEFAULT_CONTEXT, vocab.READ_CONTEXT])
def test_pyld_processes_our_contexts_offline_without_warnings(context: list[object]) -> None:
    document = {
        "@context": copy.deepcopy(context),
        "id": "https://commons.example/requests/1",
        "type": "Request",
        "kind": "commission",
        "budget": {"type": "MonetaryAmount", "amount": 90000, "currency": "EUR"},
        "criteria": [{"type": "Criterion", "name": "price", "weight": 0.4}],
        "deadline": "2026-06-30T00:00:00Z",
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        expanded = jsonld.expand(document, {"documentLoader": load_document})
    node = expanded[0]
    assert node["@type"] == [vocab.COMMONS_NS + "Request"]
    assert node[vocab.COMMONS_NS + "kind"] == [{"@value": "commission"}]
    budget = node[vocab.COMMONS_NS + "budget"][0]
    assert budget[vocab.COMMONS_NS + "amount"][0]["@value"] == 90000
