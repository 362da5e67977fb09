"""Real-world documents from Mastodon, GoToSocial and Fedify are read, and read on the fast path.

The @context values are the ones each project emits, as found in its public source or
documentation (cited per document); the bodies are written here in the same shape, with
example hosts. Where no source was at hand the document says "from knowledge".
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from federation import vocab
from federation.jsonld import as_list, id_of, needs_compaction, normalise
from federation.jsonld.normalise import compact as normalise_by_compaction

AS = "https://www.w3.org/ns/activitystreams"
PUBLIC = AS + "#Public"
M = "https://mastodon.example"
G = "https://gts.example"
F = "https://fedify.example"

# Mastodon 4.5 actor: NAMED_CONTEXT_MAP (activitystreams, security, webfinger) plus the
# extensions of app/helpers/context_helper.rb, as mastodon.social served them in 2026.
MASTODON_ACTOR: dict[str, Any] = {
    "@context": [
        AS,
        "https://w3id.org/security/v1",
        "https://purl.archive.org/socialweb/webfinger",
        {
            "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
            "toot": "http://joinmastodon.org/ns#",
            "featured": {"@id": "toot:featured", "@type": "@id"},
            "featuredTags": {"@id": "toot:featuredTags", "@type": "@id"},
            "alsoKnownAs": {"@id": "as:alsoKnownAs", "@type": "@id"},
            "movedTo": {"@id": "as:movedTo", "@type": "@id"},
            "schema": "http://schema.org/#",
            "PropertyValue": "schema:PropertyValue",
            "value": "schema:value",
            "discoverable": "toot:discoverable",
            "suspended": "toot:suspended",
            "memorial": "toot:memorial",
            "indexable": "toot:indexable",
            "attributionDomains": {"@id": "toot:attributionDomains", "@type": "@id"},
            "showFeatured": "toot:showFeatured",
            "showMedia": "toot:showMedia",
            "showRepliesInMedia": "toot:showRepliesInMedia",
            "gts": "https://gotosocial.org/ns#",
            "interactionPolicy": {"@id": "gts:interactionPolicy", "@type": "@id"},
            "canQuote": {"@id": "gts:canQuote", "@type": "@id"},
            "automaticApproval": {"@id": "gts:automaticApproval", "@type": "@id"},
            "manualApproval": {"@id": "gts:manualApproval", "@type": "@id"},
            "focalPoint": {"@container": "@list", "@id": "toot:focalPoint"},
        },
    ],
    "id": f"{M}/users/digital",
    "type": "Person",
    "webfinger": "digital@mastodon.example",
    "following": f"{M}/users/digital/following",
    "followers": f"{M}/users/digital/followers",
    "inbox": f"{M}/users/digital/inbox",
    "outbox": f"{M}/users/digital/outbox",
    "featured": f"{M}/users/digital/collections/featured",
    "featuredTags": f"{M}/users/digital/collections/tags",
    "preferredUsername": "digital",
    "name": "Digital Services Team",
    "summary": "<p>Open source for the city.</p>",
    "url": f"{M}/@digital",
    "manuallyApprovesFollowers": False,
    "discoverable": True,
    "indexable": True,
    "memorial": False,
    "published": "2023-04-01T00:00:00Z",
    "publicKey": {
        "id": f"{M}/users/digital#main-key",
        "owner": f"{M}/users/digital",
        "publicKeyPem": "-----BEGIN PUBLIC KEY-----\nMIIB…\n-----END PUBLIC KEY-----\n",
    },
    "tag": [],
    "attachment": [
        {"type": "PropertyValue", "name": "Website", "value": '<a href="https://city.example">'},
    ],
    "endpoints": {"sharedInbox": f"{M}/inbox"},
    "icon": {"type": "Image", "mediaType": "image/png", "url": f"{M}/avatars/1.png"},
}

# Mastodon Create{Note} with an LD signature (RsaSignature2017), media and tags; extension
# keys per context_helper.rb (atom_uri, conversation, sensitive, hashtag, emoji, focal_point,
# blurhash, voters_count), shape per docs.joinmastodon.org/spec/activitypub.
MASTODON_CREATE: dict[str, Any] = {
    "@context": [
        AS,
        {
            "ostatus": "http://ostatus.org#",
            "atomUri": "ostatus:atomUri",
            "inReplyToAtomUri": "ostatus:inReplyToAtomUri",
            "conversation": "ostatus:conversation",
            "sensitive": "as:sensitive",
            "toot": "http://joinmastodon.org/ns#",
            "votersCount": "toot:votersCount",
            "blurhash": "toot:blurhash",
            "focalPoint": {"@container": "@list", "@id": "toot:focalPoint"},
            "Hashtag": "as:Hashtag",
            "Emoji": "toot:Emoji",
        },
    ],
    "id": f"{M}/users/digital/statuses/1/activity",
    "type": "Create",
    "actor": f"{M}/users/digital",
    "published": "2026-01-10T09:00:00Z",
    "to": [PUBLIC],
    "cc": [f"{M}/users/digital/followers"],
    "object": {
        "id": f"{M}/users/digital/statuses/1",
        "type": "Note",
        "summary": None,
        "inReplyTo": None,
        "published": "2026-01-10T09:00:00Z",
        "url": f"{M}/@digital/1",
        "attributedTo": f"{M}/users/digital",
        "to": [PUBLIC],
        "cc": [f"{M}/users/digital/followers"],
        "sensitive": False,
        "atomUri": f"{M}/users/digital/statuses/1",
        "inReplyToAtomUri": None,
        "conversation": "tag:mastodon.example,2026-01-10:objectId=1:objectType=Conversation",
        "content": '<p>We published our permit tool :city: <a href="x">#opensource</a></p>',
        "contentMap": {"en": "<p>We published our permit tool</p>"},
        "attachment": [
            {
                "type": "Document",
                "mediaType": "image/png",
                "url": f"{M}/media/1.png",
                "name": "Screenshot",
                "blurhash": "UBL_:rOpGG-oBUNG,qRj2so|=eE1w^n4S5NH",
                "focalPoint": [0.0, 0.0],
                "width": 800,
                "height": 600,
            }
        ],
        "tag": [
            {"type": "Hashtag", "href": f"{M}/tags/opensource", "name": "#opensource"},
            {
                "id": f"{M}/emojis/1",
                "type": "Emoji",
                "name": ":city:",
                "updated": "2025-01-01T00:00:00Z",
                "icon": {"type": "Image", "mediaType": "image/png", "url": f"{M}/e/1.png"},
            },
        ],
        "replies": {
            "id": f"{M}/users/digital/statuses/1/replies",
            "type": "Collection",
            "first": {
                "type": "CollectionPage",
                "next": f"{M}/users/digital/statuses/1/replies?page=true",
                "partOf": f"{M}/users/digital/statuses/1/replies",
                "items": [],
            },
        },
    },
    "signature": {
        "type": "RsaSignature2017",
        "creator": f"{M}/users/digital#main-key",
        "created": "2026-01-10T09:00:01Z",
        "signatureValue": "c2lnbmF0dXJl",
    },
}

# Plain activities Mastodon sends with the bare AS2 context.
MASTODON_FOLLOW = {
    "@context": AS,
    "id": f"{M}/0f1e2d3c",
    "type": "Follow",
    "actor": f"{M}/users/digital",
    "object": "https://commons.example/orgs/city",
}
MASTODON_UNDO_LIKE = {
    "@context": AS,
    "id": f"{M}/users/digital#likes/7/undo",
    "type": "Undo",
    "actor": f"{M}/users/digital",
    "object": {
        "id": f"{M}/users/digital#likes/7",
        "type": "Like",
        "actor": f"{M}/users/digital",
        "object": "https://commons.example/listings/permits",
    },
}
MASTODON_DELETE = {
    "@context": [AS, {"ostatus": "http://ostatus.org#", "atomUri": "ostatus:atomUri"}],
    "id": f"{M}/users/digital/statuses/1#delete",
    "type": "Delete",
    "actor": f"{M}/users/digital",
    "to": [PUBLIC],
    "object": {"id": f"{M}/users/digital/statuses/1", "type": "Tombstone", "atomUri": "x"},
}

# GoToSocial actor: internal/typeutils test TestAccountToASWithFields (security v1 first).
GTS_ACTOR: dict[str, Any] = {
    "@context": [
        "https://w3id.org/security/v1",
        AS,
        {
            "PropertyValue": "schema:PropertyValue",
            "discoverable": "toot:discoverable",
            "featured": {"@id": "toot:featured", "@type": "@id"},
            "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
            "schema": "http://schema.org#",
            "toot": "http://joinmastodon.org/ns#",
            "value": "schema:value",
        },
    ],
    "id": f"{G}/users/ict",
    "type": "Person",
    "preferredUsername": "ict",
    "inbox": f"{G}/users/ict/inbox",
    "outbox": f"{G}/users/ict/outbox",
    "followers": f"{G}/users/ict/followers",
    "following": f"{G}/users/ict/following",
    "featured": f"{G}/users/ict/collections/featured",
    "discoverable": True,
    "manuallyApprovesFollowers": False,
    "attachment": [{"name": "age", "type": "PropertyValue", "value": "3"}],
    "publicKey": {
        "id": f"{G}/users/ict/main-key",
        "owner": f"{G}/users/ict",
        "publicKeyPem": "-----BEGIN PUBLIC KEY-----\n…\n-----END PUBLIC KEY-----\n",
    },
    "tag": [],
    "url": f"{G}/@ict",
}

# GoToSocial Create{Note}: internal/typeutils TestWrapNoteInCreate's @context; body with the
# interactionPolicy of docs/federation/interaction_controls.md (v0.20+ property names).
GTS_CREATE: dict[str, Any] = {
    "@context": ["https://gotosocial.org/ns", AS, {"sensitive": "as:sensitive"}],
    "actor": f"{G}/users/ict",
    "cc": f"{G}/users/ict/followers",
    "id": f"{G}/users/ict/statuses/01J0/activity#Create",
    "object": {
        "attachment": [],
        "attributedTo": f"{G}/users/ict",
        "cc": f"{G}/users/ict/followers",
        "content": "<p>Does anyone run the permit tool?</p>",
        "contentMap": {"en": "<p>Does anyone run the permit tool?</p>"},
        "id": f"{G}/users/ict/statuses/01J0",
        "interactionPolicy": {
            "canLike": {"automaticApproval": [PUBLIC], "manualApproval": []},
            "canReply": {"automaticApproval": [PUBLIC], "manualApproval": []},
            "canAnnounce": {"automaticApproval": [PUBLIC], "manualApproval": []},
        },
        "published": "2026-01-10T10:00:00Z",
        "replies": f"{G}/users/ict/statuses/01J0/replies",
        "sensitive": False,
        "summary": "",
        "tag": {"href": f"{G}/tags/opensource", "name": "#opensource", "type": "Hashtag"},
        "to": PUBLIC,
        "type": "Note",
        "url": f"{G}/@ict/statuses/01J0",
    },
    "published": "2026-01-10T10:00:00Z",
    "to": PUBLIC,
    "type": "Create",
}

# GoToSocial approving a like (docs/federation/interaction_controls.md), from knowledge.
GTS_ACCEPT_LIKE = {
    "@context": ["https://gotosocial.org/ns", AS],
    "actor": f"{G}/users/ict",
    "id": f"{G}/users/ict/accepts/01J1",
    "object": {"id": f"{M}/users/digital#likes/8", "type": "LikeRequest"},
    "result": f"{G}/users/ict/authorizations/01J1",
    "to": f"{M}/users/digital",
    "type": "Accept",
}

# Fedify 2.x actor: @fedify/vocab person.yaml defaultContext, with an FEP-521a key.
FEDIFY_ACTOR: dict[str, Any] = {
    "@context": [
        AS,
        "https://w3id.org/security/v1",
        "https://w3id.org/security/data-integrity/v1",
        "https://www.w3.org/ns/did/v1",
        "https://w3id.org/security/multikey/v1",
        "https://gotosocial.org/ns",
        {
            "alsoKnownAs": {"@id": "as:alsoKnownAs", "@type": "@id"},
            "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
            "movedTo": {"@id": "as:movedTo", "@type": "@id"},
            "toot": "http://joinmastodon.org/ns#",
            "Emoji": "toot:Emoji",
            "featured": {"@id": "toot:featured", "@type": "@id"},
            "featuredTags": {"@id": "toot:featuredTags", "@type": "@id"},
            "discoverable": "toot:discoverable",
            "suspended": "toot:suspended",
            "memorial": "toot:memorial",
            "indexable": "toot:indexable",
            "schema": "http://schema.org#",
            "PropertyValue": "schema:PropertyValue",
            "value": "schema:value",
            "misskey": "https://misskey-hub.net/ns#",
            "_misskey_followedMessage": "misskey:_misskey_followedMessage",
            "isCat": "misskey:isCat",
        },
    ],
    "id": f"{F}/users/ministry",
    "type": "Organization",
    "preferredUsername": "ministry",
    "name": "Ministry of Digital Affairs",
    "inbox": f"{F}/users/ministry/inbox",
    "outbox": f"{F}/users/ministry/outbox",
    "followers": f"{F}/users/ministry/followers",
    "following": f"{F}/users/ministry/following",
    "endpoints": {"type": "as:Endpoints", "sharedInbox": f"{F}/inbox"},
    "manuallyApprovesFollowers": False,
    "discoverable": True,
    "publicKey": {
        "id": f"{F}/users/ministry#main-key",
        "type": "CryptographicKey",
        "owner": f"{F}/users/ministry",
        "publicKeyPem": "-----BEGIN PUBLIC KEY-----\n…\n-----END PUBLIC KEY-----\n",
    },
    "assertionMethod": [
        {
            "id": f"{F}/users/ministry#ed25519-key",
            "type": "Multikey",
            "controller": f"{F}/users/ministry",
            "publicKeyMultibase": "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
        }
    ],
}

# Fedify 2.x Create{Note} with an FEP-8b32 proof: create.yaml defaultContext (identity v1
# first), the shape Fedify's signObject() produces.
FEDIFY_CREATE: dict[str, Any] = {
    "@context": [
        "https://w3id.org/identity/v1",
        AS,
        "https://w3id.org/security/data-integrity/v1",
        "https://gotosocial.org/ns",
        {
            "toot": "http://joinmastodon.org/ns#",
            "misskey": "https://misskey-hub.net/ns#",
            "fedibird": "http://fedibird.com/ns#",
            "sensitive": "as:sensitive",
            "votersCount": {
                "@id": "toot:votersCount",
                "@type": "http://www.w3.org/2001/XMLSchema#nonNegativeInteger",
            },
            "Emoji": "toot:Emoji",
            "Hashtag": "as:Hashtag",
            "ChatMessage": "http://litepub.social/ns#ChatMessage",
            "quote": {"@id": "https://w3id.org/fep/044f#quote", "@type": "@id"},
            "quoteUrl": "as:quoteUrl",
            "_misskey_quote": "misskey:_misskey_quote",
            "quoteUri": "fedibird:quoteUri",
            "QuoteAuthorization": "https://w3id.org/fep/044f#QuoteAuthorization",
            "QuoteRequest": "https://w3id.org/fep/044f#QuoteRequest",
            "quoteAuthorization": {
                "@id": "https://w3id.org/fep/044f#quoteAuthorization",
                "@type": "@id",
            },
            "emojiReactions": {"@id": "fedibird:emojiReactions", "@type": "@id"},
        },
    ],
    "id": f"{F}/users/ministry/posts/7#create",
    "type": "Create",
    "actor": f"{F}/users/ministry",
    "to": PUBLIC,
    "object": {
        "id": f"{F}/users/ministry/posts/7",
        "type": "Note",
        "attributedTo": f"{F}/users/ministry",
        "content": "<p>Our e-signature library is now public.</p>",
        "to": PUBLIC,
        "published": "2026-01-11T08:00:00Z",
    },
    "proof": {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-jcs-2022",
        "verificationMethod": f"{F}/users/ministry#ed25519-key",
        "proofPurpose": "assertionMethod",
        "proofValue": "z3sXaxjKs4M3BRicwWA9peyNPJvJqxtGsDmpt1jjoHCjgeUf71TRFz56osPSfDErszyLp",
        "created": "2026-01-11T08:00:01Z",
    },
}

# Ours: a tool listing as every commonsnode node sends it.
COMMONS_LISTING: dict[str, Any] = {
    "@context": vocab.DEFAULT_CONTEXT,
    "id": "https://commons.example/listings/permits",
    "type": "Article",
    "attributedTo": "https://commons.example/orgs/city",
    "name": "Permits",
    "summary": "Building permits, end to end.",
    "content": "<p>Long description.</p>",
    "url": "https://commons.example/tools/permits",
    "tag": [{"type": "Hashtag", "name": "#permits", "href": "https://commons.example/t/p"}],
    "repository": "https://code.example/city/permits",
    "license": "EUPL-1.2",
    "developmentStatus": "stable",
    "softwareType": "standalone/web",
    "platforms": ["web"],
    "availableLanguages": ["en", "nl"],
    "maintenanceType": "internal",
    "usedBy": ["City of Example"],
    "budget": {"type": "MonetaryAmount", "amount": 150000, "currency": "EUR"},
}

PEER_DOCUMENTS = {
    "mastodon-actor": MASTODON_ACTOR,
    "mastodon-create": MASTODON_CREATE,
    "mastodon-follow": MASTODON_FOLLOW,
    "mastodon-undo-like": MASTODON_UNDO_LIKE,
    "mastodon-delete": MASTODON_DELETE,
    "gotosocial-actor": GTS_ACTOR,
    "gotosocial-create": GTS_CREATE,
    "gotosocial-accept": GTS_ACCEPT_LIKE,
    "fedify-actor": FEDIFY_ACTOR,
    "fedify-create": FEDIFY_CREATE,
    "commonsnode-listing": COMMONS_LISTING,
}


@pytest.mark.parametrize("name", PEER_DOCUMENTS)
def test_known_software_takes_the_fast_path(name: str) -> None:
    document = copy.deepcopy(PEER_DOCUMENTS[name])
    assert needs_compaction(document) is False
    assert normalise(document) is document
    assert document == PEER_DOCUMENTS[name]  # untouched


def _many(value: Any) -> list[Any]:
    return as_list(value, 100)


@pytest.mark.parametrize("name", PEER_DOCUMENTS)
def test_the_fast_path_reads_what_pyld_would(name: str) -> None:
    """What a handler reads from the untouched document is what normalise() would hand over
    after compaction (one-or-many aside, which shapes.as_list absorbs)."""
    document = PEER_DOCUMENTS[name]
    compacted = normalise_by_compaction(document)
    for field in ("id", "type", "actor", "attributedTo", "inbox", "to", "cc", "name"):
        assert _many(compacted.get(field)) == _many(document.get(field)), field
    if isinstance(document.get("object"), dict):
        for field in ("id", "type", "attributedTo", "content", "to"):
            got, sent = compacted["object"].get(field), document["object"].get(field)
            assert _many(got) == _many(sent), field
    if "publicKey" in document:
        assert compacted["publicKey"]["owner"] == document["publicKey"]["owner"]
        assert compacted["publicKey"]["publicKeyPem"] == document["publicKey"]["publicKeyPem"]


def test_our_own_listing_keeps_every_structured_field_through_compaction() -> None:
    compacted = normalise_by_compaction(COMMONS_LISTING)
    for field, value in COMMONS_LISTING.items():
        if field != "@context":
            assert _many(compacted[field]) == _many(value), field


def test_a_mastodon_document_read_without_its_context_still_means_as2() -> None:
    """AS2 applies even where a peer sent no @context (AS2 core §2.1)."""
    document = {k: v for k, v in MASTODON_FOLLOW.items() if k != "@context"}
    assert normalise(document) is document
    assert id_of(document["actor"]) == f"{M}/users/digital"
