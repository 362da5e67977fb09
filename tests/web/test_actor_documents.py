"""Actor documents as Mastodon and Fedify read them, and content negotiation on one IRI."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ed25519

from federation.keys import decode_multikey, load_public_key
from tests.federation.cluster import cluster

AS = {"Accept": "application/activity+json"}


async def test_organisation_actor_has_what_mastodon_and_fedify_need(tmp_path: Path) -> None:
    async with cluster(tmp_path, "alpha") as c:
        alpha = c["alpha"]
        await alpha.org("city", name="City of Alderney", summary="We run open source.\n\nSee.")
        async with alpha.http.get(alpha.actor("city"), headers=AS) as response:
            assert response.status == 200
            assert response.content_type == "application/activity+json"
            actor = await response.json(content_type=None)
    iri = alpha.actor("city")
    assert actor["@context"][:2] == [
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/v1",
    ]
    assert (actor["id"], actor["type"], actor["preferredUsername"]) == (iri, "Organization", "city")
    assert actor["name"] == "City of Alderney"
    assert actor["summary"] == "<p>We run open source.</p><p>See.</p>"
    assert actor["kind"] == "government"
    for field, suffix in (
        ("inbox", "/inbox"),
        ("outbox", "/outbox"),
        ("followers", "/followers"),
        ("following", "/following"),
    ):
        assert actor[field] == iri + suffix
    assert actor["endpoints"]["sharedInbox"] == alpha.origin + "/inbox"
    assert actor["manuallyApprovesFollowers"] is False
    key = actor["publicKey"]
    assert (key["id"], key["owner"]) == (iri + "#main-key", iri)
    assert load_public_key(key["publicKeyPem"]).key_size == 2048  # type: ignore[union-attr]
    [multikey] = actor["assertionMethod"]
    assert (multikey["type"], multikey["controller"]) == ("Multikey", iri)
    assert isinstance(decode_multikey(multikey["publicKeyMultibase"]), ed25519.Ed25519PublicKey)
    assert "privateKey" not in str(actor)
    assert "PRIVATE" not in str(actor)


async def test_instance_actor_is_an_application_named_after_the_host(tmp_path: Path) -> None:
    async with cluster(tmp_path, "alpha") as c:
        alpha = c["alpha"]
        async with alpha.http.get(alpha.origin + "/actor", headers=AS) as response:
            actor = await response.json(content_type=None)
    assert actor["type"] == "Application"
    assert actor["id"] == alpha.origin + "/actor"
    assert actor["preferredUsername"] == alpha.host.split(":")[0]
    assert actor["publicKey"]["id"] == alpha.origin + "/actor#main-key"


async def test_one_iri_answers_html_to_browsers_and_json_to_servers(tmp_path: Path) -> None:
    async with cluster(tmp_path, "alpha") as c:
        alpha = c["alpha"]
        await alpha.org("city", name="City of Alderney")
        browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
        async with alpha.http.get(alpha.actor("city"), headers=browser) as response:
            assert response.content_type == "text/html"
            assert "City of Alderney" in await response.text()
        profile = {"Accept": 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'}
        async with alpha.http.get(alpha.actor("city"), headers=profile) as response:
            assert response.content_type == "application/activity+json"
        async with alpha.http.get(alpha.actor("nobody"), headers=AS) as response:
            assert response.status == 404
            assert response.content_type == "application/problem+json"
