"""JSON-LD normalisation: documents/s on the fast path next to pyld compaction of the same ones.

Run: .venv/bin/python bench/jsonld.py [--seconds S]   (about 12 × S seconds; default S = 0.8)

The baseline is what normalise() would cost if every document went through pyld (compaction
against READ_CONTEXT with the offline loader, contexts already cached as "static"), which is
what reading JSON-LD "properly" costs. Both columns use the same documents, shaped like what
Mastodon, GoToSocial, Fedify and commonsnode send.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/ holds a queue.py that would shadow the stdlib module for anything importing it.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import copy
import time
from collections.abc import Callable
from typing import Any

from federation import vocab
from federation.jsonld import compact, needs_compaction, normalise

AS = vocab.AS_CONTEXT
PUBLIC = vocab.AS_PUBLIC
TOOT = {"toot": vocab.TOOT_NS}


def _mastodon_create(n: int) -> dict[str, Any]:
    base = "https://mastodon.example/users/a"
    return {
        "@context": [
            AS,
            {
                "ostatus": "http://ostatus.org#",
                "atomUri": "ostatus:atomUri",
                "conversation": "ostatus:conversation",
                "sensitive": "as:sensitive",
                **TOOT,
                "blurhash": "toot:blurhash",
                "focalPoint": {"@container": "@list", "@id": "toot:focalPoint"},
                "Hashtag": "as:Hashtag",
                "Emoji": "toot:Emoji",
            },
        ],
        "id": f"{base}/statuses/{n}/activity",
        "type": "Create",
        "actor": base,
        "to": [PUBLIC],
        "cc": [f"{base}/followers"],
        "object": {
            "id": f"{base}/statuses/{n}",
            "type": "Note",
            "attributedTo": base,
            "to": [PUBLIC],
            "cc": [f"{base}/followers"],
            "sensitive": False,
            "atomUri": f"{base}/statuses/{n}",
            "conversation": f"tag:mastodon.example,2026:objectId={n}",
            "content": "<p>Shipping our permit tool as open source #opensource</p>",
            "contentMap": {"en": "<p>Shipping our permit tool as open source</p>"},
            "attachment": [
                {
                    "type": "Document",
                    "mediaType": "image/png",
                    "url": "https://mastodon.example/m/1.png",
                    "blurhash": "UBL_:rOpGG-oBUNG",
                    "focalPoint": [0.0, 0.0],
                }
            ],
            "tag": [{"type": "Hashtag", "href": "https://mastodon.example/tags/x", "name": "#x"}],
        },
    }


def _mastodon_actor(n: int) -> dict[str, Any]:
    base = f"https://mastodon.example/users/u{n}"
    return {
        "@context": [
            AS,
            vocab.SECURITY_V1,
            vocab.WEBFINGER_CONTEXT,
            {
                "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
                **TOOT,
                "featured": {"@id": "toot:featured", "@type": "@id"},
                "alsoKnownAs": {"@id": "as:alsoKnownAs", "@type": "@id"},
                "schema": "http://schema.org/#",
                "PropertyValue": "schema:PropertyValue",
                "value": "schema:value",
                "discoverable": "toot:discoverable",
                "indexable": "toot:indexable",
                "memorial": "toot:memorial",
            },
        ],
        "id": base,
        "type": "Person",
        "webfinger": f"u{n}@mastodon.example",
        "inbox": f"{base}/inbox",
        "outbox": f"{base}/outbox",
        "followers": f"{base}/followers",
        "preferredUsername": f"u{n}",
        "discoverable": True,
        "publicKey": {"id": f"{base}#main-key", "owner": base, "publicKeyPem": "PEM"},
        "attachment": [{"type": "PropertyValue", "name": "Web", "value": "<a>x</a>"}],
        "endpoints": {"sharedInbox": "https://mastodon.example/inbox"},
    }


def _gotosocial_create(n: int) -> dict[str, Any]:
    base = "https://gts.example/users/b"
    return {
        "@context": [vocab.GOTOSOCIAL_CONTEXT, AS, {"sensitive": "as:sensitive"}],
        "id": f"{base}/statuses/{n}/activity#Create",
        "type": "Create",
        "actor": base,
        "to": PUBLIC,
        "object": {
            "id": f"{base}/statuses/{n}",
            "type": "Note",
            "attributedTo": base,
            "to": PUBLIC,
            "content": "<p>Who runs the permit tool?</p>",
            "interactionPolicy": {
                "canLike": {"automaticApproval": [PUBLIC]},
                "canReply": {"automaticApproval": [PUBLIC]},
            },
        },
    }


def _fedify_create(n: int) -> dict[str, Any]:
    base = "https://fedify.example/users/c"
    return {
        "@context": [
            vocab.IDENTITY_V1,
            AS,
            vocab.DATA_INTEGRITY_V1,
            vocab.GOTOSOCIAL_CONTEXT,
            {**TOOT, "sensitive": "as:sensitive", "Emoji": "toot:Emoji", "Hashtag": "as:Hashtag"},
        ],
        "id": f"{base}/posts/{n}#create",
        "type": "Create",
        "actor": base,
        "to": PUBLIC,
        "object": {"id": f"{base}/posts/{n}", "type": "Note", "attributedTo": base},
        "proof": {
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-jcs-2022",
            "verificationMethod": f"{base}#ed25519-key",
            "proofPurpose": "assertionMethod",
            "proofValue": "z3sXaxjKs4M3BRicwWA9peyNPJvJqxtGsDmpt1jjoH",
        },
    }


def _follow(n: int) -> dict[str, Any]:
    return {
        "@context": AS,
        "id": f"https://mastodon.example/f/{n}",
        "type": "Follow",
        "actor": "https://mastodon.example/users/a",
        "object": "https://commons.example/orgs/city",
    }


def _listing(n: int) -> dict[str, Any]:
    return {
        "@context": vocab.DEFAULT_CONTEXT,
        "id": f"https://commons.example/listings/{n}",
        "type": "Article",
        "attributedTo": "https://commons.example/orgs/city",
        "name": "Permits",
        "content": "<p>Building permits, end to end.</p>",
        "repository": "https://code.example/city/permits",
        "license": "EUPL-1.2",
        "developmentStatus": "stable",
        "softwareType": "standalone/web",
        "platforms": ["web"],
        "usedBy": ["City of Example"],
    }


KINDS: dict[str, Callable[[int], dict[str, Any]]] = {
    "Mastodon Follow": _follow,
    "Mastodon Create{Note}": _mastodon_create,
    "Mastodon actor": _mastodon_actor,
    "GoToSocial Create{Note}": _gotosocial_create,
    "Fedify Create + proof": _fedify_create,
    "commonsnode listing": _listing,
}


def _rate(work: Callable[[dict[str, Any]], object], docs: list[dict[str, Any]], s: float) -> float:
    """Documents per second over about `s` seconds, cycling through `docs`."""
    done, start = 0, time.perf_counter()
    deadline = start + s
    while time.perf_counter() < deadline:
        for doc in docs:
            work(doc)
        done += len(docs)
    return done / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.8, help="per measurement")
    seconds = parser.parse_args().seconds

    corpora = {name: [make(i) for i in range(50)] for name, make in KINDS.items()}
    for name, docs in corpora.items():  # warm pyld's context cache; check the fast path holds
        assert not needs_compaction(docs[0]), name
        compact(copy.deepcopy(docs[0]))
    corpora["mix of all six"] = [doc for docs in corpora.values() for doc in docs]

    print(f"{'documents':26} {'fast path /s':>14} {'pyld compact /s':>16} {'gain':>8}")
    for name, docs in corpora.items():
        fast = _rate(normalise, docs, seconds)
        slow = _rate(compact, docs, seconds)
        print(f"{name:26} {fast:14,.0f} {slow:16,.0f} {fast / slow:7.0f}×")


if __name__ == "__main__":
    main()
