"""Experience reports between real nodes: a report reaches the listing's author, changes and
deletion follow, replies become comments, Likes count as helpful once, Flags reach the
operator's queue both ways, and forged reports store nothing."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from commonsnode.model.listings import Provenance
from commonsnode.model.reports import check_facts, check_text, new_local_report
from commonsnode.usecases.organisations import create_token
from federation.inbox.handlers.report_objects import forget_report
from federation.integrity import sign_as
from federation.reports import signed_article
from federation.vocab import DEFAULT_CONTEXT
from tests.federation.cluster import Cluster, ClusterNode, cluster
from tests.federation.test_listing_story import (
    dead_errors,
    followed_listing,
    send_as,
    tombstoned,
)

pytestmark = pytest.mark.cluster

REPORT = {
    "title": "Two years of Medusa in Haarlem",
    "summary": "A supplier hosts it; staff like it.",
    "narrative": "## What went well\n\nThe *roll-out*. <script>alert(1)</script>",
    "organisation_kind": "local-government",
    "organisation_size": "250-999",
    "country": "NL",
    "version": "2.3",
    "hosting": "supplier",
    "start_date": "2024-03-01",
    "duration_months": 24,
    "one_time_cost": {"amount": 1_250_000, "currency": "EUR"},
    "yearly_cost": {"amount": 300_000, "currency": "EUR"},
    "effort_person_days": 45,
    "outcome": "production",
    "would_recommend": True,
    "lessons": "Train the staff early.",
}


async def reports_on(node: ClusterNode, listing_id: str, as_: str) -> list[dict[str, Any]]:
    status, body = await node.api("GET", f"/api/v1/listings/{listing_id}/reports", as_=as_)
    assert status == 200, body
    return body["items"]  # type: ignore[no-any-return]


async def beta_reports(c: Cluster) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """beta's devs reports on alpha's listing; returns (alpha's listing, beta's, alpha's copy)."""
    published, received = await followed_listing(c)
    status, report = await c["beta"].api(
        "POST", f"/api/v1/listings/{received['id']}/reports", as_="devs", json=REPORT
    )
    assert status == 201, report
    await c.settle()
    (copy,) = await reports_on(c["alpha"], published["id"], "city")
    return published, report, copy


async def operator(node: ClusterNode, handle: str) -> str:
    node.tokens[f"{handle}-op"] = await create_token(
        node.node.uow, node.node.clock, handle=handle, operator=True
    )
    return f"{handle}-op"


async def test_a_report_reaches_the_listing_author_and_changes_follow(tmp_path: Path) -> None:
    async with cluster(tmp_path, "alpha", "beta") as c:
        alpha, beta = c["alpha"], c["beta"]
        published, report, copy = await beta_reports(c)
        assert copy["iri"] == report["iri"] == beta.origin + f"/reports/{report['id']}"
        assert copy["author"] == beta.actor("devs")
        assert copy["local"] is False
        assert copy["one_time_cost"] == {"amount": 1_250_000, "currency": "EUR"}
        assert copy["yearly_cost"] == {"amount": 300_000, "currency": "EUR"}
        for key in ("country", "hosting", "outcome", "would_recommend", "duration_months"):
            assert copy[key] == REPORT[key]
        assert "<em>roll-out</em>" in copy["narrative_html"]
        assert "<script>" not in copy["narrative_html"]

        path = f"/api/v1/reports/{report['id']}"
        status, _ = await beta.api("PATCH", path, as_="devs", json={"outcome": "abandoned"})
        assert status == 200
        await c.settle()
        (changed,) = await reports_on(alpha, published["id"], "city")
        assert (changed["id"], changed["outcome"]) == (copy["id"], "abandoned")

        status, _ = await beta.api("DELETE", path, as_="devs")
        assert status == 204
        await c.settle()
        assert await reports_on(alpha, published["id"], "city") == []
        async with beta.http.get(
            report["iri"], headers={"Accept": "application/activity+json"}
        ) as response:
            assert response.status == 410
        assert await dead_errors(alpha) == []


async def test_replies_become_comments_and_likes_count_once(tmp_path: Path) -> None:
    async with cluster(tmp_path, "alpha", "beta") as c:
        alpha, beta = c["alpha"], c["beta"]
        _, report, copy = await beta_reports(c)
        note = {
            "id": alpha.actor("city") + "/notes/1",
            "type": "Note",
            "attributedTo": alpha.actor("city"),
            "inReplyTo": report["iri"],
            "content": '<p>Thanks! <a href="javascript:alert(1)">x</a></p><script>x</script>',
        }
        await send_as(c, alpha, "city", "Create", note, to=beta)
        other = {**note, "id": alpha.actor("city") + "/notes/2", "inReplyTo": "https://x.example/n"}
        await send_as(c, alpha, "city", "Create", other, to=beta)
        status, mine = await beta.api("GET", f"/api/v1/reports/{report['id']}", as_="devs")
        assert status == 200
        (comment,) = mine["comments"]
        assert comment["author"] == alpha.actor("city")
        assert "Thanks!" in comment["content_html"]
        assert "javascript" not in comment["content_html"]
        assert "<script" not in comment["content_html"]
        # eve, on the same node, cannot put words in city's mouth.
        await alpha.org("eve")
        forged = {**note, "id": alpha.actor("city") + "/notes/3", "content": "forged"}
        await send_as(c, alpha, "eve", "Create", forged, to=beta)
        status, mine = await beta.api("GET", f"/api/v1/reports/{report['id']}", as_="devs")
        assert [x["iri"] for x in mine["comments"]] == [note["id"]]
        # (the inbox reduced the embedded Note to its id and asked its origin: 404)
        assert len(await dead_errors(beta)) == 1

        helpful = f"/api/v1/reports/{copy['id']}/helpful"
        for _ in range(2):
            status, body = await alpha.api("POST", helpful, as_="city")
            assert (status, body["helpful"]) == (200, 1)
            await c.settle()
        status, mine = await beta.api("GET", f"/api/v1/reports/{report['id']}", as_="devs")
        assert mine["helpful"] == 1
        status, body = await alpha.api("DELETE", helpful, as_="city")
        assert (status, body["helpful"]) == (200, 0)
        await c.settle()
        status, mine = await beta.api("GET", f"/api/v1/reports/{report['id']}", as_="devs")
        assert mine["helpful"] == 0
        assert len(await dead_errors(beta)) == 1  # eve's forgery only


async def test_flags_land_in_the_operators_queue_both_ways(tmp_path: Path) -> None:
    async with cluster(tmp_path, "alpha", "beta") as c:
        alpha, beta = c["alpha"], c["beta"]
        published, received = await followed_listing(c)
        status, report = await alpha.api(
            "POST", f"/api/v1/listings/{published['id']}/reports", as_="city", json=REPORT
        )
        assert status == 201
        await c.settle()
        (held,) = await reports_on(beta, received["id"], "devs")
        assert held["iri"] == report["iri"]

        status, flag = await beta.api(
            "POST", "/api/v1/flags", as_="devs", json={"object": held["iri"], "reason": "spam"}
        )
        assert status == 201, flag
        await alpha.org("clerk")
        status, _ = await alpha.api(
            "POST", "/api/v1/flags", as_="clerk", json={"object": report["iri"], "reason": "rude"}
        )
        assert status == 201
        await c.settle()

        op = await operator(alpha, "city")
        status, queue = await alpha.api("GET", "/api/v1/moderation/flags", as_=op)
        assert status == 200
        by_source = {f["source"]: f for f in queue["items"]}
        assert by_source["remote"]["reporter"] == beta.actor("devs")
        assert by_source["remote"]["objects"] == [alpha.actor("city"), report["iri"]]
        assert by_source["remote"]["reason"] == "spam"
        assert by_source["local"]["reporter"] == alpha.actor("clerk")
        assert by_source["local"]["reason"] == "rude"
        status, _ = await alpha.api("GET", "/api/v1/moderation/flags", as_="clerk")
        assert status == 403

        path = f"/api/v1/moderation/flags/{by_source['remote']['id']}"
        status, decided = await alpha.api("POST", path, as_=op, json={"decision": "dismissed"})
        assert (status, decided["state"]) == (200, "dismissed")
        status, _ = await alpha.api("POST", path, as_=op, json={"decision": "resolved"})
        assert status == 409
        status, queue = await alpha.api("GET", "/api/v1/moderation/flags?state=open", as_=op)
        assert [f["source"] for f in queue["items"]] == ["local"]
        # beta's operator sees its own organisation's flag too.
        beta_op = await operator(beta, "devs")
        status, queue = await beta.api("GET", "/api/v1/moderation/flags", as_=beta_op)
        assert [f["objects"] for f in queue["items"]] == [[alpha.actor("city"), report["iri"]]]


async def test_forged_reports_store_nothing(tmp_path: Path) -> None:
    async with cluster(tmp_path, "alpha", "beta") as c:
        alpha, beta = c["alpha"], c["beta"]
        published, _ = await followed_listing(c)
        await beta.org("devs-2", kind="developer")
        fed = beta.node.federation
        mallory = await beta.org("mallory", kind="developer")
        article = {
            "@context": DEFAULT_CONTEXT,
            "id": beta.origin + "/reports/forged-1",
            "type": "Article",
            "attributedTo": beta.actor("mallory"),
            "name": "Terrible",
            "content": "<p>Terrible</p>",
            "inReplyTo": published["iri"],
            "organisationKind": "other",
            "organisationSize": "1-9",
            "country": "NL",
            "hosting": "saas",
            "startDate": "2024-01-01",
            "outcome": "abandoned",
            "wouldRecommend": False,
        }
        signed = await sign_as(fed, mallory.id, "mallory", article)
        tampered = {**signed, "name": "Changed after signing"}
        unsigned = {k: v for k, v in article.items() if k != "proof"}
        by_other_key = await sign_as(
            fed, (await _org_id(beta, "devs-2")), "devs-2", {**article, "id": article["id"] + "b"}
        )
        for forged in (tampered, unsigned, by_other_key):
            await send_as(c, beta, "mallory", "Create", forged, to=alpha)
        assert await reports_on(alpha, published["id"], "city") == []
        errors = await dead_errors(alpha)
        assert len(errors) == 3, errors
        assert all("proof refused" in e for e in errors)
        # The genuine one is kept.
        await send_as(c, beta, "mallory", "Create", signed, to=alpha)
        (kept,) = await reports_on(alpha, published["id"], "city")
        assert kept["title"] == "Terrible"
        assert kept["listing"] == published["id"]


async def _org_id(node: ClusterNode, handle: str) -> str:
    async with node.node.uow(readonly=True) as tx:
        org = await tx.organisations.get_by_handle(handle)
    assert org is not None
    return org.id


async def test_reports_from_blocked_domains_or_about_unknown_listings_are_not_kept(
    tmp_path: Path,
) -> None:
    async with cluster(tmp_path, "alpha", "beta") as c:
        alpha, beta = c["alpha"], c["beta"]
        published, received = await followed_listing(c)
        async with beta.node.uow(readonly=True) as tx:
            listing = await tx.listings.get_by_id(received["id"])
            org = await tx.organisations.get_by_handle("devs")
        assert listing is not None
        assert org is not None
        # A report about a listing alpha does not hold is dropped without an error.
        elsewhere = replace(
            listing,
            provenance=Provenance(
                "https://x.example/listings/1", "https://x.example/o", "x", 0, ""
            ),
        )
        report = new_local_report(
            "never-stored", listing.id, org.id, check_text(REPORT), check_facts(REPORT), 1.0
        )
        article = await signed_article(beta.node.federation, org, report, elsewhere)
        await send_as(c, beta, "devs", "Create", article, to=alpha)
        assert await reports_on(alpha, published["id"], "city") == []
        assert await dead_errors(alpha) == []

        # alpha's operator blocks beta's host: beta's reports no longer arrive.
        op = await operator(alpha, "city")
        status, _ = await alpha.api(
            "POST", "/api/v1/admin/domains", as_=op, json={"domain": beta.host.split(":")[0]}
        )
        assert status == 201
        status, _ = await beta.api(
            "POST", f"/api/v1/listings/{received['id']}/reports", as_="devs", json=REPORT
        )
        assert status == 201
        await c.settle()
        assert await reports_on(alpha, published["id"], "city") == []


async def test_only_the_author_deletes_a_report_or_undoes_a_like(tmp_path: Path) -> None:
    async with cluster(tmp_path, "alpha", "beta") as c:
        alpha, beta = c["alpha"], c["beta"]
        published, report, copy = await beta_reports(c)
        await beta.org("mallory", kind="developer")
        await send_as(c, beta, "mallory", "Delete", report["iri"], to=alpha)
        assert [r["id"] for r in await reports_on(alpha, published["id"], "city")] == [copy["id"]]
        assert any("not the author" in e for e in await dead_errors(alpha))

        status, _ = await alpha.api("POST", f"/api/v1/reports/{copy['id']}/helpful", as_="city")
        assert status == 200
        await c.settle()
        (like_iri,) = await _activities(alpha, "Like")  # the Like alpha's city sent
        undo = {
            "id": like_iri,
            "type": "Like",
            "actor": alpha.actor("city"),
            "object": report["iri"],
        }
        await alpha.org("eve")
        await send_as(c, alpha, "eve", "Undo", undo, to=beta)
        status, mine = await beta.api("GET", f"/api/v1/reports/{report['id']}", as_="devs")
        assert mine["helpful"] == 1
        assert any("its own Like" in e for e in await dead_errors(beta))


async def _activities(node: ClusterNode, type_: str) -> list[str]:
    async with node.node.db.transaction(readonly=True) as connection:
        rows = await connection.execute(
            sa.text("SELECT id FROM activities WHERE type = :t"), {"t": type_}
        )
        return [f"{node.origin}/activities/{row[0]}" for row in rows]


async def test_a_report_gone_at_its_origin_is_forgotten_for_good(tmp_path: Path) -> None:
    async with cluster(tmp_path, "alpha", "beta") as c:
        alpha = c["alpha"]
        published, report, _ = await beta_reports(c)
        assert await forget_report(alpha.node.federation, report["iri"])
        assert await reports_on(alpha, published["id"], "city") == []
        assert await tombstoned(alpha, report["iri"])
        assert not await forget_report(alpha.node.federation, report["iri"])
