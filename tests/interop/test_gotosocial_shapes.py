"""What we make of documents GoToSocial really sends: actors with `/main-key` key ids, Follow,
Create with its interaction policy, Delete of a note.

Every document comes from `fixtures/gotosocial/` (sources and adaptations in
fixtures/README.md): GoToSocial's own serialiser tests, its federation docs, and a Follow
captured from a GoToSocial 0.x debug log. GoToSocial signs with `keyId="<actor>/main-key"` and
serves no shared inbox; both shapes go through the real inbox here.
"""

from __future__ import annotations

from typing import Any

import pytest

from commonsnode.model.actors import RemoteActor, RemoteKey
from federation.actors import ActorDocumentError, parse_actor
from federation.jsonld.normalise import normalise
from federation.sanitize import sanitize_html
from tests.interop.peers import (  # noqa: F401 - `interop_target` is the `target` fixture
    GOTOSOCIAL,
    InteropTarget,
    fixture_json,
    fixture_text,
    interop_target,
    rehost,
)

ZORK = "gotosocial/localhost-8080-users-the_mighty_zork.json"
GTS_ORIGIN = "http://localhost:8080"  # GoToSocial's testrig host, in every serialiser test
KEYSMASH = "https://gts.keysmash.xyz"  # where the recorded Follow was captured
FOLLOWED = "https://takahe.social/@ktv@takahe.social/"  # the account it followed
# GoToSocial serialises a status Delete without `id`; go-fed's `Send` adds one before delivery
# (federatingDB.NewID's fallback: <protocol>://<host>/<new ULID>). This is that id.
DELETE_ID = f"{GTS_ORIGIN}/01JAB5ZQ2E6GQJQ4V4V5Y8W7KD"

NOW = 1_700_000_000.0  # fetched_at of the parsed records


def _read(fixture: str) -> tuple[dict[str, Any], RemoteActor, list[RemoteKey]]:
    raw = fixture_json(fixture)
    return raw, *parse_actor(normalise(raw), NOW)


# --- 1. actor documents ----------------------------------------------------------------------


def test_person_with_main_key_path_parses_into_inbox_key_and_name() -> None:
    raw, actor, keys = _read(ZORK)
    assert actor.iri == "http://localhost:8080/users/the_mighty_zork"
    assert actor.type == "Person"
    assert actor.inbox == "http://localhost:8080/users/the_mighty_zork/inbox"
    assert actor.shared_inbox is None  # GoToSocial serves none
    assert actor.outbox == "http://localhost:8080/users/the_mighty_zork/outbox"
    assert actor.followers == "http://localhost:8080/users/the_mighty_zork/followers"
    assert actor.preferred_username == "the_mighty_zork"
    assert actor.name == "original zork (he/they)"
    assert actor.manually_approves_followers is False
    assert [(k.key_id, k.actor_iri, k.type) for k in keys] == [
        ("http://localhost:8080/users/the_mighty_zork/main-key", actor.iri, "rsa")
    ]
    assert keys[0].public_pem == raw["publicKey"]["publicKeyPem"]
    assert actor.summary == sanitize_html(raw["summary"]) == "<p>hey yo this is my profile!</p>"


def test_person_with_a_single_emoji_tag_object_parses_like_without_it() -> None:
    """GoToSocial writes one tag as an object, not a one-element array."""
    raw, actor, keys = _read("gotosocial/localhost-8080-users-the_mighty_zork-emoji.json")
    assert isinstance(raw["tag"], dict)
    _, plain, plain_keys = _read(ZORK)
    assert actor == plain
    assert keys == plain_keys


def test_person_with_profile_fields_and_locked_account_parses() -> None:
    raw, actor, keys = _read("gotosocial/localhost-8080-users-1happyturtle.json")
    assert actor.inbox == "http://localhost:8080/users/1happyturtle/inbox"
    assert actor.name == "happy little turtle :3"
    assert actor.manually_approves_followers is True
    assert [k.key_id for k in keys] == ["http://localhost:8080/users/1happyturtle#main-key"]
    assert actor.summary == sanitize_html(raw["summary"])
    assert actor.summary == "<p>i post about things that concern me</p>"


def test_public_key_stub_served_at_main_key_is_not_taken_for_an_actor() -> None:
    """GET <actor>/main-key answers a stub with no inbox: it names the key's owner, it is not
    the owner's actor document."""
    stub = fixture_json("gotosocial/example.org-users-example_user-main-key.json")
    with pytest.raises(ActorDocumentError, match="inbox"):
        parse_actor(normalise(stub), NOW)


# --- 2. activities through the real inbox ---------------------------------------------------


def _serve_gotosocial_actor(target: InteropTarget, recorded_actor: str) -> str:
    """Serve the recorded zork Person in `recorded_actor`'s place on the peer; its IRI there."""
    name = recorded_actor.rsplit("/users/", 1)[1]
    return target.peer.publish_actor(
        ZORK, recorded_origin=GTS_ORIGIN, as_actor=f"{GTS_ORIGIN}/users/{name}"
    )


def _activity(target: InteropTarget, fixture: str, origin: str) -> str:
    return rehost(fixture_text(fixture), {origin: target.peer.origin, FOLLOWED: target.org})


async def _deliver(target: InteropTarget, body: str, actor: str, *, shared: bool = False) -> int:
    """POST as GoToSocial does: signed with `<actor>/main-key`; to our shared inbox for what
    goes to a whole server (posts, deletes), else to `city`'s inbox."""
    inbox = target.shared_inbox if shared else target.inbox
    key_id = f"{actor}/main-key"
    return await target.post(body, actor=actor, key_id=key_id, shape=GOTOSOCIAL, inbox=inbox)


@pytest.mark.cluster
async def test_follow_signed_with_main_key_path_is_accepted_and_answered_to_the_actor_inbox(
    target: InteropTarget,
) -> None:
    actor = _serve_gotosocial_actor(target, f"{KEYSMASH}/users/kelsonv")
    follow = _activity(target, "gotosocial/gts.keysmash.xyz-follow.json", KEYSMASH)
    assert await _deliver(target, follow, actor) == 202
    await target.cluster.settle()
    assert await target.followers() == [(actor, "accepted")]
    [delivery] = target.peer.delivered_to(f"{actor}/inbox")
    await target.verify_delivery(delivery)
    accept = delivery.json()
    assert accept["type"] == "Accept"
    assert accept["actor"] == target.org
    assert accept["object"]["id"] == f"{actor}/follow/019WV3Y41NQFXNYN155YB3BKDA"
    assert await target.job_states() == {"ready": 0, "running": 0, "dead": 0}


@pytest.mark.cluster
async def test_create_note_with_interaction_policy_is_accepted_and_processed_without_error(
    target: InteropTarget,
) -> None:
    actor = _serve_gotosocial_actor(target, f"{GTS_ORIGIN}/users/the_mighty_zork")
    create = _activity(target, "gotosocial/localhost-8080-create-note.json", GTS_ORIGIN)
    assert '"interactionPolicy"' in create
    assert '"https://gotosocial.org/ns"' in create
    assert await _deliver(target, create, actor, shared=True) == 202
    assert await target.count("inbox_log") == 1
    await target.cluster.settle()
    assert await target.job_states() == {"ready": 0, "running": 0, "dead": 0}
    assert await target.count("jobs") == 0


@pytest.mark.cluster
async def test_delete_of_a_note_by_iri_records_a_tombstone(target: InteropTarget) -> None:
    actor = _serve_gotosocial_actor(target, f"{GTS_ORIGIN}/users/admin")
    recorded = fixture_text("gotosocial/localhost-8080-delete-note.json")
    with_id = recorded.replace('  "object":', f'  "id": "{DELETE_ID}",\n  "object":', 1)
    delete = rehost(with_id, {GTS_ORIGIN: target.peer.origin})
    assert await _deliver(target, delete, actor, shared=True) == 202
    await target.cluster.settle()
    note = f"{actor}/statuses/01F8MH75CBF9JFX4ZAD54N0W0R"
    assert await target.scalar("SELECT actor FROM tombstones WHERE iri = :iri", iri=note) == actor
    assert await target.job_states() == {"ready": 0, "running": 0, "dead": 0}
