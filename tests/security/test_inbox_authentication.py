"""Forged and malformed deliveries are refused before anything is stored or queued."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from commonsnode.keys import generate_rsa
from federation.keys import load_private_key
from tests.security.conftest import Target


async def test_unsigned_post_is_refused(target: Target) -> None:
    """Attack: deliver an activity without any signature."""
    bob = target.peer.actor("bob")
    follow = target.peer.activity(bob, "Follow", target.org)
    async with target.node.http.post(
        target.inbox, json=follow, headers={"Content-Type": "application/activity+json"}
    ) as response:
        assert response.status == 401
    await target.nothing_stored()
    assert target.peer.requests == []  # not even the actor was fetched


async def test_signature_by_one_actor_for_another_on_the_same_host(target: Target) -> None:
    """Attack: Mallory signs with her own valid key an activity whose actor is Bob."""
    bob = target.peer.actor("bob")
    mallory = target.peer.actor("mallory")
    follow = target.peer.activity(bob, "Follow", target.org)
    status = await target.peer.post(
        target.node.http, target.inbox, follow, actor=mallory, key_id=f"{mallory}#main-key"
    )
    assert status == 401
    await target.nothing_stored()


async def test_key_on_another_host_than_the_actor_is_refused_without_fetching(
    target: Target,
) -> None:
    """Attack: keyId on the attacker's host, actor on a victim host."""
    mallory = target.peer.actor("mallory")
    follow = target.peer.activity("https://victim.example/users/alice", "Follow", target.org)
    follow["id"] = "https://victim.example/activities/1"
    status = await target.peer.post(target.node.http, target.inbox, follow, actor=mallory)
    assert status == 401
    await target.nothing_stored()
    assert target.peer.requests == []


async def test_key_whose_owner_is_not_reciprocated_by_the_actor(target: Target) -> None:
    """Attack: a key that names Bob as owner, while Bob's own document lists another key
    (Fedify GHSA-q9f8-5hc7-898f): the key document alone is never trusted."""
    bob = target.peer.actor("bob")
    rogue = generate_rsa()
    target.peer.documents["/keys/rogue"] = {
        "@context": "https://w3id.org/security/v1",
        "id": f"{target.peer.origin}/keys/rogue",
        "owner": bob,
        "publicKeyPem": rogue.public_pem,
    }
    follow = target.peer.activity(bob, "Follow", target.org)
    status = await target.peer.post(
        target.node.http,
        target.inbox,
        follow,
        actor=bob,
        key=rogue,
        key_id=f"{target.peer.origin}/keys/rogue",
    )
    assert status == 401
    await target.nothing_stored()


@pytest.mark.parametrize(
    ("covered", "tamper", "why"),
    [
        (["(request-target)", "host", "date"], {}, "digest not signed on a POST"),
        (
            None,
            {"Digest": "SHA-256=" + base64.b64encode(hashlib.sha256(b"x").digest()).decode()},
            "digest of another body",
        ),
        (
            None,
            {"Digest": "SHA-512=" + base64.b64encode(hashlib.sha512(b"{}").digest()).decode()},
            "only SHA-512",
        ),
        (None, {"Digest": "SHA-256=!!notbase64!!"}, "malformed base64"),
        (["(request-target)", "date", "digest"], {}, "host not signed"),
        (None, {"Host": "evil.example"}, "Host header rewritten"),
    ],
)
async def test_digest_and_host_tricks_are_refused(
    target: Target, covered: list[str] | None, tamper: dict[str, str], why: str
) -> None:
    """Attack: a signature that does not bind the body or the host."""
    bob = target.peer.actor("bob")
    follow = target.peer.activity(bob, "Follow", target.org)
    status = await target.peer.post(
        target.node.http, target.inbox, follow, covered=covered, tamper=tamper
    )
    assert status == 401, why
    await target.nothing_stored()


@pytest.mark.parametrize("skew", [-7200, 7200])
async def test_date_two_hours_off_is_refused(target: Target, skew: int) -> None:
    """Attack: replay a captured request long after (or sign one far ahead)."""
    bob = target.peer.actor("bob")
    follow = target.peer.activity(bob, "Follow", target.org)
    status = await target.peer.post(
        target.node.http, target.inbox, follow, now=target.cluster.clock.now() + skew
    )
    assert status == 401
    await target.nothing_stored()


async def test_replay_within_the_window_is_deduplicated(target: Target) -> None:
    """Attack: replay the same valid delivery: accepted once, queued once."""
    bob = target.peer.actor("bob")
    follow = target.peer.activity(bob, "Follow", target.org)
    now = target.cluster.clock.now()
    assert await target.peer.post(target.node.http, target.inbox, follow, now=now) == 202
    assert await target.peer.post(target.node.http, target.inbox, follow, now=now) == 202
    assert await target.count("jobs") == 1
    assert await target.count("inbox_log") == 1


def _hand_signed(
    target: Target, actor: str, follow: dict[str, object], *, algorithm: str, created: bool
) -> tuple[bytes, dict[str, str], str]:
    """Build a cavage request by hand, for shapes our own signer refuses to produce."""
    body = json.dumps(follow).encode()
    now = int(target.cluster.clock.now())
    date = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(now))
    digest = "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()
    path = target.inbox.split(target.node.host, 1)[1]
    lines = [f"(request-target): post {path}"]
    lines += [f"(created): {now}"] if created else []
    lines += [f"host: {target.node.host}", f"date: {date}", f"digest: {digest}"]
    covered = " ".join(line.split(":", 1)[0] for line in lines)
    headers = {"Content-Type": "application/activity+json", "Date": date, "Digest": digest}
    params = f'keyId="{actor}#main-key",algorithm="{algorithm}",headers="{covered}"'
    params += f",created={now}" if created else ""
    return body, headers, params + "\n" + "\n".join(lines)


async def test_created_pseudo_header_with_rsa_sha256_is_refused(target: Target) -> None:
    """Attack: (created) is only defined for hs2019; with rsa-sha256 it is a downgrade trick."""
    bob = target.peer.actor("bob")
    follow = target.peer.activity(bob, "Follow", target.org)
    body, headers, spec = _hand_signed(target, bob, follow, algorithm="rsa-sha256", created=True)
    params, signing = spec.split("\n", 1)
    private = load_private_key(target.peer.keys[bob].private_pem)
    raw = private.sign(signing.encode(), padding.PKCS1v15(), hashes.SHA256())  # type: ignore[call-arg, union-attr]
    headers["Signature"] = f'{params},signature="{base64.b64encode(raw).decode()}"'
    async with target.node.http.post(target.inbox, data=body, headers=headers) as response:
        assert response.status == 401
    await target.nothing_stored()


async def test_hmac_algorithm_with_the_public_key_as_secret_is_refused(target: Target) -> None:
    """Attack: algorithm confusion — HMAC keyed with the actor's public PEM."""
    bob = target.peer.actor("bob")
    follow = target.peer.activity(bob, "Follow", target.org)
    body, headers, spec = _hand_signed(target, bob, follow, algorithm="hmac-sha256", created=False)
    params, signing = spec.split("\n", 1)
    secret = target.peer.keys[bob].public_pem.encode()
    raw = hmac.new(secret, signing.encode(), hashlib.sha256).digest()
    headers["Signature"] = f'{params},signature="{base64.b64encode(raw).decode()}"'
    async with target.node.http.post(target.inbox, data=body, headers=headers) as response:
        assert response.status == 401
    await target.nothing_stored()
    assert await target.count("remote_actors") == 0  # refused before any key fetch


async def test_rfc9421_signature_is_accepted_and_a_tampered_one_refused(target: Target) -> None:
    """The second knock works; a Content-Digest that lies does not."""
    bob = target.peer.actor("bob")
    follow = target.peer.activity(bob, "Follow", target.org)
    bad = await target.peer.post(
        target.node.http,
        target.inbox,
        follow,
        scheme="rfc9421",
        tamper={"Content-Digest": "sha-256=:" + base64.b64encode(b"0" * 32).decode() + ":"},
    )
    assert bad == 401
    await target.nothing_stored()
    good = await target.peer.post(target.node.http, target.inbox, follow, scheme="rfc9421")
    assert good == 202


async def test_activity_id_on_another_host_than_its_actor(target: Target) -> None:
    """Attack: a valid signature wrapping an activity that claims another server's id."""
    bob = target.peer.actor("bob")
    follow = target.peer.activity(bob, "Follow", target.org)
    follow["id"] = "https://victim.example/activities/1"
    assert await target.peer.post(target.node.http, target.inbox, follow) == 400
    await target.nothing_stored()


async def test_activity_id_on_our_own_host(target: Target) -> None:
    """Attack: an activity id on the receiving node, to shadow our own activities."""
    bob = target.peer.actor("bob")
    follow = target.peer.activity(bob, "Follow", target.org)
    follow["id"] = target.node.origin + "/activities/forged"
    assert await target.peer.post(target.node.http, target.inbox, follow) == 400
    await target.nothing_stored()


async def test_signed_body_over_the_size_limit_is_refused(target: Target) -> None:
    """Attack: exhaust memory with a huge signed body."""
    bob = target.peer.actor("bob")
    follow = target.peer.activity(bob, "Follow", target.org, content="x" * (1024 * 1024))
    assert await target.peer.post(target.node.http, target.inbox, follow) == 413
    await target.nothing_stored()
