"""Rating rules: scores checked, text bounded, the maintainer cannot rate, a re-rating replaces."""

from __future__ import annotations

import pytest

from commonsnode.errors import ForbiddenError, InvalidError
from commonsnode.model.listings import (
    ListingFacts,
    ListingText,
    Provenance,
    new_local_listing,
    remote_listing,
)
from commonsnode.model.ratings import (
    MAX_TEXT,
    check_may_rate,
    check_scores,
    check_text,
    give,
    maintains,
    remote_scores,
    stars,
)

FACTS = ListingFacts(
    name="Decidim",
    repository="https://github.com/decidim/decidim",
    descriptions=(ListingText("en", "Participation", "Long"),),
    license="AGPL-3.0",
    development_status="stable",
    software_type="standalone/web",
)
AUTHOR = "https://b.example/orgs/dev"


def test_scores_need_overall_and_whole_numbers_from_one_to_five() -> None:
    assert check_scores({"overall": 4, "privacy": 5}) == {"overall": 4, "privacy": 5}
    assert check_scores({"overall": 1, "support": None}) == {"overall": 1}
    for bad in (
        {"privacy": 4},
        {"overall": 0},
        {"overall": 6},
        {"overall": 4.5},
        {"overall": True},
        {"overall": "4"},
        {"overall": 4, "beauty": 5},
        [],
        {},
        None,
    ):
        with pytest.raises(InvalidError):
            check_scores(bad)


def test_text_is_optional_and_bounded() -> None:
    assert check_text(None) == ""
    assert check_text("  good  ") == "good"
    assert check_text("x" * MAX_TEXT) == "x" * MAX_TEXT
    with pytest.raises(InvalidError):
        check_text("x" * (MAX_TEXT + 1))
    with pytest.raises(InvalidError):
        check_text(5)


def test_remote_scores_drop_what_they_cannot_trust_but_need_overall() -> None:
    pairs = [("overall", 4.0), ("privacy", "5"), ("security", 9), ("beauty", 3), ("overall", 1)]
    assert remote_scores(pairs) == {"overall": 4, "privacy": 5}
    with pytest.raises(InvalidError):
        remote_scores([("overall", 0), ("privacy", 3)])


def test_the_publisher_of_a_listing_of_the_same_tool_maintains_it() -> None:
    mine = new_local_listing("l1", "org-a", FACTS, "", 1.0)
    theirs = remote_listing(
        "l2", FACTS, Provenance("https://b.example/listings/1", AUTHOR, "b.example", 2.0, AUTHOR), 1
    )
    assert maintains([mine], org_id="org-a", author_iri=None)
    assert not maintains([mine], org_id="org-b", author_iri=None)
    assert maintains([mine, theirs], org_id=None, author_iri=AUTHOR)
    assert not maintains([mine, theirs], org_id=None, author_iri="https://c.example/orgs/x")
    with pytest.raises(ForbiddenError):
        check_may_rate(theirs, [mine], org_id="org-a")  # rates another listing of its tool
    check_may_rate(mine, [theirs], org_id="org-b")


def test_a_second_rating_replaces_the_first_and_keeps_its_id() -> None:
    first = give(None, "r1", "l1", {"overall": 2}, "meh", 10.0, org_id="org-a")
    assert (first.id, first.rater, first.created_at) == ("r1", "org-a", 10.0)
    second = give(first, "r2", "l1", {"overall": 5, "privacy": 4}, "", 20.0, org_id="org-a")
    assert (second.id, second.created_at, second.updated_at) == ("r1", 10.0, 20.0)
    assert second.scores == {"overall": 5, "privacy": 4}


def test_stars() -> None:
    assert stars(4) == "★★★★☆"
    assert stars(4.6) == "★★★★★"
    assert stars(1) == "★☆☆☆☆"
