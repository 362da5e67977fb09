"""One rule for where to deliver, over real HTTP: a permanent failure (404, malformed actor,
blocked domain, gone) leaves the actor out at once; a transient one (nothing listening, a node
that never answers) falls back on the cached inbox, else is unavailable — raised for a sender
that retries, left out for one that cannot wait."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

import pytest

from commonsnode.model.actors import RemoteActor
from federation import recipients
from federation.recipients import InboxUnavailable, inbox_of, inbox_or_none, inboxes_by_actor
from federation.runtime import Federation
from tests.federation.cluster import bind, cluster
from tests.federation.fakepeer import fake_peer
from tests.federation.test_report_story import operator

pytestmark = pytest.mark.cluster

DAY = 86_400.0


def closed_port() -> int:
    """A loopback port nothing listens on: connecting is refused."""
    with bind("127.0.0.9") as probe:
        return int(probe.getsockname()[1])


def cached(iri: str, fetched_at: float) -> RemoteActor:
    host = iri.split("://", 1)[1].split("/", 1)[0]
    return RemoteActor(
        iri=iri,
        host=host,
        type="Organization",
        inbox=f"{iri}/inbox",
        shared_inbox=None,
        preferred_username=None,
        name=None,
        summary=None,
        url=None,
        outbox=None,
        followers=None,
        following=None,
        kind=None,
        manually_approves_followers=False,
        fetched_at=fetched_at,
    )


async def test_permanent_failures_leave_out_and_transient_ones_wait(tmp_path: Path) -> None:
    async with cluster(tmp_path, "alpha") as c, fake_peer() as peer:
        alpha = c["alpha"]
        fed: Federation = alpha.node.federation
        await alpha.org("city")
        ok = peer.actor("ok")
        assert await inbox_of(fed, ok) == f"{peer.origin}/inbox"  # the shared inbox
        assert await inbox_of(fed, alpha.actor("city")) is None  # local: not delivered to

        missing = f"{peer.origin}/users/nobody"  # 404
        malformed = f"{peer.origin}/users/bad"
        peer.documents["/users/bad"] = {"id": malformed, "type": "Person"}  # no inbox
        op = await operator(alpha, "city")
        status, _ = await alpha.api(
            "POST", "/api/v1/admin/domains", as_=op, json={"domain": "127.0.0.21"}
        )
        assert status == 201
        fed.forget_policy()
        blocked = "http://127.0.0.21:9/users/x"
        for actor in (missing, malformed, blocked):
            assert await inbox_of(fed, actor) is None, actor

        # Nothing listens: unavailable now, unless an earlier fetch left its inbox behind
        # (stale, so it is fetched again and fails) or it is known gone.
        port = closed_port()
        unknown = f"http://127.0.0.9:{port}/orgs/unknown"
        known = f"http://127.0.0.9:{port}/orgs/known"
        gone = f"http://127.0.0.9:{port}/orgs/gone"
        async with alpha.node.uow() as tx:
            await tx.actors.upsert(cached(known, c.clock.now() - 2 * DAY), [])
            await tx.actors.upsert(cached(gone, c.clock.now() - 2 * DAY), [])
            await tx.actors.mark_gone(gone, c.clock.now())
        with pytest.raises(InboxUnavailable, match="no inbox for"):
            await inbox_of(fed, unknown)
        assert await inbox_or_none(fed, unknown) is None
        assert await inbox_of(fed, known) == f"{known}/inbox"
        assert await inbox_of(fed, gone) is None

        everyone = [ok, missing, unknown, known, ok]
        with pytest.raises(InboxUnavailable):
            await inboxes_by_actor(fed, everyone, leave_out_unavailable=False)
        assert await inboxes_by_actor(fed, everyone, leave_out_unavailable=True) == {
            ok: f"{peer.origin}/inbox",
            missing: None,
            unknown: None,
            known: f"{known}/inbox",
        }
        assert peer.requests.count("/users/ok") == 1  # cached since: not fetched again


async def test_actors_not_resolved_in_time_are_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A node that accepts and never answers is given up on when the step's resolving time
    is over, whatever the fetch's own deadline, so publishing keeps its share of the job."""
    async with cluster(tmp_path, "alpha") as c, fake_peer() as peer:
        fed: Federation = c["alpha"].node.federation
        ok = peer.actor("ok")
        assert await inbox_of(fed, ok) is not None  # cached: no network needed below
        monkeypatch.setattr(recipients, "RESOLVE_SECONDS", 2.0)  # the fetch would wait 10 s
        with bind("127.0.0.9") as silent:  # listens, never accepts
            hanging = f"http://127.0.0.9:{silent.getsockname()[1]}/orgs/h"
            with pytest.raises(InboxUnavailable, match="not resolved within 2 s"):
                await inboxes_by_actor(fed, [ok, hanging], leave_out_unavailable=False)
            found = await inboxes_by_actor(fed, [ok, hanging], leave_out_unavailable=True)
        assert found == {ok: f"{peer.origin}/inbox", hanging: None}


async def test_a_healthy_recipient_is_not_starved_by_many_that_hang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More recipients on a node that accepts and never answers than there are fetch slots,
    listed first: the healthy recipient not yet known is still fetched within the step's
    resolving time, and a known one is answered from the cache without waiting for a slot."""
    async with cluster(tmp_path, "alpha") as c, fake_peer() as peer:
        fed: Federation = c["alpha"].node.federation
        known = peer.actor("known")
        assert await inbox_of(fed, known) is not None  # cached: no network needed below
        fresh = peer.actor("fresh")  # never fetched yet
        monkeypatch.setattr(recipients, "RESOLVE_SECONDS", 2.0)  # a hung fetch waits 10 s
        with bind("127.0.0.9") as silent:  # listens, never accepts
            port = silent.getsockname()[1]
            hanging = [f"http://127.0.0.9:{port}/orgs/h{i}" for i in range(20)]
            assert len(hanging) > recipients.PARALLEL
            found = await inboxes_by_actor(
                fed, [*hanging, fresh, known], leave_out_unavailable=True
            )
        assert found == {
            **dict.fromkeys(hanging),
            fresh: f"{peer.origin}/inbox",
            known: f"{peer.origin}/inbox",
        }
        assert peer.requests.count("/users/known") == 1  # not fetched again


async def test_a_healthy_recipient_gets_a_slot_behind_many_nodes_that_hang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More nodes that accept and never answer than there are fetch slots, listed first:
    each gives its slot up after its fetch's share of the time, so the healthy recipient
    queued behind them is still fetched within the step's resolving time."""
    async with cluster(tmp_path, "alpha") as c, fake_peer() as peer:
        fed: Federation = c["alpha"].node.federation
        healthy = peer.actor("healthy")
        monkeypatch.setattr(recipients, "RESOLVE_SECONDS", 5.0)  # a hung fetch waits 10 s
        monkeypatch.setattr(recipients, "FETCH_SECONDS", 0.5)
        with ExitStack() as stack:
            silent = [stack.enter_context(bind(f"127.0.1.{n}")) for n in range(1, 21)]
            assert len(silent) > recipients.PARALLEL
            hanging = [f"http://{s.getsockname()[0]}:{s.getsockname()[1]}/o" for s in silent]
            found = await inboxes_by_actor(fed, [*hanging, healthy], leave_out_unavailable=True)
        assert found == {**dict.fromkeys(hanging), healthy: f"{peer.origin}/inbox"}
