"""Outgoing delivery against a scripted peer: signatures, give-up rules, retries, host state."""

from __future__ import annotations

import gc
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from aiohttp import web

from commonsnode.model.organisations import Organisation
from federation import maintenance
from federation.delivery import hosts, retry
from federation.delivery.fanout import handle_fanout
from federation.delivery.send import Sender
from federation.keys import load_public_key
from federation.outbox import FANOUT_JOB, SEND_JOB, new_activity, publish
from federation.signatures import SignedRequest, parse_incoming, verify_claim
from federation.vocab import AS_PUBLIC
from tests.federation.cluster import Cluster, ClusterNode, bind, cluster
from tests.federation.fakepeer import FakePeer

pytestmark = pytest.mark.cluster

MINUTE = 60.0
DAY = 24 * 3600.0


@dataclass(frozen=True)
class Delivery:
    """One POST the peer received, as it arrived on the wire."""

    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    @property
    def activity(self) -> dict[str, Any]:
        return json.loads(self.body)  # type: ignore[no-any-return]

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


@dataclass
class ScriptedPeer(FakePeer):
    """A FakePeer whose inbox answers from a script (status, headers, body), then `inbox_status`."""

    answers: list[tuple[int, dict[str, str], str]] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)

    def answer(self, status: int, body: str = "", **headers: str) -> None:
        self.answers.append((status, {k.replace("_", "-"): v for k, v in headers.items()}, body))

    def forget(self) -> None:
        self.requests.clear()
        self.received.clear()
        self.deliveries.clear()

    def of_type(self, type_: str) -> list[Delivery]:
        return [d for d in self.deliveries if d.activity.get("type") == type_]

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        if request.method != "POST":
            return await super()._serve(request)
        body = await request.read()
        self.requests.append(request.path_qs)
        self.received.append(json.loads(body))
        self.deliveries.append(Delivery(request.path_qs, tuple(request.headers.items()), body))
        status, headers, text = self.answers.pop(0) if self.answers else (self.inbox_status, {}, "")
        return web.Response(status=status, headers=headers, text=text)


@asynccontextmanager
async def scripted_peer(address: str = "127.0.0.20") -> AsyncIterator[ScriptedPeer]:
    sock = bind(address)
    peer = ScriptedPeer(f"http://{address}:{sock.getsockname()[1]}")
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", peer._serve)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    try:
        yield peer
    finally:
        await runner.cleanup()


@dataclass
class World:
    """Our node `alpha` with the organisation `city`, followed by actors of a scripted peer."""

    c: Cluster
    alpha: ClusterNode
    org: Organisation
    peer: ScriptedPeer

    async def follow_from(self, *names: str, **overrides: Any) -> list[str]:
        """Peer actors follow `city` (accepted at once); the peer's records are then cleared."""
        actors = []
        for name in names:
            actor = self.peer.actor(name, **overrides)
            follow = self.peer.activity(actor, "Follow", self.alpha.actor("city"))
            inbox = self.alpha.actor("city") + "/inbox"
            assert await self.peer.post(self.alpha.http, inbox, follow, now=self.now) == 202
            actors.append(actor)
        await self.c.settle()
        assert len(self.peer.of_type("Accept")) == len(names)
        self.peer.forget()
        return actors

    @property
    def now(self) -> float:
        return self.c.clock.now()

    async def publish(
        self, type_: str = "Create", object_: Any = None, *, inboxes: tuple[str, ...] = ()
    ) -> dict[str, Any]:
        """`city` publishes a public activity to its followers (a new Note by default)."""
        fed = self.alpha.node.federation
        if object_ is None:
            object_ = {
                "id": f"{fed.iris.origin}/notes/{uuid.uuid4().hex}",
                "type": "Note",
                "attributedTo": fed.iris.org("city"),
                "content": "<p>hello</p>",
                "to": [AS_PUBLIC],
            }
        activity = new_activity(
            fed.iris,
            self.org,
            type_,
            object_,
            self.now,
            to=[AS_PUBLIC],
            cc=[fed.iris.org_followers("city")],
        )
        async with self.alpha.node.uow() as tx:
            await publish(
                tx, fed.iris, self.org, activity, self.now, followers=True, inboxes=inboxes
            )
        return activity

    async def send_jobs(self) -> list[sa.Row[Any]]:
        async with self.alpha.node.db.transaction(readonly=True) as connection:
            result = await connection.execute(
                sa.text(
                    "SELECT id, state, run_at, attempts, last_error, payload FROM jobs"
                    " WHERE kind = :kind ORDER BY id"
                ),
                {"kind": SEND_JOB},
            )
            return list(result.all())

    async def host(self, host: str | None = None) -> hosts.HostState | None:
        async with self.alpha.node.uow(readonly=True) as tx:
            record = await tx.hosts.get(host or self.peer.origin.split("://")[1].split(":")[0])
        return None if record is None else hosts.from_record(record)

    async def dead(self) -> list[str]:
        return [job.last_error or "" for job in await self.alpha.node.queue.dead()]

    async def advance_and_settle(self, seconds: float) -> None:
        self.c.clock.advance(seconds)
        await self.c.settle()


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with cluster(tmp_path, "alpha") as c, scripted_peer() as peer:
        org = await c["alpha"].org("city")
        yield World(c, c["alpha"], org, peer)


async def test_success_is_delivered_once_with_a_valid_signature(world: World) -> None:
    await world.follow_from("bob")
    activity = await world.publish()
    await world.c.settle()
    assert [d.activity["id"] for d in world.peer.deliveries] == [activity["id"]]
    delivery = world.peer.deliveries[0]
    assert delivery.path == "/inbox"  # bob's shared inbox
    rsa_pair, _ = await world.alpha.node.federation.org_keys(world.org.id)
    request = SignedRequest.build(
        "POST", world.peer.origin + delivery.path, delivery.headers, delivery.body
    )
    claim = parse_incoming(request, now=world.now)
    verify_claim(claim, request, load_public_key(rsa_pair.public_pem), world.now)
    assert claim.key_id == world.alpha.actor("city") + "#main-key"
    assert claim.scheme == "cavage"
    assert await world.send_jobs() == []
    await world.advance_and_settle(DAY)
    assert len(world.peer.deliveries) == 1  # never sent again
    state = await world.host()
    # A healthy host needs no record (no write on the delivery hot path); none holds failures.
    assert state is None or state.failures == ()


@pytest.mark.parametrize("status", [410, 404])
async def test_gone_inbox_is_not_retried_and_its_follower_is_pruned(
    world: World, status: int
) -> None:
    (bob,) = await world.follow_from("bob")
    world.peer.answer(status)
    await world.publish()
    await world.c.settle()
    assert len(world.peer.deliveries) == 1
    assert await world.send_jobs() != []  # kept as a dead job for the operator ...
    assert all(row.state == "dead" for row in await world.send_jobs())
    assert any(f"answered {status}" in error for error in await world.dead())
    await world.advance_and_settle(DAY)
    assert len(world.peer.deliveries) == 1  # ... and never retried
    _, followers = await world.alpha.api("GET", "/api/v1/followers", as_="city")
    assert followers["items"] == []
    async with world.alpha.node.uow(readonly=True) as tx:
        actor = await tx.actors.get(bob)
    assert actor is not None
    assert actor.gone_at is not None
    await world.publish()
    await world.c.settle()
    assert len(world.peer.deliveries) == 1  # nobody left to deliver to


async def test_401_double_knocks_with_rfc9421_and_remembers_it(world: World) -> None:
    await world.follow_from("bob")
    world.peer.answer(401)
    first = await world.publish()
    await world.c.settle()
    knocks = world.peer.deliveries
    assert [d.activity["id"] for d in knocks] == [first["id"], first["id"]]
    assert knocks[0].header("Signature") is not None
    assert knocks[0].header("Signature-Input") is None
    assert knocks[1].header("Signature-Input") is not None
    assert knocks[1].header("Content-Digest") is not None
    rsa_pair, _ = await world.alpha.node.federation.org_keys(world.org.id)
    request = SignedRequest.build(
        "POST", world.peer.origin + knocks[1].path, knocks[1].headers, knocks[1].body
    )
    claim = parse_incoming(request, now=world.now)
    assert claim.scheme == "rfc9421"
    verify_claim(claim, request, load_public_key(rsa_pair.public_pem), world.now)
    assert await world.send_jobs() == []
    state = await world.host()
    assert state is not None
    assert state.scheme == "rfc9421"
    world.peer.forget()
    second = await world.publish()
    await world.c.settle()
    assert [d.activity["id"] for d in world.peer.deliveries] == [second["id"]]
    assert world.peer.deliveries[0].header("Signature-Input") is not None  # first knock now


async def test_401_to_both_schemes_gives_up(world: World) -> None:
    await world.follow_from("bob")
    world.peer.answer(401)
    world.peer.answer(401, "no such key")
    await world.publish()
    await world.c.settle()
    assert len(world.peer.deliveries) == 2
    assert [row.state for row in await world.send_jobs()] == ["dead"]
    assert any("401" in error and "no such key" in error for error in await world.dead())


@pytest.mark.parametrize("status", [400, 403, 422])
async def test_refusal_is_a_dead_job_with_the_answer_recorded(world: World, status: int) -> None:
    await world.follow_from("bob")
    world.peer.answer(status, f"refused by policy {status}")
    await world.publish()
    await world.c.settle()
    assert [row.state for row in await world.send_jobs()] == ["dead"]
    assert any(f"refused by policy {status}" in error for error in await world.dead())
    await world.advance_and_settle(DAY)
    assert len(world.peer.deliveries) == 1
    _, followers = await world.alpha.api("GET", "/api/v1/followers", as_="city")
    assert len(followers["items"]) == 1  # a refusal is not a reason to drop the follower


@pytest.mark.parametrize("status", [500, 503])
async def test_server_errors_are_retried_with_growing_delays(world: World, status: int) -> None:
    await world.follow_from("bob")
    for _ in range(3):
        world.peer.answer(status)
    activity = await world.publish()
    delays = []
    for attempt in range(1, 4):
        started = world.now
        await world.c.settle()
        assert len(world.peer.deliveries) == attempt
        (row,) = await world.send_jobs()
        assert row.state == "ready"
        assert row.attempts == attempt
        delays.append(row.run_at - started)
        world.c.clock.advance(delays[-1] - 1)
        await world.c.settle()
        assert len(world.peer.deliveries) == attempt  # not a second before its time
        world.c.clock.advance(1)
    assert 48 <= delays[0] <= 72  # 1 minute ± 20 %
    assert delays[0] < delays[1] < delays[2]
    await world.c.settle()  # the fourth attempt gets the peer's default 202
    assert [d.activity["id"] for d in world.peer.deliveries] == [activity["id"]] * 4
    assert await world.send_jobs() == []


async def test_retry_after_is_honoured(world: World) -> None:
    await world.follow_from("bob")
    world.peer.answer(429, Retry_After="120")
    await world.publish()
    await world.c.settle()
    (row,) = await world.send_jobs()
    assert row.state == "ready"
    assert 120 <= row.run_at - world.now <= 144  # the peer's wait (+ ≤ 20 % jitter), not 1 min
    world.c.clock.advance(119)
    await world.c.settle()
    assert len(world.peer.deliveries) == 1
    world.c.clock.advance(row.run_at - world.now)
    await world.c.settle()
    assert len(world.peer.deliveries) == 2
    assert await world.send_jobs() == []


async def test_circuit_opens_after_five_failures_and_probes_after_thirty_minutes(
    world: World,
) -> None:
    await world.follow_from("bob")
    world.peer.inbox_status = 503
    for _ in range(5):
        await world.publish()
    await world.c.settle()
    assert len(world.peer.deliveries) == 5
    state = await world.host()
    assert state is not None
    assert state.circuit_open_until is not None
    opened = world.now
    assert state.circuit_open_until == pytest.approx(opened + 30 * MINUTE)
    sixth = await world.publish()
    await world.c.settle()
    assert len(world.peer.deliveries) == 5  # held: nothing is sent while the circuit is open
    await world.advance_and_settle(10 * MINUTE)  # the retries of the five come due: held too
    assert len(world.peer.deliveries) == 5
    world.c.clock.advance(opened + 30 * MINUTE - world.now)
    await world.c.settle()
    assert len(world.peer.deliveries) == 6  # exactly one probe; it fails ...
    state = await world.host()
    assert state is not None
    assert state.circuit_open_until == pytest.approx(world.now + 30 * MINUTE)  # ... re-opened
    await world.advance_and_settle(10 * MINUTE)
    assert len(world.peer.deliveries) == 6
    world.peer.inbox_status = 202
    await world.advance_and_settle(20 * MINUTE)  # the next probe succeeds: deliveries resume
    await world.advance_and_settle(hosts.PROBE_LEASE)
    state = await world.host()
    assert state is not None
    assert state.circuit_open_until is None
    delivered = [d.activity["id"] for d in world.peer.deliveries[6:]]
    assert len(delivered) == 6
    assert len(set(delivered)) == 6
    assert sixth["id"] in delivered
    assert await world.send_jobs() == []


async def test_host_failing_for_seven_days_is_unavailable_until_it_writes_to_us(
    world: World,
) -> None:
    (bob,) = await world.follow_from("bob")
    world.peer.inbox_status = 503
    started = world.now
    while world.now - started < 7 * DAY + 2 * MINUTE:
        await world.publish()
        await world.advance_and_settle(6 * 3600.0)
    state = await world.host()
    assert state is not None
    assert state.unavailable_since is not None
    sent = len(world.peer.deliveries)
    await world.publish()
    await world.c.settle()
    assert len(world.peer.deliveries) == sent  # unavailable: dropped without a request
    assert any("unavailable" in error for error in await world.dead())
    # The host writes to us: an authenticated activity clears the mark.
    update = world.peer.activity(bob, "Update", world.peer.documents["/users/bob"])
    inbox = world.alpha.actor("city") + "/inbox"
    assert await world.peer.post(world.alpha.http, inbox, update, now=world.now) == 202
    await world.c.settle()
    state = await world.host()
    assert state is not None
    assert state.unavailable_since is None
    assert state.failing_since is None
    world.peer.inbox_status = 202
    world.c.clock.advance(hosts.CIRCUIT_OPEN_FOR)  # any open circuit has ended: next is a probe
    activity = await world.publish()
    await world.c.settle()
    assert activity["id"] in [d.activity["id"] for d in world.peer.deliveries[sent:]]
    state = await world.host()
    assert state is not None
    assert state.last_success == world.now


async def test_delete_never_overtakes_its_create_at_one_inbox(world: World) -> None:
    await world.follow_from("bob")
    world.peer.answer(503)
    create = await world.publish()
    await world.c.settle()
    note = create["object"]
    delete = await world.publish(
        "Delete", {"id": note["id"], "type": "Tombstone", "formerType": "Note"}
    )
    other = await world.publish()  # another object: not held up by the busy one
    await world.c.settle()
    assert [d.activity["id"] for d in world.peer.deliveries] == [create["id"], other["id"]]
    await world.advance_and_settle(2 * MINUTE)
    assert [d.activity["id"] for d in world.peer.deliveries] == [
        create["id"],
        other["id"],
        create["id"],
        delete["id"],
    ]


async def test_create_and_delete_published_together_arrive_in_order(world: World) -> None:
    await world.follow_from("bob")
    create = await world.publish()
    delete = await world.publish("Delete", create["object"]["id"])
    await world.c.settle()
    assert [d.activity["type"] for d in world.peer.deliveries] == ["Create", "Delete"]
    assert world.peer.deliveries[1].activity["id"] == delete["id"]


async def test_delete_fanned_out_by_a_faster_worker_still_waits_for_its_create(
    world: World,
) -> None:
    await world.follow_from("bob")
    create = await world.publish()
    slow = await world.alpha.node.queue.claim("slow-worker", 1, 60.0)  # the Create's fan-out
    assert [job.kind for job in slow] == [FANOUT_JOB]
    delete = await world.publish("Delete", create["object"]["id"])
    await world.alpha.worker.run_once()  # another worker: free to fan the Delete out now?
    await handle_fanout(world.alpha.node.federation, slow[0])
    await world.c.settle()
    assert [d.activity["id"] for d in world.peer.deliveries] == [create["id"], delete["id"]]


async def test_own_host_is_excluded_from_fan_out(world: World) -> None:
    await world.follow_from("bob")
    fed = world.alpha.node.federation
    local = (fed.iris.shared_inbox(), fed.iris.org_inbox("city"))
    await world.publish(inboxes=local)
    assert await world.alpha.worker.run_once() == 1  # only the fan-out runs
    inboxes = [json.loads(row.payload)["inbox"] for row in await world.send_jobs()]
    assert inboxes == [world.peer.origin + "/inbox"]
    await world.c.settle()
    assert len(world.peer.deliveries) == 1


async def test_shared_inbox_is_preferred(world: World) -> None:
    await world.follow_from("bob", "carol")
    loner = world.peer.actor("dave", endpoints={})
    follow = world.peer.activity(loner, "Follow", world.alpha.actor("city"))
    assert (
        await world.peer.post(
            world.alpha.http, world.alpha.actor("city") + "/inbox", follow, now=world.now
        )
        == 202
    )
    await world.c.settle()
    world.peer.forget()
    activity = await world.publish()
    await world.c.settle()
    assert sorted(d.path for d in world.peer.deliveries) == ["/inbox", "/users/dave/inbox"]
    assert all(d.activity["id"] == activity["id"] for d in world.peer.deliveries)


@pytest.mark.slow
async def test_thousands_of_failing_hosts_leave_bounded_state(world: World) -> None:
    """Connection-refused inboxes on 1 000 distinct hosts: the deliveries give up within days,
    housekeeping deletes the host records once they expire, and the sender keeps no per-host
    leftovers in memory."""
    count = 1000
    inboxes = tuple(f"http://127.1.{i // 250}.{i % 250 + 1}:1/inbox" for i in range(count))
    await world.publish(inboxes=inboxes)
    await world.c.settle()
    async with world.alpha.node.db.transaction(readonly=True) as connection:
        stored = await connection.scalar(sa.text("SELECT count(*) FROM delivery_hosts"))
    assert stored == count
    # Past the retry horizon, the next failure of each delivery is its last.
    await world.advance_and_settle(retry.GIVE_UP_AFTER)
    rows = await world.send_jobs()
    assert len(rows) == count
    assert all(row.state == "dead" for row in rows)
    await maintenance.schedule(world.alpha.node.federation)  # as `serve` does at start-up
    await world.advance_and_settle(hosts.STATE_TTL)  # housekeeping: tx.hosts.prune
    async with world.alpha.node.db.transaction(readonly=True) as connection:
        assert await connection.scalar(sa.text("SELECT count(*) FROM delivery_hosts")) == 0
    spec = world.alpha.node.registry.get(SEND_JOB)
    assert spec is not None
    sender = spec.handler.args[0]  # type: ignore[attr-defined]
    assert isinstance(sender, Sender)
    gc.collect()  # exception tracebacks of the failed POSTs hold frames in cycles
    assert len(sender._slots) == 0
