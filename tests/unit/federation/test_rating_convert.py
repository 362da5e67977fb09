"""Rating ↔ Note: Mastodon-readable content, structured scores, lenient but bounded reading."""

from __future__ import annotations

import pytest

from commonsnode.model.ratings import MAX_TEXT, Rating
from federation.convert.ratings import (
    RatingDocumentError,
    from_ap,
    headline,
    is_rating,
    rating_id_of,
    to_ap,
)
from federation.iris import LocalIris

IRIS = LocalIris("https://a.example")
LISTING = "https://b.example/listings/7"


def note(**changes: object) -> dict[str, object]:
    rating = Rating("r1", "l1", {"overall": 4, "privacy": 5}, "Good.\n\n<b>Fast</b>", 10, 20, "o1")
    document = to_ap(
        rating,
        IRIS,
        handle="city",
        rater_name="City of <X>",
        tool_name="Decidim",
        listing_iri=LISTING,
        listing_author="https://b.example/orgs/dev",
    )
    return {**document, **changes}


def test_the_note_reads_on_mastodon_and_carries_the_scores() -> None:
    document = note()
    assert document["id"] == "https://a.example/ratings/r1"
    assert rating_id_of(IRIS, str(document["id"])) == "r1"
    assert document["inReplyTo"] == LISTING
    content = str(document["content"])
    assert content.startswith("<p>City of &lt;X&gt; rated Decidim ★★★★☆ (4/5) — privacy 5/5</p>")
    assert "<p>&lt;b&gt;Fast&lt;/b&gt;</p>" in content
    assert document["scores"] == [
        {
            "type": "Score",
            "criterion": "overall",
            "ratingValue": 4,
            "bestRating": 5,
            "worstRating": 1,
        },
        {
            "type": "Score",
            "criterion": "privacy",
            "ratingValue": 5,
            "bestRating": 5,
            "worstRating": 1,
        },
    ]
    assert "https://b.example/orgs/dev" in document["cc"]  # type: ignore[operator]
    assert "updated" in document
    assert headline("A", "T", {"overall": 1}) == "A rated T ★☆☆☆☆ (1/5)"


def test_a_peer_note_reads_back_bounded() -> None:
    read = from_ap(note(), 0.0)
    assert (read.listing_iri, read.scores) == (LISTING, {"overall": 4, "privacy": 5})
    assert read.text == "Good.\n\n<b>Fast</b>"  # plain text, escaped where shown
    long = from_ap(note(source={"content": "x\x00" * MAX_TEXT, "mediaType": "text/plain"}), 0)
    assert len(long.text) == MAX_TEXT
    assert "\x00" not in long.text
    html = from_ap(
        note(source={"content": "<p>hi <script>x</script></p>", "mediaType": "text/html"}), 0
    )
    assert "<" not in html.text


def test_what_is_not_a_rating() -> None:
    assert not is_rating({"type": "Note", "content": "hello", "inReplyTo": LISTING})
    assert not is_rating(note(type="Article"))
    with pytest.raises(RatingDocumentError):
        from_ap(note(scores=[{"criterion": "privacy", "ratingValue": 5}]), 0)
    with pytest.raises(RatingDocumentError):
        from_ap(note(inReplyTo="ftp://x"), 0)
