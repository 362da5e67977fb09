"""@graph / @included / @reverse, and context tricks that change the actor, are refused.

security.md checklist: "LD-signed activity using @included/@graph/@reverse, or context tricks
that change actor after compaction ⇒ reject". A signature check or handler reads the plain
document; if its JSON-LD meaning differs in who acts or on what, we must not accept it.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from federation import vocab
from federation.jsonld import JsonLdRejected, normalise

AS = "https://www.w3.org/ns/activitystreams"
VICTIM = "https://victim.example/users/mayor"
ATTACKER = "https://attacker.example/users/m"
FORBIDDEN = ["@graph", "@included", "@reverse"]


def create(**extra: Any) -> dict[str, Any]:
    return {
        "@context": [AS, "https://w3id.org/security/v1"],
        "id": "https://victim.example/activities/1",
        "type": "Create",
        "actor": VICTIM,
        "object": {
            "id": "https://victim.example/notes/1",
            "type": "Note",
            "attributedTo": VICTIM,
            "content": "We endorse this vendor.",
        },
        "signature": {"type": "RsaSignature2017", "creator": f"{VICTIM}#main-key"},
        **extra,
    }


def refused(document: dict[str, Any]) -> JsonLdRejected:
    with pytest.raises(JsonLdRejected) as caught:
        normalise(document)
    return caught.value


@pytest.mark.parametrize("keyword", FORBIDDEN)
def test_at_the_top_level(keyword: str) -> None:
    value: Any = [{"id": "https://attacker.example/x", "type": "Note"}]
    if keyword == "@reverse":
        value = {"https://www.w3.org/ns/activitystreams#actor": {"id": ATTACKER}}
    assert refused(create(**{keyword: value})).reason == "forbidden-keyword"


@pytest.mark.parametrize("keyword", FORBIDDEN)
def test_inside_the_embedded_object(keyword: str) -> None:
    document = create()
    document["object"][keyword] = {"id": ATTACKER}
    assert refused(document).reason == "forbidden-keyword"


@pytest.mark.parametrize("keyword", FORBIDDEN)
def test_nested_further_as_in_announce_of_create(keyword: str) -> None:
    inner = create()
    inner["object"]["tag"] = [{"type": "Hashtag", "name": "#x", keyword: [{"id": ATTACKER}]}]
    del inner["@context"]
    announce = {
        "@context": AS,
        "id": "https://relay.example/announces/1",
        "type": "Announce",
        "actor": "https://relay.example/actor",
        "object": inner,
    }
    assert refused(announce).reason == "forbidden-keyword"


@pytest.mark.parametrize("keyword", FORBIDDEN)
def test_behind_an_alias_in_the_context(keyword: str) -> None:
    document = create(extra=[{"id": ATTACKER, "type": "Person"}])
    document["@context"] = [AS, {"extra": keyword}]
    assert refused(document).reason == "forbidden-keyword"


def test_behind_a_reverse_term_definition() -> None:
    document = create(performed={"id": ATTACKER})
    document["@context"] = [AS, {"performed": {"@reverse": "as:actor"}}]
    assert refused(document).reason == "forbidden-keyword"


def test_actor_swapped_by_redefining_it() -> None:
    """Plain JSON says the mayor acts; JSON-LD says the attacker does."""
    document = create(realActor=ATTACKER)
    document["@context"] = [
        AS,
        {
            "actor": "https://attacker.example/ns#decoy",
            "realActor": {"@id": "as:actor", "@type": "@id"},
        },
    ]
    assert refused(document).reason == "context-trick"


@pytest.mark.parametrize("value", [{"id": ATTACKER}, ATTACKER])
@pytest.mark.parametrize("key", ["as:actor", "https://www.w3.org/ns/activitystreams#actor"])
def test_a_second_actor_under_an_iri_key(key: str, value: Any) -> None:
    """Both `actor` and `as:actor`: JSON-LD has two actors, a plain reader sees one."""
    assert refused(create(**{key: value})).reason == "context-trick"


def test_actor_swapped_by_renaming_the_as_prefix() -> None:
    document = create(**{"as:actor": ATTACKER})
    document["@context"] = [AS, {"as": "https://attacker.example/ns#"}]
    del document["actor"]
    document["https://www.w3.org/ns/activitystreams#actor"] = ATTACKER
    assert refused(document).reason == "context-trick"


def test_id_swapped_through_a_second_id_alias() -> None:
    document = create(uid="https://attacker.example/activities/9")
    document["@context"] = [AS, {"id": "https://attacker.example/ns#notId", "uid": "@id"}]
    assert refused(document).reason == "context-trick"


def test_type_swapped_by_redefining_a_type_name() -> None:
    """A plain reader sees a Create; JSON-LD says Delete."""
    document = create()
    document["@context"] = [AS, {"Create": "as:Delete"}]
    assert refused(document).reason == "context-trick"


def test_embedded_author_swapped() -> None:
    document = create()
    document["object"]["@context"] = {
        "attributedTo": "https://attacker.example/ns#decoy",
        "by": {"@id": "as:attributedTo", "@type": "@id"},
    }
    document["object"]["by"] = ATTACKER
    assert refused(document).reason == "context-trick"


def test_an_honest_document_with_extra_terms_is_read() -> None:
    """Going through compaction is not in itself suspicious: the identity is unchanged."""
    document = create(mood="proud")
    document["@context"] = [AS, {"ex": "https://example.org/ns#", "mood": "ex:mood"}]
    result = normalise(copy.deepcopy(document))
    assert result["actor"] == VICTIM
    assert result["object"]["attributedTo"] == VICTIM
    assert result["@context"] == vocab.READ_CONTEXT
