"""Federation repositories on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from dataclasses import replace

from commonsnode.clock import FixedClock
from commonsnode.model.actors import RemoteActor, RemoteKey
from commonsnode.model.follows import Follow, transition
from commonsnode.usecases.organisations import create_organisation
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.keys import TEST_KEYS


def actor(iri: str, *, shared: str | None = None, gone: float | None = None) -> RemoteActor:
    host = iri.split("/")[2]
    return RemoteActor(
        iri=iri,
        host=host,
        type="Person",
        inbox=iri + "/inbox",
        shared_inbox=shared,
        preferred_username=iri.rsplit("/", 1)[1],
        name=None,
        summary=None,
        url=None,
        outbox=None,
        followers=None,
        following=None,
        kind=None,
        manually_approves_followers=False,
        fetched_at=1.0,
        gone_at=gone,
    )


async def test_actor_upsert_replaces_keys_on_rotation(uow: SqlUnitOfWorkFactory) -> None:
    a = actor("https://a.example/users/al")
    old = RemoteKey(a.iri + "#main-key", a.iri, "rsa", "OLD")
    new = RemoteKey(a.iri + "#key-2", a.iri, "rsa", "NEW")
    async with uow() as tx:
        await tx.actors.upsert(a, [old])
    async with uow() as tx:
        await tx.actors.upsert(replace(a, name="Al"), [new])
    async with uow(readonly=True) as tx:
        assert (await tx.actors.get(a.iri)).name == "Al"  # type: ignore[union-attr]
        assert await tx.actors.get_key(old.key_id) is None
        assert (await tx.actors.get_key(new.key_id)) == new


async def test_key_failures_are_negative_cached_until_they_expire(
    uow: SqlUnitOfWorkFactory,
) -> None:
    async with uow() as tx:
        await tx.actors.record_key_failure("https://x.example/k", until=100.0, reason="410")
    async with uow() as tx:
        assert await tx.actors.key_failure("https://x.example/k", now=99.0) == "410"
        assert await tx.actors.key_failure("https://x.example/k", now=100.0) is None
        assert await tx.actors.prune_key_failures(now=101.0) == 1


async def test_inbox_log_is_per_recipient_and_detects_replays(uow: SqlUnitOfWorkFactory) -> None:
    async with uow() as tx:
        assert await tx.inbox_log.record("https://a.example/1", "/inbox", "a", 1.0)
        assert not await tx.inbox_log.record("https://a.example/1", "/inbox", "a", 2.0)
        assert await tx.inbox_log.record("https://a.example/1", "/orgs/x/inbox", "a", 2.0)
    async with uow() as tx:
        assert await tx.inbox_log.prune(before=1.5) == 1


async def test_follows_page_count_and_deliver_to_shared_inboxes(
    uow: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    org = await create_organisation(
        uow, clock, handle="city", name="City", kind="government", keys=TEST_KEYS
    )
    actors = [
        actor("https://m.example/users/a", shared="https://m.example/inbox"),
        actor("https://m.example/users/b", shared="https://m.example/inbox"),
        actor("https://g.example/users/c"),
        actor("https://dead.example/users/d", gone=5.0),
    ]
    async with uow() as tx:
        for i, remote in enumerate(actors):
            await tx.actors.upsert(remote, [])
            await tx.follows.save(
                Follow(f"f{i}", "in", org.id, remote.iri, "accepted", f"{remote.iri}#f", 1.0, 1.0)
            )
        await tx.follows.save(
            Follow("f9", "in", org.id, "https://p.example/u/p", "pending", "x", 1.0, 1.0)
        )
    async with uow(readonly=True) as tx:
        assert await tx.follows.follower_inboxes(org.id) == [
            "https://g.example/users/c/inbox",
            "https://m.example/inbox",
        ]
        assert await tx.follows.count("in", org.id, "accepted") == 4
        first = await tx.follows.list("in", org.id, "accepted", limit=2)
        rest = await tx.follows.list("in", org.id, "accepted", limit=10, after=first[-1].id)
        assert [f.id for f in first + rest] == ["f0", "f1", "f2", "f3"]
        follow = await tx.follows.get_by_activity("https://g.example/users/c#f")
    assert follow is not None
    rejected = transition(follow, "rejected", 2.0)
    async with uow() as tx:
        await tx.follows.save(rejected)
        assert (await tx.follows.get("in", org.id, follow.remote_iri)).state == "rejected"  # type: ignore[union-attr]
        assert await tx.follows.delete_remote("https://m.example/users/a") == 1


async def test_domain_policy_blocks_subdomains_and_allowlist_mode(
    uow: SqlUnitOfWorkFactory,
) -> None:
    async with uow() as tx:
        await tx.moderation.set_rule("spam.example", "block", "spam", 1.0)
        await tx.moderation.set_rule("friends.example", "allow", "", 1.0)
    async with uow(readonly=True) as tx:
        policy = await tx.moderation.policy()
    assert not policy.permits("spam.example")
    assert not policy.permits("a.b.spam.example")
    assert policy.permits("other.example")
    async with uow() as tx:
        await tx.moderation.set_mode("allowlist")
        policy = await tx.moderation.policy()
    assert not policy.permits("other.example")
    assert policy.permits("friends.example")
    assert policy.permits("social.friends.example")


async def test_host_state_round_trips_and_expires(uow: SqlUnitOfWorkFactory) -> None:
    async with uow() as tx:
        await tx.hosts.put("a.example", {"failures": 3, "open_until": 9.5}, expires_at=10.0)
        await tx.hosts.put("b.example", {"failures": 1}, expires_at=20.0)
    async with uow() as tx:
        assert await tx.hosts.get("a.example") == {"failures": 3, "open_until": 9.5}
        assert await tx.hosts.prune(now=15.0) == 1
        assert await tx.hosts.get("a.example") is None


async def test_activities_are_listed_newest_first(
    uow: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    org = await create_organisation(
        uow, clock, handle="dev", name="Dev", kind="developer", keys=TEST_KEYS
    )
    async with uow() as tx:
        for i in range(3):
            await tx.activities.add(
                f"0{i}", org.id, "Create", json.dumps({"n": i}), 1.0, public=True
            )
        await tx.activities.add("03", org.id, "Follow", "{}", 1.0, public=False)
    async with uow(readonly=True) as tx:
        listed = await tx.activities.list_by_org(org.id, limit=2)
        assert [activity_id for activity_id, _ in listed] == ["02", "01"]
        assert await tx.activities.get("00") == (org.id, '{"n": 0}', True)
        assert await tx.activities.count_by_org(org.id) == 3
