"""The rating Note a peer or Mastodon reads says the tool's privacy rubric grade next to the
stars ("rated ★★★★☆ (4/5), privacy E"), and keeps the rater's own criterion scores."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from federation.convert.ratings import headline
from tests.web.test_listings_api import auth, publish
from tests.web.test_privacy_api import answers
from tests.web.test_ratings_api import org_token
from web.app import Node

AS_JSON = {"Accept": "application/activity+json"}


async def note_of(client: TestClient, rating: dict[str, Any]) -> dict[str, Any]:
    response = await client.get(f"/ratings/{rating['id']}", headers=AS_JSON)
    assert response.status == 200, await response.text()
    return await response.json(content_type=None)


async def test_the_note_shows_the_grade_once_the_tool_is_graded(
    client: TestClient, token: str, node: Node
) -> None:
    listing = await publish(client, token)
    rater = await org_token(node, "bramble")
    body = {"scores": {"overall": 4, "privacy": 3}}
    response = await client.post(
        f"/api/v1/listings/{listing['id']}/ratings", json=body, headers=auth(rater)
    )
    assert response.status == 201
    rating = await response.json()
    ungraded = (await note_of(client, rating))["content"]
    assert "★★★★☆ (4/5) — privacy 3/5" in ungraded

    graded = answers(deletion="yes", data_export="yes", third_party_trackers="no")
    response = await client.post(
        f"/api/v1/listings/{listing['id']}/privacy", json=graded, headers=auth(token)
    )
    letter = (await response.json())["grade"]
    assert letter in {"A", "B", "C", "D", "E"}

    content = (await note_of(client, rating))["content"]
    assert f"★★★★☆ (4/5), privacy {letter} — privacy 3/5" in content


def test_the_headline_without_other_scores_still_names_the_grade() -> None:
    assert headline("A", "T", {"overall": 5}, "B") == "A rated T ★★★★★ (5/5), privacy B"
    assert headline("A", "T", {"overall": 5}, None) == "A rated T ★★★★★ (5/5)"
