"""Listings as Articles: readable by Mastodon, read back into the same facts, bounded."""

from __future__ import annotations

from typing import Any

import pytest

from commonsnode.model.listings import ListingFacts, ListingText, new_local_listing
from federation.convert.listings import (
    ListingDocumentError,
    from_ap,
    hashtag,
    is_listing,
    published_of,
    to_ap,
    tombstone,
)
from federation.iris import LocalIris
from federation.jsonld.normalise import normalise
from federation.vocab import AS_PUBLIC, DEFAULT_CONTEXT

IRIS = LocalIris("https://city.example")
FACTS = ListingFacts(
    name="Medusa <b>",
    repository="https://github.com/x/medusa",
    descriptions=(
        ListingText("en", "Short & sweet", "First para.\n\nSecond\nline.", ("Fast", "<Safe>")),
        ListingText("it", "Breve", "Lunga."),
    ),
    license="EUPL-1.2",
    development_status="stable",
    software_type="standalone/web",
    platforms=("web",),
    categories=("digital-citizenship", "office"),
    landing_url="https://medusa.example",
    release_date="2024-01-02",
    used_by=("City of X",),
)


def article(**changes: Any) -> dict[str, Any]:
    listing = new_local_listing("l1", "org", FACTS, "yaml", 1_700_000_000.0)
    return {**to_ap(listing, IRIS, "city"), **changes}


def test_article_is_readable_by_mastodon_and_addressed_to_followers() -> None:
    document = article()
    assert document["type"] == "Article"
    assert document["id"] == document["url"] == "https://city.example/listings/l1"
    assert document["attributedTo"] == "https://city.example/orgs/city"
    assert document["name"] == "Medusa <b>"
    assert document["summary"] == "Short &amp; sweet"
    assert document["content"] == (
        "<p>First para.</p><p>Second<br>line.</p><ul><li>Fast</li><li>&lt;Safe&gt;</li></ul>"
    )
    assert document["to"] == [AS_PUBLIC]
    assert document["cc"] == ["https://city.example/orgs/city/followers"]
    assert document["tag"][0] == {"type": "Hashtag", "name": "#DigitalCitizenship"}
    assert document["published"] == "2023-11-14T22:13:20Z"
    assert "updated" not in document


def test_article_survives_json_ld_normalisation_unchanged() -> None:
    document = {"@context": DEFAULT_CONTEXT, **article()}
    assert normalise(document) == document


def test_article_reads_back_into_the_same_facts_but_features() -> None:
    facts = from_ap(article())
    assert facts.name == FACTS.name
    assert facts.repository == FACTS.repository
    assert [(d.language, d.short_description) for d in facts.descriptions] == [
        ("en", "Short & sweet"),
        ("it", "Breve"),
    ]
    assert facts.text("en").long_description.startswith("First para.\n\nSecond")
    for name in ("license", "platforms", "categories", "landing_url", "release_date", "used_by"):
        assert getattr(facts, name) == getattr(FACTS, name)


def test_hostile_html_and_oversized_lists_are_cut() -> None:
    facts = from_ap(
        article(
            content="<p>ok</p><script>alert(1)</script>",
            contentMap=None,
            summaryMap=None,
            categories=["c"] * 1000 + [{"not": "text"}],
        )
    )
    (text,) = facts.descriptions
    assert text.language == "und"
    assert "alert" not in text.long_description
    assert len(facts.categories) == 200


@pytest.mark.parametrize(
    "document",
    [
        {"type": "Note", "content": "hi"},
        article(type="Note"),
        article(repository=None, softwareType="library"),
        article(repository="javascript:alert(1)"),
        article(name=""),
        article(license=["", 3]),
    ],
)
def test_documents_that_are_not_listings_are_refused(document: dict[str, Any]) -> None:
    with pytest.raises(ListingDocumentError):
        from_ap(document)


def test_is_listing_needs_an_article_with_our_terms() -> None:
    assert is_listing(article())
    assert not is_listing({"type": "Article", "name": "a blog post"})


def test_hashtags_and_times() -> None:
    assert hashtag("geographic-information-systems") == "#GeographicInformationSystems"
    assert published_of({"published": "2024-01-01T00:00:00Z"}, 5.0) == 1_704_067_200.0
    assert published_of({"published": "yesterday"}, 5.0) == 5.0
    gone = tombstone(new_local_listing("l1", "org", FACTS, "yaml", 1.0), IRIS)
    assert (gone["type"], gone["formerType"]) == ("Tombstone", "Article")
