"""Ratings of tool listings: one per (organisation, listing), scores 1–5 per criterion.

A rating is given by a local organisation (`org_id`) or arrives from another node (`author_iri`,
`origin_iri`, `node_host`); either way one rater has at most one rating of a listing, and a
second one replaces the first. An organisation may not rate a tool it maintains.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from commonsnode.errors import ForbiddenError, InvalidError
from commonsnode.model.listings import ToolListing

# The criteria, in the order pages and Notes show them. `overall` is required; the others are
# optional. Keys are the contract's names reduced to one word: "ease of deployment" is
# `deployment`, "quality of support" is `support`.
CRITERIA: tuple[str, ...] = (
    "overall",
    "privacy",
    "security",
    "accessibility",
    "documentation",
    "deployment",
    "support",
)
CRITERION_LABELS: dict[str, str] = {
    "overall": "overall",
    "privacy": "privacy",
    "security": "security",
    "accessibility": "accessibility",
    "documentation": "documentation",
    "deployment": "ease of deployment",
    "support": "quality of support",
}
WORST, BEST = 1, 5
MAX_TEXT = 5_000  # characters of plain text; longer is refused locally, cut when remote

Scores = Mapping[str, int]


@dataclass(frozen=True, slots=True)
class Rating:
    """A rating as this node keeps it: local (`org_id`) or remote (`author_iri`), never both.

    `listing_id` is the rated listing as this node holds it (local or remote copy).
    `rater` is what makes it unique per listing: the organisation id, or the author IRI.
    """

    id: str
    listing_id: str
    scores: Scores
    text: str
    created_at: float
    updated_at: float
    org_id: str | None = None
    author_iri: str | None = None
    origin_iri: str | None = None
    node_host: str | None = None
    via_iri: str | None = None

    @property
    def is_local(self) -> bool:
        return self.org_id is not None

    @property
    def rater(self) -> str:
        return self.org_id or self.author_iri or ""


def check_scores(raw: Any) -> dict[str, int]:
    """Scores typed by a user: known criteria only, each a whole number 1–5, overall required."""
    if not isinstance(raw, Mapping) or not raw:
        raise InvalidError("scores: an object of criterion → 1..5, with overall", field="scores")
    unknown = sorted(str(key) for key in raw if key not in CRITERIA)
    if unknown:
        raise InvalidError(
            f"scores: unknown criteria {', '.join(unknown)}; known: {', '.join(CRITERIA)}",
            field="scores",
        )
    scores: dict[str, int] = {}
    for criterion in CRITERIA:
        if criterion not in raw or (raw[criterion] is None and criterion != "overall"):
            continue
        value = raw[criterion]
        if isinstance(value, bool) or not isinstance(value, int) or not WORST <= value <= BEST:
            raise InvalidError(
                f"scores.{criterion}: a whole number from {WORST} to {BEST}",
                field=f"scores.{criterion}",
            )
        scores[criterion] = value
    if "overall" not in scores:
        raise InvalidError("scores.overall: required", field="scores.overall")
    return scores


def check_text(raw: Any) -> str:
    """The optional comment: plain text, at most MAX_TEXT characters."""
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise InvalidError("text: a string", field="text")
    text = raw.strip()
    if len(text) > MAX_TEXT:
        raise InvalidError(f"text: at most {MAX_TEXT} characters", field="text")
    return text


def remote_scores(pairs: Iterable[tuple[Any, Any]]) -> dict[str, int]:
    """Scores read from another node: unknown criteria and out-of-range values left out.

    Lenient where a newer peer may know more criteria, strict where a value would skew the
    aggregates: anything not a whole number 1–5 is dropped. InvalidError without `overall`.
    """
    scores: dict[str, int] = {}
    for criterion, value in pairs:
        if criterion not in CRITERIA or criterion in scores:
            continue
        if isinstance(value, bool):
            continue
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, int) and WORST <= value <= BEST:
            scores[criterion] = value
    if "overall" not in scores:
        raise InvalidError("a rating needs an overall score from 1 to 5", field="scores")
    return scores


def maintains(
    listings_of_tool: Iterable[ToolListing], *, org_id: str | None, author_iri: str | None
) -> bool:
    """True when the rater publishes a listing of the same tool (same repository key).

    publiccode.yml lives in the tool's own repository and is published by those who maintain
    it; users say so in `usedBy`. So an organisation that publishes a listing of a tool (the
    rated one or another listing of the same repository) maintains it. Judged on the listings
    this node holds.
    """
    for listing in listings_of_tool:
        if org_id is not None and listing.org_id == org_id:
            return True
        if (
            author_iri is not None
            and listing.provenance is not None
            and listing.provenance.author_iri == author_iri
        ):
            return True
    return False


def check_may_rate(
    listing: ToolListing,
    listings_of_tool: Iterable[ToolListing],
    *,
    org_id: str | None = None,
    author_iri: str | None = None,
) -> None:
    """ForbiddenError when the rater maintains the listed tool."""
    if maintains((listing, *listings_of_tool), org_id=org_id, author_iri=author_iri):
        raise ForbiddenError("an organisation cannot rate a tool it maintains")


def give(
    existing: Rating | None,
    new_id: str,
    listing_id: str,
    scores: Scores,
    text: str,
    now: float,
    **rater: str | None,
) -> Rating:
    """The rating after a rater rates a listing: new, or the old one replaced (same id)."""
    if existing is None:
        return Rating(
            id=new_id,
            listing_id=listing_id,
            scores=dict(scores),
            text=text,
            created_at=now,
            updated_at=now,
            **rater,  # type: ignore[arg-type]
        )
    return replace(
        existing, scores=dict(scores), text=text, updated_at=max(now, existing.updated_at)
    )


def stars(value: float) -> str:
    """★★★★☆ for 4 (rounded to the nearest whole star)."""
    whole = max(WORST, min(BEST, int(value + 0.5)))
    return "★" * whole + "☆" * (BEST - whole)


@dataclass(frozen=True, slots=True)
class RatingPage:
    ratings: tuple[Rating, ...]
    next_cursor: str | None = None
