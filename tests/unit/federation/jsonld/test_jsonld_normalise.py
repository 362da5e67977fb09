"""normalise(): known context forms pass untouched; anything else is compacted, or refused."""

from __future__ import annotations

import copy
import logging
from typing import Any

import pytest

from federation import vocab
from federation.jsonld import JsonLdRejected, compact, needs_compaction, normalise

AS = "https://www.w3.org/ns/activitystreams"
SEC = "https://w3id.org/security/v1"
DI = "https://w3id.org/security/data-integrity/v1"
ACTOR = "https://peer.example/users/ana"


def like(context: Any = AS, **extra: Any) -> dict[str, Any]:
    document = {
        "@context": context,
        "id": "https://peer.example/likes/1",
        "type": "Like",
        "actor": ACTOR,
        "object": "https://commons.example/listings/permits",
        "to": [vocab.AS_PUBLIC],
        **extra,
    }
    if context is None:
        del document["@context"]
    return document


@pytest.mark.parametrize(
    "context",
    [
        AS,
        [AS],
        [AS, SEC],
        [AS, SEC, DI],
        [AS, DI, "https://w3id.org/security/multikey/v1"],
        "http://www.w3.org/ns/activitystreams",
        "https://www.w3.org/ns/activitystreams.jsonld",
        [SEC, AS],
        None,  # no @context at all: AS2 applies
        [AS, {"toot": "http://joinmastodon.org/ns#", "discoverable": "toot:discoverable"}],
        [AS, {"sensitive": "as:sensitive", "Hashtag": "as:Hashtag"}],
        [AS, {"schema": "http://schema.org/#", "value": "schema:value"}],  # schema.org variant
        [AS, {"@language": "nl"}],
        [AS, {"id": "@id", "type": "@type"}],  # restating AS2's own aliases
        [AS, {"actor": {"@id": "as:actor", "@type": "@id"}}],  # restating, same meaning
        [AS, {"actor": "https://www.w3.org/ns/activitystreams#actor"}],
        vocab.DEFAULT_CONTEXT,
        [AS, SEC, {vocab.COMMONS_PREFIX: vocab.COMMONS_NS, "kind": "commons:kind"}],
        [AS, vocab.COMMONS_CONTEXT],
    ],
)
def test_known_forms_are_read_as_they_are(context: Any) -> None:
    document = like(copy.deepcopy(context))
    assert needs_compaction(document) is False
    assert normalise(document) is document


@pytest.mark.parametrize(
    ("context", "why"),
    [
        ([AS, {"actor": "https://other.example/ns#actor"}], "redefines actor"),
        ([AS, {"object": {"@id": "as:target", "@type": "@id"}}], "object becomes target"),
        ([AS, {"Like": "as:Dislike"}], "redefines a type"),
        ([AS, {"as": "https://evil.example/ns#"}], "redefines the as: prefix"),
        ([AS, {"ex": "https://example.org/ns#", "mood": "ex:mood"}], "unusual prefix"),
        ([AS, {"mood": "https://example.org/ns#mood"}], "unknown namespace"),
        ([AS, {"doer": "as:actor"}], "second name for actor"),
        ([AS, {"uid": "@id"}], "second alias of @id"),
        ([AS, {"@vocab": "https://example.org/ns#"}], "@vocab"),
        ([AS, {"@base": "https://example.org/"}], "@base"),
        ([AS, {"@protected": True}], "@protected"),
        ([AS, {"mood": {"@id": "https://example.org/ns#mood", "@context": {}}}], "scoped"),
        ([AS, {"mood": {"@id": "as:mood", "@type": "@json"}}], "@json literal"),
        ([AS, {"tag": {"@id": "as:tag", "@container": "@index"}}], "index container"),
        ([AS, None], "context reset"),
        (["https://w3id.org/identity/v1"], "identity v1 last: name means schema:name"),
    ],
)
def test_other_forms_go_through_compaction(context: Any, why: str) -> None:
    assert needs_compaction(like(context)) is True, why


def test_keys_that_are_iris_go_through_compaction() -> None:
    assert needs_compaction(like(**{"as:summary": "hi"})) is True
    assert needs_compaction(like(**{"https://www.w3.org/ns/activitystreams#summary": "hi"}))
    assert needs_compaction(like(**{"@id": "https://peer.example/likes/1"})) is True


def test_a_nested_context_counts_too() -> None:
    document = like(object={"@context": [AS, {"actor": "https://x.example/#a"}], "id": "x:1"})
    assert needs_compaction(document) is True
    document = like(object={"@context": AS, "id": "https://peer.example/notes/1"})
    assert needs_compaction(document) is False


def test_a_later_context_that_restores_a_term_is_still_known() -> None:
    """Fedify puts identity v1 (name = schema:name) before AS2, which gives name back."""
    assert needs_compaction(like(["https://w3id.org/identity/v1", AS])) is False


def test_compaction_reads_an_honest_unusual_document() -> None:
    document = like(
        [AS, {"ex": "https://example.org/ns#", "mood": "ex:mood"}],
        mood="pleased",
        cc="as:Public",
    )
    before = copy.deepcopy(document)
    result = normalise(document)
    assert document == before  # the input is left alone
    assert result is not document
    assert result["@context"] == vocab.READ_CONTEXT
    assert result["actor"] == ACTOR
    assert result["object"] == "https://commons.example/listings/permits"
    assert result["https://example.org/ns#mood"] == "pleased"
    assert result["to"] == vocab.AS_PUBLIC  # pyld writes "as:Public"; we write it in full
    assert result["cc"] == vocab.AS_PUBLIC
    result["@context"][-1]["kind"] = "mutated"
    assert vocab.READ_CONTEXT[-1]["kind"] == "commons:kind"  # callers get their own copy


def test_compaction_renames_aliases_to_our_names() -> None:
    document = like(
        [AS, SEC, {"misskey": "https://misskey-hub.net/ns#", "Key": "sec:Key"}],
        publicKey={"id": f"{ACTOR}#k", "type": "Key", "owner": ACTOR, "publicKeyPem": "P"},
    )
    result = normalise(document)
    assert result["publicKey"]["type"] == "CryptographicKey"
    assert result["publicKey"]["owner"] == ACTOR


def test_pyld_warnings_are_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    """filterwarnings=error holds here: the warning pyld emits never leaves normalise()."""
    caplog.set_level(logging.INFO, logger="federation.jsonld.normalise")
    result = normalise(like([AS, {"@reservedish": "x"}]))
    assert result["actor"] == ACTOR
    assert any("reserved" in record.getMessage() for record in caplog.records)


def test_broken_json_ld_is_refused_with_pyld_reason() -> None:
    document = like([AS, {"mood": {"@id": "https://example.org/ns#mood", "@type": 5}}])
    with pytest.raises(JsonLdRejected) as refused:
        normalise(document)
    assert refused.value.reason == "invalid-jsonld"


@pytest.mark.parametrize("value", [[], "text", None, 3])
def test_only_objects_are_documents(value: Any) -> None:
    with pytest.raises(JsonLdRejected) as refused:
        normalise(value)
    assert refused.value.reason == "not-an-object"


@pytest.mark.parametrize("entry", [3, True, ["nested"]])
def test_context_entries_must_be_urls_or_objects(entry: Any) -> None:
    with pytest.raises(JsonLdRejected) as refused:
        normalise(like([AS, entry]))
    assert refused.value.reason == "invalid-context"


def test_absurd_nesting_is_refused() -> None:
    document: dict[str, Any] = like()
    node = document
    for _ in range(40):
        node["object"] = {"type": "Note"}
        node = node["object"]
    with pytest.raises(JsonLdRejected) as refused:
        normalise(document)
    assert refused.value.reason == "too-deep"


def test_oversized_contexts_are_refused_before_pyld_sees_them() -> None:
    terms = {f"t{i}": f"as:t{i}" for i in range(600)}
    with pytest.raises(JsonLdRejected) as refused:
        normalise(like([AS, terms]))
    assert refused.value.reason == "context-too-large"
    with pytest.raises(JsonLdRejected) as refused:
        normalise(like([AS] * 40))
    assert refused.value.reason == "context-too-large"


def test_compact_is_the_baseline_reading() -> None:
    result = compact(like([AS, SEC]))
    assert result["actor"] == ACTOR
    assert result["to"] == vocab.AS_PUBLIC
