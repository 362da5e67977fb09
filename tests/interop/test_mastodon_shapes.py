"""What we make of documents Mastodon really sends: actors, Follow, Undo, Delete, Create.

Every document comes from `fixtures/mastodon/` (sources and adaptations in fixtures/README.md).
The pipeline tests run the real inbox: the recorded activity, moved onto a fake peer on
loopback, is signed by that peer and POSTed to our organisation `city`; the peer serves the
recorded actor document with a key it holds.
"""

from __future__ import annotations

from typing import Any

import pytest

from commonsnode.model.actors import RemoteActor, RemoteKey
from federation.actors import parse_actor
from federation.jsonld.normalise import needs_compaction, normalise
from federation.sanitize import sanitize_html
from tests.interop.peers import (  # noqa: F401 - `interop_target` is the `target` fixture
    MASTODON,
    InteropTarget,
    fixture_json,
    fixture_text,
    interop_target,
    rehost,
)

GARGRON = "mastodon/mastodon.social-users-Gargron-2024.json"  # mastodon.social, April 2024
GARGRON_OLDER = "mastodon/mastodon.social-users-Gargron.json"  # as GoToSocial's tests keep it
GARGRON_ORIGIN = "https://mastodon.social"
TECHNOLOGY = "https://mastodon.technology"  # where the recorded activities were captured
TESTTEST = f"{TECHNOLOGY}/users/testtest"
DELETEDUSER = f"{TECHNOLOGY}/users/deleteduser"
FOLLOWED = "https://4a120ca2680e.ngrok.io/users/manu"  # the account the recording followed

NOW = 1_700_000_000.0  # fetched_at of the parsed records


def _read(fixture: str) -> tuple[dict[str, Any], RemoteActor, list[RemoteKey]]:
    """An actor document as our resolver reads it: normalised, then parsed."""
    raw = fixture_json(fixture)
    return raw, *parse_actor(normalise(raw), NOW)


# --- 1. actor documents ----------------------------------------------------------------------


def test_person_with_toot_context_and_profile_fields_parses_into_inboxes_keys_and_name() -> None:
    raw, actor, keys = _read(GARGRON)
    assert actor.iri == "https://mastodon.social/users/Gargron"
    assert actor.type == "Person"
    assert actor.inbox == "https://mastodon.social/users/Gargron/inbox"
    assert actor.shared_inbox == "https://mastodon.social/inbox"
    assert actor.outbox == "https://mastodon.social/users/Gargron/outbox"
    assert actor.followers == "https://mastodon.social/users/Gargron/followers"
    assert actor.following == "https://mastodon.social/users/Gargron/following"
    assert actor.url == "https://mastodon.social/@Gargron"
    assert actor.preferred_username == "Gargron"
    assert actor.name == "Eugen Rochko"
    assert actor.manually_approves_followers is False
    assert [(k.key_id, k.actor_iri, k.type) for k in keys] == [
        ("https://mastodon.social/users/Gargron#main-key", actor.iri, "rsa")
    ]
    assert keys[0].public_pem == raw["publicKey"]["publicKeyPem"]


def test_person_summary_is_sanitised_to_mastodons_allowlist() -> None:
    """The bio's `translate="no"` goes, the mention's microformat classes stay, and the link
    gets our rel whatever was sent."""
    raw, actor, _ = _read(GARGRON)
    assert 'translate="no"' in raw["summary"]
    assert actor.summary == sanitize_html(raw["summary"])
    assert actor.summary == (
        '<p>Founder of <span class="h-card"><a href="https://mastodon.social/@Mastodon" '
        'class="u-url mention" rel="nofollow noopener noreferrer">@<span>Mastodon</span></a>'
        "</span>. Film photography, prog metal, Dota 2. Likes all things analog.</p>"
    )


def test_older_person_with_identity_proof_attachment_parses_the_same_way() -> None:
    """Mastodon 3.x: an IdentityProof among the PropertyValue attachments, no `indexable`."""
    raw, actor, keys = _read(GARGRON_OLDER)
    assert actor.iri == "https://mastodon.social/users/Gargron"
    assert actor.inbox == "https://mastodon.social/users/Gargron/inbox"
    assert actor.shared_inbox == "https://mastodon.social/inbox"
    assert actor.name == "Eugen"
    assert [k.key_id for k in keys] == ["https://mastodon.social/users/Gargron#main-key"]
    assert actor.summary == sanitize_html(raw["summary"])
    assert actor.summary == (
        "<p>Developer of Mastodon and administrator of mastodon.social. I post service "
        "announcements, development updates, and personal stuff.</p>"
    )


@pytest.mark.parametrize("fixture", [GARGRON, GARGRON_OLDER])
def test_person_with_mastodons_own_context_takes_the_fast_path(fixture: str) -> None:
    assert needs_compaction(fixture_json(fixture)) is False


def test_spec_fixture_actor_with_empty_name_parses_without_a_name() -> None:
    _, actor, keys = _read("mastodon/ap.example.com-users-foo.json")
    assert actor.inbox == "https://ap.example.com/users/foo/inbox"
    assert actor.shared_inbox == "https://ap.example.com/inbox"
    assert actor.name is None
    assert actor.summary == "<p>test</p>"
    assert [k.key_id for k in keys] == ["https://ap.example.com/users/foo#main-key"]


def test_actor_typed_person_and_vcard_individual_parses_as_a_person() -> None:
    """`"type": ["Person", "vcard:individual"]` and a `vcard:fn` key force the JSON-LD slow
    path; the compacted document must still be the same actor with the same key."""
    _, actor, keys = _read("mastodon/ap.example.com-users-foo-individual.json")
    assert actor.type == "Person"
    assert actor.iri == "https://ap.example.com/users/foo"
    assert actor.inbox == "https://ap.example.com/users/foo/inbox"
    assert actor.shared_inbox == "https://ap.example.com/inbox"
    assert [k.key_id for k in keys] == ["https://ap.example.com/users/foo#main-key"]


# --- 2. activities through the real inbox ---------------------------------------------------


def _serve_mastodon_actor(target: InteropTarget, recorded_actor: str) -> str:
    """Serve the recorded Gargron Person in the place of `recorded_actor` (same path, on the
    peer); returns its IRI there, which is where the rehosted activities point."""
    name = recorded_actor.rsplit("/users/", 1)[1]
    return target.peer.publish_actor(
        GARGRON, recorded_origin=GARGRON_ORIGIN, as_actor=f"{GARGRON_ORIGIN}/users/{name}"
    )


def _activity(target: InteropTarget, fixture: str, origin: str) -> str:
    """The recorded activity's text, moved onto the peer, its followed account made `city`."""
    return rehost(fixture_text(fixture), {origin: target.peer.origin, FOLLOWED: target.org})


async def _deliver(target: InteropTarget, body: str, actor: str, *, shared: bool = False) -> int:
    """POST as Mastodon does: signed with `<actor>#main-key`; to our shared inbox for what
    goes to a whole server (posts, deletes), else to `city`'s inbox."""
    inbox = target.shared_inbox if shared else target.inbox
    key_id = f"{actor}#main-key"
    return await target.post(body, actor=actor, key_id=key_id, shape=MASTODON, inbox=inbox)


@pytest.mark.cluster
async def test_follow_is_accepted_stored_and_answered_with_an_accept_signed_by_city(
    target: InteropTarget,
) -> None:
    actor = _serve_mastodon_actor(target, TESTTEST)
    follow = _activity(target, "mastodon/mastodon.technology-follow.json", TECHNOLOGY)
    assert await _deliver(target, follow, actor) == 202
    await target.cluster.settle()
    assert await target.followers() == [(actor, "accepted")]
    [delivery] = target.peer.delivered_to(f"{actor}/inbox")
    claim = await target.verify_delivery(delivery)
    assert claim.key_id == f"{target.org}#main-key"
    accept = delivery.json()
    assert accept["type"] == "Accept"
    assert accept["actor"] == target.org
    assert accept["object"]["id"] == f"{target.peer.origin}/c94567cf-1fda-42ba-82fc-a0f82f63ccbe"
    assert accept["object"]["actor"] == actor
    assert await target.job_states() == {"ready": 0, "running": 0, "dead": 0}


@pytest.mark.cluster
async def test_undo_of_follow_removes_the_follower(target: InteropTarget) -> None:
    actor = _serve_mastodon_actor(target, TESTTEST)
    follow = _activity(target, "mastodon/mastodon.technology-follow.json", TECHNOLOGY)
    undo = _activity(target, "mastodon/mastodon.technology-undo-follow.json", TECHNOLOGY)
    assert await _deliver(target, follow, actor) == 202
    await target.cluster.settle()
    assert await target.followers() == [(actor, "accepted")]
    assert await _deliver(target, undo, actor) == 202
    await target.cluster.settle()
    assert await target.followers() == []
    assert await target.count("follows") == 0
    assert await target.job_states() == {"ready": 0, "running": 0, "dead": 0}


@pytest.mark.cluster
async def test_delete_of_the_actor_itself_marks_it_gone_and_ends_its_follow(
    target: InteropTarget,
) -> None:
    actor = _serve_mastodon_actor(target, DELETEDUSER)
    follow = rehost(
        _activity(target, "mastodon/mastodon.technology-follow.json", TECHNOLOGY),
        {f"{target.peer.origin}/users/testtest": actor},
    )
    assert await _deliver(target, follow, actor) == 202
    await target.cluster.settle()
    assert await target.followers() == [(actor, "accepted")]
    delete = _activity(target, "mastodon/mastodon.technology-delete-actor.json", TECHNOLOGY)
    assert await _deliver(target, delete, actor, shared=True) == 202
    await target.cluster.settle()
    gone_at = await target.scalar("SELECT gone_at FROM remote_actors WHERE iri = :iri", iri=actor)
    assert gone_at is not None
    assert await target.followers() == []
    assert await target.job_states() == {"ready": 0, "running": 0, "dead": 0}


@pytest.mark.cluster
async def test_delete_of_a_note_with_a_tombstone_object_records_a_tombstone(
    target: InteropTarget,
) -> None:
    origin = "http://mastodon.example.org"
    actor = _serve_mastodon_actor(target, f"{origin}/users/gargron")
    delete = _activity(target, "mastodon/mastodon.example.org-delete-note.json", origin)
    assert await _deliver(target, delete, actor, shared=True) == 202
    await target.cluster.settle()
    note = f"{actor}/statuses/99620895606148759"
    assert await target.scalar("SELECT actor FROM tombstones WHERE iri = :iri", iri=note) == actor
    assert await target.job_states() == {"ready": 0, "running": 0, "dead": 0}


@pytest.mark.cluster
@pytest.mark.parametrize(
    ("fixture", "recorded_actor"),
    [
        pytest.param(
            "mastodon/mastodon.technology-create-note.json", TESTTEST, id="followers-only"
        ),
        pytest.param(
            "mastodon/fossbros-anonymous.io-create-note-emoji.json",
            "http://fossbros-anonymous.io/users/foss_satan",
            id="hashtags-and-emoji",
        ),
    ],
)
async def test_create_note_with_mastodon_context_is_accepted_and_processed_without_error(
    target: InteropTarget, fixture: str, recorded_actor: str
) -> None:
    actor = _serve_mastodon_actor(target, recorded_actor)
    origin = recorded_actor.split("/users/", 1)[0]
    create = _activity(target, fixture, origin)
    assert await _deliver(target, create, actor, shared=True) == 202
    assert await target.count("inbox_log") == 1
    await target.cluster.settle()
    assert await target.job_states() == {"ready": 0, "running": 0, "dead": 0}
    assert await target.count("jobs") == 0


# --- 3. a deleted account's farewell ---------------------------------------------------------


@pytest.mark.cluster
async def test_delete_of_an_unknown_actor_whose_document_answers_410_is_accepted_and_dropped(
    target: InteropTarget,
) -> None:
    """Mastodon sends an account's Delete to every server it knows, signed with the key of
    the account that no longer exists: the key cannot be fetched (410), and a peer that answers
    401 would be retried for days. We answer 202 and keep nothing."""
    actor = _serve_mastodon_actor(target, DELETEDUSER)
    target.peer.mark_gone(actor)
    delete = _activity(target, "mastodon/mastodon.technology-delete-actor.json", TECHNOLOGY)
    assert await _deliver(target, delete, actor, shared=True) == 202
    assert target.peer.fake.requests == ["/users/deleteduser"]
    assert await target.count("inbox_log") == 0
    assert await target.count("jobs") == 0
    assert await target.count("remote_keys") == 0
    assert await target.count("remote_actors") == 0
