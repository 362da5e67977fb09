"""The privacy section of a tool's page and the privacy facet of /catalog/search, without a
browser (tests/web/test_pages_a11y.py checks both with axe-core)."""

from __future__ import annotations

import re

from aiohttp.test_utils import TestClient

from commonsnode.demo import answer_demo_rubrics
from commonsnode.usecases.privacy import AnswerInput, answer_rubric
from tests.web.test_pages import get_html, links, seed
from web.app import Node
from web.pages.parts import tool_href


async def test_the_tool_page_shows_grade_explanation_and_every_answer(
    client: TestClient, node: Node
) -> None:
    data = await seed(node)
    decidim = data["alderney"][0]
    assert decidim.repository_key == "github.com/decidim/decidim"
    html = await get_html(client, tool_href(decidim.repository_key))
    section = html[html.index('<section aria-labelledby="privacy-heading">') :]
    section = section[: section.index("</section>")]
    assert "Privacy grade B" in section
    assert re.search(r"B: [\d.]+ points earned", section)
    assert "https://docs.decidim.org/" in links(section)
    assert "https://github.com/decidim/decidim" in links(section)
    for level in ("Self-declared by a maintainer", "Peer-reviewed by another organisation"):
        assert level in section
    assert '<a href="/orgs/open-data-collective">Open Data Collective</a>' in section
    assert "Outranked by another answer" in section  # civic-code's self-hostable, say
    assert "(third-party-trackers, blocker)" in section


async def test_an_unrated_tool_says_not_graded(client: TestClient, node: Node) -> None:
    data = await seed(node)
    qgis = next(x for x in data["alderney"] if x.facts.name.startswith("QGIS"))
    html = await get_html(client, tool_href(qgis.repository_key))
    assert "Not graded." in html
    assert "<caption>Answers to the privacy rubric</caption>" not in html


async def test_the_catalog_filters_and_counts_by_privacy_grade(
    client: TestClient, node: Node
) -> None:
    data = await seed(node)
    html = await get_html(client, "/catalog/search")
    facets = html[html.index("<h3>Privacy grade</h3>") :]
    assert "/catalog/search?privacy=B" in links(facets)
    assert "Not graded" in facets
    html = await get_html(client, "/catalog/search?privacy=B")
    decidim = [x.id for xs in data.values() for x in xs if "decidim" in x.repository_key]
    assert len(decidim) == 3  # two local listings and the remote one of the same tool
    for listing_id in decidim:
        assert f"/listings/{listing_id}" in links(html)
    assert "3 tool listings" in html
    assert "Privacy grade: Grade B" in html  # the active filter, removable
    html = await get_html(client, "/catalog/search?privacy=Z")  # a bad filter is dropped
    assert "Active filters" not in html


async def test_a_verified_answer_is_labelled(client: TestClient, node: Node) -> None:
    data = await seed(node)
    qgis = next(x for x in data["alderney"] if x.facts.name.startswith("QGIS"))
    async with node.uow(readonly=True) as tx:
        auditor = await tx.organisations.get_by_handle("open-data-collective")
    assert auditor is not None
    await answer_rubric(
        node.uow,
        node.clock,
        auditor,
        qgis.id,
        [AnswerInput("self-hostable", "yes", "https://qgis.org/")],
        node.federation.iris.org,
        operator=True,
    )
    html = await get_html(client, tool_href(qgis.repository_key))
    assert "Verified by this node" in html
    assert "Privacy grade E" in html


async def test_the_demo_grades_three_tools_and_answering_again_changes_nothing(
    node: Node,
) -> None:
    await seed(node)  # answers the demo rubrics once
    keys = (
        "github.com/decidim/decidim",
        "github.com/nextcloud/server",
        "github.com/matomo-org/matomo",
    )

    async def state() -> list[tuple[str | None, int]]:
        async with node.uow(readonly=True) as tx:
            return [
                (await tx.privacy.grade_letter(key), len(await tx.privacy.answers(key)))
                for key in keys
            ]

    first = await state()
    assert [letter for letter, _ in first] == ["B", "C", "D"]
    await answer_demo_rubrics(node.uow, node.clock, node.federation.iris.org)
    assert await state() == first
