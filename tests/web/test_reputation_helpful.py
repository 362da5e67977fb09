"""Helpful marks (Likes of experience reports) feed reputation: the report's author gains an
input per liker, it is explained, and taking the mark back removes it again."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from tests.web.test_listings_api import auth
from tests.web.test_reports_api import other_org, post_report
from tests.web.test_reputation_node import (
    ORIGIN,
    assert_explained,
    publish_tool,
    rclient,
    reputation,
    rnode,
    run_due_jobs,
)
from web.app import Node

__all__ = ["rclient", "rnode"]  # the node fixtures, with [reputation] trusted set


def helpful_inputs(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [item for item in document["inputs"] if item["kind"] == "helpful"]


async def test_a_helpful_mark_counts_for_the_reports_author_and_its_undo_removes_it(
    rnode: Node, rclient: TestClient
) -> None:
    author_token = await other_org(rnode, "alderney")
    liker_token = await other_org(rnode, "brecqhou")
    listing = await publish_tool(rclient, author_token, "https://git.example/alderney/tool")
    report = await post_report(rclient, author_token, listing["id"])
    author = f"{ORIGIN}/orgs/alderney"
    await run_due_jobs(rnode)
    assert helpful_inputs(await reputation(rclient, actor=author)) == []

    path = f"/api/v1/reports/{report['id']}/helpful"
    response = await rclient.post(path, headers=auth(liker_token))
    assert response.status == 200, await response.text()
    await run_due_jobs(rnode)
    document = await reputation(rclient, actor=author)
    inputs = helpful_inputs(document)
    assert len(inputs) == 1
    assert inputs[0]["source"] == f"{ORIGIN}/orgs/brecqhou"
    assert inputs[0]["weight"] > 0
    assert_explained(document)

    response = await rclient.delete(path, headers=auth(liker_token))
    assert response.status == 200, await response.text()
    await run_due_jobs(rnode)
    assert helpful_inputs(await reputation(rclient, actor=author)) == []
