"""Key rotation is followed once; forged key ids do not make us fetch again and again."""

from __future__ import annotations

from commonsnode.keys import generate_rsa
from tests.security.conftest import Target


async def test_rotated_key_is_fetched_once_and_accepted(target: Target) -> None:
    """A peer rotates its key: the cached key fails, one re-fetch finds the new one."""
    bob = target.peer.actor("bob")
    assert (
        await target.peer.post(
            target.node.http, target.inbox, target.peer.activity(bob, "Follow", target.org)
        )
        == 202
    )
    fetches = len(target.peer.requests)
    target.cluster.clock.advance(120)  # past the "just re-read" guard
    new_key = generate_rsa()
    target.peer.actor("bob", key=new_key)  # same key id, new key material
    status = await target.peer.post(
        target.node.http,
        target.inbox,
        target.peer.activity(bob, "Follow", target.org),
        now=target.cluster.clock.now(),
    )
    assert status == 202
    assert len(target.peer.requests) == fetches + 1


async def test_bad_signatures_right_after_a_refresh_cause_no_more_fetches(target: Target) -> None:
    """Attack: flood forged signatures with a real key id to make us re-fetch every time."""
    bob = target.peer.actor("bob")
    assert (
        await target.peer.post(
            target.node.http, target.inbox, target.peer.activity(bob, "Follow", target.org)
        )
        == 202
    )
    fetches = len(target.peer.requests)
    forged_key = generate_rsa()
    for _ in range(5):
        status = await target.peer.post(
            target.node.http,
            target.inbox,
            target.peer.activity(bob, "Follow", target.org),
            key=forged_key,
            key_id=f"{bob}#main-key",
        )
        assert status == 401
    assert len(target.peer.requests) == fetches
    assert await target.count("jobs") == 1


async def test_a_key_the_actor_does_not_list_is_negative_cached(target: Target) -> None:
    """Attack: repeat a key id the actor does not list: one fetch, then refused from memory."""
    bob = target.peer.actor("bob")
    stranger = generate_rsa()
    for _ in range(3):
        status = await target.peer.post(
            target.node.http,
            target.inbox,
            target.peer.activity(bob, "Follow", target.org),
            key=stranger,
            key_id=f"{bob}#other-key",
        )
        assert status == 401
    assert target.peer.requests == ["/users/bob"]
    await target.nothing_stored()
