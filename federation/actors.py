"""Actor documents: ours rendered for Mastodon and Fedify, theirs read into RemoteActor records."""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from typing import Any

from cryptography.hazmat.primitives import serialization

from commonsnode.keys import KeyPair
from commonsnode.model.actors import RemoteActor, RemoteKey
from commonsnode.model.organisations import Organisation
from federation.iris import LocalIris, host_of, origin_of
from federation.jsonld.shapes import as_list, first, id_of, str_or_none
from federation.keys import UnsupportedKeyError, decode_multikey, encode_multikey, load_public_key
from federation.sanitize import plain_text, sanitize_html
from federation.vocab import (
    AS_CONTEXT,
    COMMONS_TERMS,
    DATA_INTEGRITY_V1,
    MASTODON_TERMS,
    MULTIKEY_V1,
    SECURITY_V1,
)

ACTOR_CONTEXT: list[Any] = [
    AS_CONTEXT,
    SECURITY_V1,
    DATA_INTEGRITY_V1,
    MULTIKEY_V1,
    {**MASTODON_TERMS, **COMMONS_TERMS},
]
ACTOR_TYPES = frozenset({"Person", "Organization", "Service", "Application", "Group"})
MAX_KEYS = 20
MAX_NAME = 500
MAX_SUMMARY = 20_000


class ActorDocumentError(ValueError):
    """A remote actor document we cannot use; the message says why."""


def _keys(
    handle_key_id: str, ed_key_id: str, owner: str, pairs: tuple[KeyPair, KeyPair]
) -> dict[str, Any]:
    rsa_pair, ed_pair = pairs
    return {
        "publicKey": {"id": handle_key_id, "owner": owner, "publicKeyPem": rsa_pair.public_pem},
        "assertionMethod": [
            {
                "id": ed_key_id,
                "type": "Multikey",
                "controller": owner,
                "publicKeyMultibase": encode_multikey(load_public_key(ed_pair.public_pem)),
            }
        ],
    }


def render_org_actor(
    org: Organisation, iris: LocalIris, pairs: tuple[KeyPair, KeyPair]
) -> dict[str, Any]:
    """An organisation as an `Organization` actor: what Mastodon, GoToSocial and Fedify need."""
    actor = iris.org(org.handle)
    return {
        "@context": ACTOR_CONTEXT,
        "id": actor,
        "type": "Organization",
        "preferredUsername": org.handle,
        "name": org.name,
        "summary": _paragraphs(org.summary),
        "url": actor,
        "kind": org.kind,
        "inbox": iris.org_inbox(org.handle),
        "outbox": iris.org_outbox(org.handle),
        "followers": iris.org_followers(org.handle),
        "following": iris.org_following(org.handle),
        "endpoints": {"sharedInbox": iris.shared_inbox()},
        "manuallyApprovesFollowers": org.manually_approves_followers,
        "discoverable": True,
        "indexable": True,
        "published": _iso(org.created_at),
        **_keys(iris.org_key(org.handle), iris.org_ed25519_key(org.handle), actor, pairs),
    }


def render_instance_actor(
    iris: LocalIris, name: str, pairs: tuple[KeyPair, KeyPair]
) -> dict[str, Any]:
    """The node's own `Application` actor (FEP-2677): it signs the node's fetches."""
    actor = iris.instance_actor()
    return {
        "@context": ACTOR_CONTEXT,
        "id": actor,
        "type": "Application",
        "preferredUsername": iris.host.split(":")[0],
        "name": name,
        "summary": "The commonsnode instance actor; it signs this node's requests.",
        "url": iris.origin + "/",
        "inbox": iris.shared_inbox(),
        "outbox": f"{actor}/outbox",
        "endpoints": {"sharedInbox": iris.shared_inbox()},
        "manuallyApprovesFollowers": True,
        **_keys(iris.instance_key(), f"{actor}#ed25519-key", actor, pairs),
    }


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(int(timestamp), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{escape(part)}</p>" for part in text.split("\n\n") if part.strip())


def _http_url(value: Any, field: str, *, origin: str | None = None) -> str:
    url = str_or_none(value)
    if url is None or not url.startswith(("https://", "http://")) or len(url) > 2048:
        raise ActorDocumentError(f"{field}: missing or not an http(s) URL")
    if origin is not None and origin_of(url) != origin:
        raise ActorDocumentError(f"{field}: on another origin than the actor")
    return url


def _optional_url(value: Any) -> str | None:
    url = id_of(value)
    return url if url and url.startswith(("https://", "http://")) and len(url) <= 2048 else None


def _read_keys(document: dict[str, Any], actor: str) -> list[RemoteKey]:
    origin = origin_of(actor)
    keys: list[RemoteKey] = []
    for entry in as_list(document.get("publicKey"), MAX_KEYS):
        if not isinstance(entry, dict):
            continue
        key_id, owner, pem = entry.get("id"), id_of(entry.get("owner")), entry.get("publicKeyPem")
        # The actor document itself lists the key: that is the reciprocal claim. A key whose
        # owner names someone else, or that lives on another origin, is ignored.
        if not isinstance(key_id, str) or not isinstance(pem, str) or owner != actor:
            continue
        if origin_of(key_id) != origin:
            continue
        try:
            key = load_public_key(pem)
        except UnsupportedKeyError:
            continue
        kind = "ed25519" if "Ed25519" in type(key).__name__ else "rsa"
        keys.append(RemoteKey(key_id, actor, kind, pem))
    for entry in as_list(document.get("assertionMethod"), MAX_KEYS):
        if not isinstance(entry, dict) or entry.get("type") != "Multikey":
            continue
        key_id, controller = entry.get("id"), id_of(entry.get("controller"))
        value = entry.get("publicKeyMultibase")
        if not isinstance(key_id, str) or controller != actor or not isinstance(value, str):
            continue
        if origin_of(key_id) != origin:
            continue
        try:
            public = decode_multikey(value)
        except (UnsupportedKeyError, ValueError):
            continue
        pem = public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode("ascii")
        keys.append(
            RemoteKey(
                key_id, actor, "ed25519" if "Ed25519" in type(public).__name__ else "rsa", pem
            )
        )
    return keys


def parse_actor(document: dict[str, Any], now: float) -> tuple[RemoteActor, list[RemoteKey]]:
    """Read a fetched actor document (its id already checked against the URL) into records."""
    actor = _http_url(document.get("id"), "id")
    actor_type = first(document.get("type"))
    if actor_type not in ACTOR_TYPES:
        raise ActorDocumentError(f"type {actor_type!r} is not an actor type")
    origin = origin_of(actor)
    endpoints = document.get("endpoints")
    shared = endpoints.get("sharedInbox") if isinstance(endpoints, dict) else None
    name = str_or_none(document.get("name"))
    summary = str_or_none(document.get("summary"))
    kind = str_or_none(document.get("kind"))
    record = RemoteActor(
        iri=actor,
        host=host_of(actor),
        type=actor_type,
        inbox=_http_url(document.get("inbox"), "inbox", origin=origin),
        shared_inbox=_http_url(shared, "sharedInbox", origin=origin) if shared else None,
        preferred_username=_bounded(str_or_none(document.get("preferredUsername")), 200),
        name=_bounded(plain_text(name) if name else None, MAX_NAME),
        summary=sanitize_html(summary[:MAX_SUMMARY]) if summary else None,
        url=_optional_url(document.get("url")),
        outbox=_optional_url(document.get("outbox")),
        followers=_optional_url(document.get("followers")),
        following=_optional_url(document.get("following")),
        kind=_bounded(kind, 32),
        manually_approves_followers=document.get("manuallyApprovesFollowers") is True,
        fetched_at=now,
    )
    return record, _read_keys(document, actor)


def _bounded(text: str | None, limit: int) -> str | None:
    return None if text is None else text[:limit]
