"""Experience reports with Mastodon-shaped peers: replies, favourites (Like), Undo and Flag in,
and our Flag out in the shape Mastodon reads (object = [account, status], content = reason)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.federation.cluster import cluster
from tests.federation.fakepeer import fake_peer
from tests.federation.test_listing_story import dead_errors, publish_file
from tests.federation.test_report_story import REPORT, operator

pytestmark = pytest.mark.cluster


async def test_mastodon_replies_likes_and_flags_reach_a_report(tmp_path: Path) -> None:
    async with cluster(tmp_path, "alpha") as c, fake_peer() as peer:
        alpha = c["alpha"]
        await alpha.org("city")
        listing = await publish_file(alpha, "city")
        status, report = await alpha.api(
            "POST", f"/api/v1/listings/{listing['id']}/reports", as_="city", json=REPORT
        )
        assert status == 201
        await c.settle()
        user = peer.actor("gargron")
        instance = peer.actor("instance-actor", type="Application")
        inbox = alpha.origin + "/inbox"
        note: dict[str, Any] = {
            "id": f"{user}/statuses/1",
            "type": "Note",
            "attributedTo": user,
            "inReplyTo": report["iri"],
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "cc": [alpha.actor("city")],
            "content": '<p><span class="h-card"><a href="x" class="u-url mention">@city</a>'
            "</span> Useful, thanks!</p>",
            "tag": [{"type": "Mention", "href": alpha.actor("city"), "name": "@city"}],
        }
        sent = [
            peer.activity(user, "Create", note),
            peer.activity(user, "Like", report["iri"]),
            peer.activity(user, "Like", report["iri"]),  # a second favourite counts once
            peer.activity(user, "Like", listing["iri"]),  # not a report: ignored
            peer.activity(
                instance,
                "Flag",
                [alpha.actor("city"), report["iri"]],
                content="Advertising, not a report",
            ),
        ]
        for activity in sent:
            assert await peer.post(alpha.http, inbox, activity) == 202
        await c.settle()
        path = f"/api/v1/reports/{report['id']}"
        status, body = await alpha.api("GET", path, as_="city")
        assert body["helpful"] == 1
        (comment,) = body["comments"]
        assert (comment["author"], comment["iri"]) == (user, note["id"])
        assert "Useful, thanks!" in comment["content_html"]
        op = await operator(alpha, "city")
        status, queue = await alpha.api("GET", "/api/v1/moderation/flags", as_=op)
        (flag,) = queue["items"]
        assert (flag["source"], flag["reporter"]) == ("remote", instance)
        assert flag["reason"] == "Advertising, not a report"

        undo = peer.activity(user, "Undo", sent[1])
        assert await peer.post(alpha.http, inbox, undo) == 202
        delete = peer.activity(user, "Delete", {"id": note["id"], "type": "Tombstone"})
        assert await peer.post(alpha.http, inbox, delete) == 202
        await c.settle()
        status, body = await alpha.api("GET", path, as_="city")
        assert (body["helpful"], body["comments"]) == (0, [])
        assert await dead_errors(alpha) == []


async def test_our_flag_of_a_remote_object_is_sent_in_mastodons_shape(tmp_path: Path) -> None:
    async with cluster(tmp_path, "alpha") as c, fake_peer() as peer:
        alpha = c["alpha"]
        await alpha.org("city")
        user = peer.actor("spammer")
        status_iri = f"{user}/statuses/7"
        peer.documents["/users/spammer/statuses/7"] = {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": status_iri,
            "type": "Note",
            "attributedTo": user,
            "content": "buy now",
        }
        status, flag = await alpha.api(
            "POST", "/api/v1/flags", as_="city", json={"object": status_iri, "reason": "spam"}
        )
        assert status == 201
        await c.settle()
        (sent,) = [a for a in peer.received if a.get("type") == "Flag"]
        assert sent["actor"] == alpha.actor("city")
        assert sent["object"] == [user, status_iri]
        assert sent["content"] == "spam"
        assert flag["objects"] == [status_iri]
