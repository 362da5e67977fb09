"""Ratings ↔ ActivityStreams `Note` replying to the listing: readable on Mastodon, structured
for our peers.

Mastodon shows `content` ("City of X rated Decidim ★★★★☆ (4/5), privacy B — privacy 4/5, …"
and the comment: the letter is the tool's privacy rubric grade when it has one, the scores after
the dash are the rater's own);
our peers read `scores` (one `Score` per criterion, schema.org Rating fields under our terms)
and the comment as plain text in AS2 `source`. The Note carries an FEP-8b32 proof (added by
federation/ratings.py), so a hub can relay it and any node can check its author.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import Any

from commonsnode.errors import InvalidError
from commonsnode.model.ratings import (
    BEST,
    CRITERIA,
    CRITERION_LABELS,
    MAX_TEXT,
    WORST,
    Rating,
    remote_scores,
    stars,
)
from federation.convert.listings import iso, published_of
from federation.iris import LocalIris
from federation.jsonld.shapes import as_list, first, id_of, str_or_none
from federation.sanitize import plain_text
from federation.vocab import AS_PUBLIC

RATING_TYPE = "Note"
SCORE_TYPE = "Score"


class RatingDocumentError(ValueError):
    """A Note we cannot read as a rating; the message says why."""


def rating_iri(iris: LocalIris, rating_id: str) -> str:
    """A local rating: the Note's id (answers the Note, or 410 once withdrawn)."""
    return f"{iris.origin}/ratings/{rating_id}"


def rating_id_of(iris: LocalIris, iri: str) -> str | None:
    prefix = f"{iris.origin}/ratings/"
    rest = iri[len(prefix) :] if iri.startswith(prefix) else ""
    return rest if rest and "/" not in rest and "#" not in rest and "?" not in rest else None


def headline(
    rater_name: str, tool_name: str, scores: dict[str, int], privacy_grade: str | None = None
) -> str:
    """The plain-text line Mastodon users read first; `privacy_grade` is the tool's rubric
    letter (A–E), shown next to the stars so a reader sees both opinions and the rubric."""
    others = ", ".join(
        f"{CRITERION_LABELS[c]} {scores[c]}/{BEST}" for c in CRITERIA[1:] if c in scores
    )
    line = f"{rater_name} rated {tool_name} {stars(scores['overall'])} ({scores['overall']}/{BEST})"
    if privacy_grade:
        line += f", privacy {privacy_grade}"
    return f"{line} — {others}" if others else line


def to_ap(
    rating: Rating,
    iris: LocalIris,
    *,
    handle: str,
    rater_name: str,
    tool_name: str,
    listing_iri: str,
    listing_author: str | None,
    privacy_grade: str | None = None,
) -> dict[str, Any]:
    """The Note of a local rating, without @context (the signer adds it) and without proof."""
    scores = dict(rating.scores)
    content = f"<p>{escape(headline(rater_name, tool_name, scores, privacy_grade))}</p>"
    if rating.text:
        paragraphs = [p.strip() for p in rating.text.split("\n\n") if p.strip()]
        content += "".join(f"<p>{escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)
    cc = [iris.org_followers(handle)]
    if listing_author and listing_author != iris.org(handle):
        cc.append(listing_author)
    note: dict[str, Any] = {
        "id": rating_iri(iris, rating.id),
        "type": RATING_TYPE,
        "attributedTo": iris.org(handle),
        "inReplyTo": listing_iri,
        "content": content,
        "mediaType": "text/html",
        "source": {"content": rating.text, "mediaType": "text/plain"},
        "url": listing_iri,
        "published": iso(rating.created_at),
        "to": [AS_PUBLIC],
        "cc": cc,
        "scores": [
            {
                "type": SCORE_TYPE,
                "criterion": criterion,
                "ratingValue": scores[criterion],
                "bestRating": BEST,
                "worstRating": WORST,
            }
            for criterion in CRITERIA
            if criterion in scores
        ],
    }
    if listing_author:
        note["tag"] = [{"type": "Mention", "href": listing_author}]
    if rating.updated_at > rating.created_at:
        note["updated"] = iso(rating.updated_at)
    return note


def tombstone(iris: LocalIris, rating_id: str, deleted_at: float) -> dict[str, Any]:
    return {
        "id": rating_iri(iris, rating_id),
        "type": "Tombstone",
        "formerType": RATING_TYPE,
        "deleted": iso(deleted_at),
    }


def is_rating(document: Any) -> bool:
    """A Note replying to something with our `scores`; a plain reply is not a rating."""
    return (
        isinstance(document, dict)
        and first(document.get("type")) == RATING_TYPE
        and "scores" in document
        and id_of(document.get("inReplyTo")) is not None
    )


@dataclass(frozen=True, slots=True)
class RatingDocument:
    """What a peer's rating Note says, bounded and as plain text."""

    listing_iri: str
    scores: dict[str, int]
    text: str
    published_at: float
    # When the author wrote this version: `updated`, else `published` (orders late deliveries).
    updated_at: float


def _updated_of(document: dict[str, Any], default: float) -> float:
    value = str_or_none(document.get("updated"))
    if not value:
        return default
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return default


def from_ap(document: dict[str, Any], default_time: float) -> RatingDocument:
    """The rating of a peer's Note; RatingDocumentError when it is not one we can read."""
    if not is_rating(document):
        raise RatingDocumentError("not a Note carrying a rating")
    listing_iri = id_of(document.get("inReplyTo")) or ""
    if not listing_iri.startswith(("https://", "http://")) or len(listing_iri) > 2048:
        raise RatingDocumentError("inReplyTo: the http(s) IRI of the rated listing")
    pairs = []
    for score in as_list(document.get("scores"), len(CRITERIA) * 2):
        if isinstance(score, dict):
            pairs.append((str_or_none(score.get("criterion")), score.get("ratingValue")))
    try:
        scores = remote_scores(pairs)
    except InvalidError as exc:
        raise RatingDocumentError(exc.detail) from exc
    source = document.get("source")
    raw = str_or_none(source.get("content")) if isinstance(source, dict) else None
    text = (raw or "")[: MAX_TEXT * 2]
    if isinstance(source, dict) and str_or_none(source.get("mediaType")) not in (
        None,
        "text/plain",
    ):
        text = plain_text(text)
    published_at = published_of(document, default_time)
    return RatingDocument(
        listing_iri=listing_iri,
        scores=scores,
        text=_controls_dropped(text)[:MAX_TEXT].strip(),
        published_at=published_at,
        updated_at=max(published_at, _updated_of(document, published_at)),
    )


def _controls_dropped(text: str) -> str:
    return "".join(ch for ch in text if ch in "\n\t" or ch >= " ")
