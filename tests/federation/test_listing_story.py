"""A listing between real nodes: Create reaches followers with provenance, Update follows,
Delete removes it for good; only the listing's author may change or delete it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from federation.convert.listings import to_ap
from federation.outbox import new_activity, publish
from tests.conftest import SHARED
from tests.federation.cluster import Cluster, ClusterNode, cluster
from tests.federation.fakepeer import fake_peer

pytestmark = pytest.mark.cluster

VALID = SHARED / "publiccode" / "v0" / "valid"


async def publish_file(node: ClusterNode, handle: str, name: str = "valid.yml") -> dict[str, Any]:
    """POST a publiccode.yml from the corpus to the node's API as `handle`."""
    headers = {
        "Authorization": f"Bearer {node.tokens[handle]}",
        "Content-Type": "application/yaml",
    }
    async with node.http.post(
        node.origin + "/api/v1/listings", data=(VALID / name).read_bytes(), headers=headers
    ) as response:
        assert response.status == 201, await response.text()
        return await response.json()  # type: ignore[no-any-return]


async def remote_items(node: ClusterNode, as_: str) -> list[dict[str, Any]]:
    status, body = await node.api("GET", "/api/v1/listings?origin=remote", as_=as_)
    assert status == 200
    return body["items"]  # type: ignore[no-any-return]


async def tombstoned(node: ClusterNode, iri: str) -> bool:
    async with node.node.db.transaction(readonly=True) as connection:
        found = await connection.scalar(
            sa.text("SELECT count(*) FROM tombstones WHERE iri = :iri"), {"iri": iri}
        )
    return bool(found)


async def dead_errors(node: ClusterNode) -> list[str]:
    return [job.last_error or "" for job in await node.node.queue.dead()]


async def send_as(
    c: Cluster, sender: ClusterNode, handle: str, type_: str, object_: Any, to: ClusterNode
) -> None:
    """`handle` on `sender` sends an activity of its own making to `to`'s shared inbox."""
    fed = sender.node.federation
    async with sender.node.uow() as tx:
        org = await tx.organisations.get_by_handle(handle)
        assert org is not None
        activity = new_activity(fed.iris, org, type_, object_, fed.clock.now(), to=[to.origin])
        await publish(
            tx,
            fed.iris,
            org,
            activity,
            fed.clock.now(),
            followers=False,
            inboxes=(to.origin + "/inbox",),
        )
    await c.settle()


async def followed_listing(c: Cluster) -> tuple[dict[str, Any], dict[str, Any]]:
    """beta's `devs` follows alpha's `city`, which then publishes; returns both views of it."""
    alpha, beta = c["alpha"], c["beta"]
    await alpha.org("city")
    await beta.org("devs", kind="developer")
    status, _ = await beta.api(
        "POST", "/api/v1/follows", as_="devs", json={"target": alpha.actor("city")}
    )
    assert status == 202
    await c.settle()
    published = await publish_file(alpha, "city")
    await c.settle()
    (received,) = await remote_items(beta, "devs")
    return published, received


async def test_a_published_listing_reaches_the_follower_with_provenance(tmp_path: Path) -> None:
    async with cluster(tmp_path, "alpha", "beta") as c:
        published, received = await followed_listing(c)
        alpha = c["alpha"]
        assert received["name"] == "Medusa"
        assert received["local"] is False
        assert received["iri"] == published["iri"]
        assert received["repository_key"] == published["repository_key"]
        assert received["categories"] == published["categories"]
        assert received["license"] == "AGPL-3.0-or-later"
        assert received["descriptions"]["en"]["short_description"] == (
            "A really interesting software."
        )
        assert "Very important feature" in received["descriptions"]["en"]["long_description"]
        assert received["provenance"] == {
            "origin": published["iri"],
            "author": alpha.actor("city"),
            "node": alpha.host,
            "received_at": received["provenance"]["received_at"],
            "via": alpha.actor("city"),
        }
        assert received["publisher"] == {"iri": alpha.actor("city")}
        status, one = await c["beta"].api("GET", f"/api/v1/listings/{received['id']}", as_="devs")
        assert (status, one["name"]) == (200, "Medusa")


async def test_update_and_withdrawal_follow_and_a_replayed_create_does_not_resurrect(
    tmp_path: Path,
) -> None:
    async with cluster(tmp_path, "alpha", "beta") as c:
        alpha, beta = c["alpha"], c["beta"]
        published, received = await followed_listing(c)
        path = f"/api/v1/listings/{published['id']}"
        patch = {"description": {"en": {"shortDescription": "Now with federation."}}}
        status, _ = await alpha.api("PATCH", path, as_="city", json=patch)
        assert status == 200
        await c.settle()
        (updated,) = await remote_items(beta, "devs")
        assert updated["id"] == received["id"]
        assert updated["descriptions"]["en"]["short_description"] == "Now with federation."

        status, _ = await alpha.api("DELETE", path, as_="city")
        assert status == 204
        await c.settle()
        assert await remote_items(beta, "devs") == []
        status, _ = await beta.api("GET", f"/api/v1/listings/{received['id']}", as_="devs")
        assert status == 404
        assert await tombstoned(beta, published["iri"])

        # The same Article created again (a replay under a fresh activity id) stays deleted.
        async with alpha.node.uow(readonly=True) as tx:
            withdrawn = await tx.listings.get_by_id(published["id"])
        assert withdrawn is not None
        article = to_ap(withdrawn, alpha.node.federation.iris, "city")
        await send_as(c, alpha, "city", "Create", article, to=beta)
        assert await remote_items(beta, "devs") == []
        assert await dead_errors(beta) == []


async def test_listings_of_actors_nobody_here_follows_are_not_kept(tmp_path: Path) -> None:
    async with cluster(tmp_path, "alpha", "beta") as c:
        alpha, beta = c["alpha"], c["beta"]
        await alpha.org("city")
        await beta.org("devs", kind="developer")
        published = await publish_file(alpha, "city")
        async with alpha.node.uow(readonly=True) as tx:
            listing = await tx.listings.get_by_id(published["id"])
        assert listing is not None
        await send_as(
            c, alpha, "city", "Create", to_ap(listing, alpha.node.federation.iris, "city"), to=beta
        )
        assert await remote_items(beta, "devs") == []


async def test_a_note_from_the_fediverse_is_not_a_listing(tmp_path: Path) -> None:
    async with cluster(tmp_path, "alpha", "beta") as c:
        alpha, beta = c["alpha"], c["beta"]
        await followed_listing(c)
        note = {
            "id": alpha.actor("city") + "/notes/1",
            "type": "Note",
            "attributedTo": alpha.actor("city"),
            "content": "<p>Hello</p>",
        }
        await send_as(c, alpha, "city", "Create", note, to=beta)
        assert len(await remote_items(beta, "devs")) == 1
        assert await dead_errors(beta) == []


async def test_update_or_delete_of_a_listing_by_another_actor_is_refused(tmp_path: Path) -> None:
    """Attack: Mallory, on the publisher's own server, and Eve, elsewhere, rewrite or delete
    the city's listing on the follower's node."""
    async with cluster(tmp_path, "alpha", "beta") as c, fake_peer() as peer:
        alpha, beta = c["alpha"], c["beta"]
        published, received = await followed_listing(c)
        await alpha.org("mallory", kind="developer")
        async with alpha.node.uow(readonly=True) as tx:
            listing = await tx.listings.get_by_id(published["id"])
        assert listing is not None
        genuine = to_ap(listing, alpha.node.federation.iris, "city")
        forged = {**genuine, "name": "Hijacked"}
        claimed = {**forged, "attributedTo": alpha.actor("mallory")}
        # Mallory's own claim of authorship, the city's claimed authorship, and a Delete.
        await send_as(c, alpha, "mallory", "Update", claimed, to=beta)
        await send_as(c, alpha, "mallory", "Update", forged, to=beta)
        await send_as(c, alpha, "mallory", "Delete", genuine["id"], to=beta)
        eve = peer.actor("eve")
        for type_, object_ in (("Update", forged), ("Delete", genuine["id"])):
            activity = peer.activity(eve, type_, object_)
            assert await peer.post(beta.http, beta.origin + "/inbox", activity) == 202
        await c.settle()

        (kept,) = await remote_items(beta, "devs")
        assert (kept["id"], kept["name"]) == (received["id"], "Medusa")
        assert not await tombstoned(beta, genuine["id"])
        errors = await dead_errors(beta)
        assert len(errors) == 5, errors
        assert sum("not the author" in e for e in errors) == 3
        assert sum("another origin" in e for e in errors) == 2
        assert "/listings/" not in " ".join(peer.requests)  # nothing fetched for Eve

        # The real author is not locked out by the attempts.
        status, _ = await alpha.api(
            "PATCH", f"/api/v1/listings/{published['id']}", as_="city", json={"name": "Medusa 2"}
        )
        assert status == 200
        await c.settle()
        (renamed,) = await remote_items(beta, "devs")
        assert renamed["name"] == "Medusa 2"
