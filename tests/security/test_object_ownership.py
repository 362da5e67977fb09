"""Only an object's owner may undo, answer, delete or update it; embedded copies are not trusted."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa

from federation.inbox.receive import INBOX_JOB
from tests.federation.fakepeer import FakePeer, fake_peer
from tests.security.conftest import Target


@pytest.fixture
async def other_peer() -> AsyncIterator[FakePeer]:
    """A second remote server, for the cross-host variants."""
    async with fake_peer("127.0.0.21") as peer:
        yield peer


async def rows(target: Target, sql: str) -> list[sa.Row[Any]]:
    async with target.node.node.db.transaction(readonly=True) as connection:
        return list((await connection.execute(sa.text(sql))).all())


async def follow_states(target: Target, path: str) -> list[tuple[str, str]]:
    _, body = await target.node.api("GET", path, as_="city")
    return [(item["actor"], item["state"]) for item in body["items"]]


async def followed_by_bob(target: Target) -> tuple[str, dict[str, Any]]:
    """Bob follows `city` and is accepted; returns Bob and his Follow."""
    bob = target.peer.actor("bob")
    follow = target.peer.activity(bob, "Follow", target.org)
    assert await target.peer.post(target.node.http, target.inbox, follow) == 202
    await target.cluster.settle()
    assert await follow_states(target, "/api/v1/followers") == [(bob, "accepted")]
    return bob, follow


async def city_follows_bob(target: Target) -> tuple[str, dict[str, Any]]:
    """`city` asks to follow Bob; returns Bob and our Follow as Bob received it."""
    bob = target.peer.actor("bob")
    status, _ = await target.node.api("POST", "/api/v1/follows", as_="city", json={"target": bob})
    assert status == 202
    await target.cluster.settle()
    (ours,) = [a for a in target.peer.received if a["type"] == "Follow"]
    return bob, ours


async def queued_activity(target: Target) -> dict[str, Any]:
    (row,) = await rows(target, f"SELECT payload FROM jobs WHERE kind = '{INBOX_JOB}'")
    return json.loads(row.payload)["activity"]  # type: ignore[no-any-return]


async def dead_errors(target: Target) -> list[str]:
    return [job.last_error or "" for job in await target.node.node.queue.dead()]


def undo_objects(follow: dict[str, Any], attacker: str) -> list[Any]:
    """Ways to name Bob's Follow in an Undo sent by someone else."""
    return [
        follow["id"],
        {k: follow[k] for k in ("id", "type", "actor", "object")},
        {**{k: follow[k] for k in ("id", "type", "object")}, "actor": attacker},
    ]


async def test_undo_of_someone_elses_follow_on_the_same_host(target: Target) -> None:
    """Attack: Mallory, on Bob's server, undoes Bob's follow so that he silently stops
    receiving the organisation's posts."""
    bob, follow = await followed_by_bob(target)
    mallory = target.peer.actor("mallory")
    for inner in undo_objects(follow, mallory):
        undo = target.peer.activity(mallory, "Undo", inner)
        assert await target.peer.post(target.node.http, target.inbox, undo) == 202
        await target.cluster.settle()
        assert await follow_states(target, "/api/v1/followers") == [(bob, "accepted")]
    assert sum("its own follow" in error for error in await dead_errors(target)) == 3
    # Undoing "her" follow of city by pair matches nothing of Bob's either.
    by_pair = {"type": "Follow", "actor": mallory, "object": target.org}
    undo = target.peer.activity(mallory, "Undo", by_pair)
    assert await target.peer.post(target.node.http, target.inbox, undo) == 202
    await target.cluster.settle()
    assert await follow_states(target, "/api/v1/followers") == [(bob, "accepted")]


async def test_undo_of_someone_elses_follow_from_another_host(
    target: Target, other_peer: FakePeer
) -> None:
    """Attack: Eve, on another server, undoes Bob's follow."""
    bob, follow = await followed_by_bob(target)
    eve = other_peer.actor("eve")
    for inner in undo_objects(follow, eve):
        undo = other_peer.activity(eve, "Undo", inner)
        assert await other_peer.post(target.node.http, target.inbox, undo) == 202
        await target.cluster.settle()
        assert await follow_states(target, "/api/v1/followers") == [(bob, "accepted")]
    # The real follower can still take his follow back.
    undo = target.peer.activity(bob, "Undo", follow)
    assert await target.peer.post(target.node.http, target.inbox, undo) == 202
    await target.cluster.settle()
    assert await follow_states(target, "/api/v1/followers") == []


@pytest.mark.parametrize("where", ["same host", "other host"])
async def test_accept_of_our_follow_by_another_actor_leaves_it_pending(
    target: Target, other_peer: FakePeer, where: str
) -> None:
    """Attack: an actor other than the followed one accepts our follow, to make the
    organisation list (and trust) a follow that never happened."""
    bob, ours = await city_follows_bob(target)
    peer = target.peer if where == "same host" else other_peer
    mallory = peer.actor("mallory")
    for inner in (ours["id"], {k: ours[k] for k in ("id", "type", "actor", "object")}):
        accept = peer.activity(mallory, "Accept", inner)
        assert await peer.post(target.node.http, target.inbox, accept) == 202
        await target.cluster.settle()
        assert await follow_states(target, "/api/v1/follows") == [(bob, "pending")]
    assert sum("only the followed actor" in e for e in await dead_errors(target)) == 2
    accept = target.peer.activity(bob, "Accept", ours["id"])
    assert await target.peer.post(target.node.http, target.inbox, accept) == 202
    await target.cluster.settle()
    assert await follow_states(target, "/api/v1/follows") == [(bob, "accepted")]


@pytest.mark.parametrize(
    ("note_id", "author", "why"),
    [
        ("https://victim.example/notes/1", "bob", "foreign id"),
        ("{peer}/notes/2", "mallory", "another author on the same host"),
        ("https://victim.example/notes/3", "mallory", "foreign id and author"),
    ],
)
async def test_embedded_object_not_owned_by_the_actor_is_reduced_to_its_id(
    target: Target, note_id: str, author: str, why: str
) -> None:
    """Attack: Bob wraps a forged copy of someone else's Note in his own signed Create,
    hoping we store the embedded copy (Mastodon `safe_prefetched_embed`)."""
    bob = target.peer.actor("bob")
    other = target.peer.actor(author) if author != "bob" else bob
    note = {
        "id": note_id.format(peer=target.peer.origin),
        "type": "Note",
        "attributedTo": other,
        "content": "<p>forged words</p>",
    }
    create = target.peer.activity(bob, "Create", note)
    assert await target.peer.post(target.node.http, target.inbox, create) == 202
    queued = await queued_activity(target)
    assert queued["object"] == note["id"], why  # the handler must fetch it from its origin
    assert "forged words" not in json.dumps(queued)
    assert target.peer.requests == ["/users/bob"]  # only the key; nothing else fetched


async def test_embedded_object_of_the_actor_itself_is_kept(target: Target) -> None:
    bob = target.peer.actor("bob")
    note = {"id": f"{bob}/notes/1", "type": "Note", "attributedTo": bob, "content": "<p>hi</p>"}
    create = target.peer.activity(bob, "Create", note)
    assert await target.peer.post(target.node.http, target.inbox, create) == 202
    queued = await queued_activity(target)
    assert queued["object"]["id"] == note["id"]


async def test_delete_of_an_object_records_a_tombstone(target: Target) -> None:
    bob = target.peer.actor("bob")
    for inner in (f"{bob}/notes/1", {"id": f"{bob}/notes/2", "type": "Tombstone"}):
        delete = target.peer.activity(bob, "Delete", inner)
        assert await target.peer.post(target.node.http, target.inbox, delete) == 202
    await target.cluster.settle()
    found = await rows(target, "SELECT iri, actor FROM tombstones ORDER BY iri")
    assert [(r.iri, r.actor) for r in found] == [(f"{bob}/notes/1", bob), (f"{bob}/notes/2", bob)]


async def test_delete_of_an_object_on_another_origin_records_nothing(
    target: Target, other_peer: FakePeer
) -> None:
    """Attack: Bob "deletes" a Note of another server (or one of ours), so that the tombstone
    keeps the real object out when its Create arrives."""
    bob = target.peer.actor("bob")
    for victim in (f"{other_peer.origin}/notes/1", f"{target.node.origin}/notes/1"):
        delete = target.peer.activity(bob, "Delete", victim)
        assert await target.peer.post(target.node.http, target.inbox, delete) == 202
    await target.cluster.settle()
    assert await rows(target, "SELECT iri FROM tombstones") == []
    assert sum("another origin" in e for e in await dead_errors(target)) == 2


async def test_update_of_an_actor_is_refetched_from_its_origin(target: Target) -> None:
    """Attack: Bob sends an Update carrying a doctored copy of his actor (another name, and
    an inbox elsewhere); we must store what his server serves, not what he embeds."""
    bob, _ = await followed_by_bob(target)
    target.peer.documents["/users/bob"]["name"] = "Bob at his origin"
    embedded = {
        **target.peer.documents["/users/bob"],
        "name": "Bob as embedded",
        "inbox": f"{target.peer.origin}/users/mallory/inbox",
    }
    target.peer.requests.clear()
    update = target.peer.activity(bob, "Update", embedded)
    assert await target.peer.post(target.node.http, target.inbox, update) == 202
    await target.cluster.settle()
    assert target.peer.requests == ["/users/bob"]  # re-read from his server
    (row,) = await rows(target, "SELECT name, inbox FROM remote_actors")
    assert (row.name, row.inbox) == ("Bob at his origin", f"{bob}/inbox")


@pytest.mark.parametrize("where", ["same host", "other host"])
async def test_update_of_another_actor_is_ignored(
    target: Target, other_peer: FakePeer, where: str
) -> None:
    """Attack: Mallory sends an Update of Bob's actor, hoping we store her copy of him."""
    bob, _ = await followed_by_bob(target)
    peer = target.peer if where == "same host" else other_peer
    mallory = peer.actor("mallory")
    embedded = {**target.peer.documents["/users/bob"], "name": "Bob as Mallory says"}
    update = peer.activity(mallory, "Update", embedded)
    target.peer.requests.clear()
    peer.requests.clear()
    assert await peer.post(target.node.http, target.inbox, update) == 202
    await target.cluster.settle()
    assert "/users/bob" not in target.peer.requests  # not even a refetch of Bob
    names = await rows(target, f"SELECT name FROM remote_actors WHERE iri = '{bob}'")
    assert [r.name for r in names] == [None]
