"""The ratings parts of the tool page: a summary per listing and the most recent ratings.

Stars are decoration for sighted readers: each has a text alternative (`role="img"` with an
`aria-label` such as "4.3 out of 5"), and every figure is also written out as text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape

from aiohttp import web

from commonsnode.model.listings import ToolListing
from commonsnode.model.organisations import Organisation
from commonsnode.model.rating_aggregates import PRIOR_MEAN, PRIOR_WEIGHT, RatingSummary
from commonsnode.model.ratings import BEST, CRITERIA, CRITERION_LABELS, Rating, stars
from commonsnode.usecases.ratings import list_ratings, rating_summaries
from web.keys import UOW
from web.pages.parts import external_link

RECENT = 5


@dataclass(frozen=True, slots=True)
class ToolRatings:
    """What the tool page shows about ratings, read once for all its listings."""

    summaries: dict[str, RatingSummary]
    recent: tuple[Rating, ...]
    names: dict[str, str]  # listing id → "Tool on node"
    local_host: str


async def load_ratings(
    request: web.Request, listings: tuple[ToolListing, ...], local_host: str
) -> ToolRatings:
    """Summaries of every listing (one grouped query) and the latest ratings of the tool."""
    uow = request.app[UOW]
    ids = [listing.id for listing in listings]
    summaries = await rating_summaries(uow, ids)
    recent: list[Rating] = []
    for listing_id in ids:
        if summaries[listing_id].count:
            recent.extend((await list_ratings(uow, listing_id, RECENT)).ratings)
    recent.sort(key=lambda r: (r.updated_at, r.id), reverse=True)
    names = {
        x.id: f"{x.facts.name} on {x.provenance.node_host if x.provenance else local_host}"
        for x in listings
    }
    return ToolRatings(summaries, tuple(recent[:RECENT]), names, local_host)


def star_html(value: float) -> str:
    """Stars with their text alternative, then the figure as text."""
    label = f"{value:.1f} out of {BEST}"
    return f'<span role="img" aria-label="{label}">{stars(value)}</span> {value:.1f}/{BEST}'


def listing_rating_html(ratings: ToolRatings, listing_id: str) -> str:
    """The summary of one listing's ratings: overall, each criterion, nodes they came from."""
    summary = ratings.summaries.get(listing_id)
    if summary is None or summary.count == 0:
        return '<p class="meta">Not rated yet.</p>'
    overall = summary.criteria["overall"]
    plural = "" if summary.count == 1 else "s"
    nodes = ", ".join(
        f"{escape(host or ratings.local_host)} ({n})"
        for host, n in sorted(summary.nodes.items(), key=lambda kv: (-kv[1], kv[0] or ""))
    )
    spread = ", ".join(f"{value}: {n}" for value, n in sorted(overall.distribution.items()))
    rows = [
        (
            "Overall",
            f"{star_html(overall.mean)} from {summary.count} rating{plural} "
            f'<span class="meta">(weighted {overall.bayesian:.1f}; by score {spread})</span>',
        )
    ]
    for criterion in CRITERIA[1:]:
        found = summary.criteria.get(criterion)
        if found is not None:
            label = CRITERION_LABELS[criterion].capitalize()
            rows.append((label, f"{star_html(found.mean)} ({found.count})"))
    rows.append(("Rated on", nodes))
    items = "".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in rows)
    return f'<dl class="facts">{items}</dl>'


def _rater(rating: Rating, orgs: dict[str, Organisation]) -> str:
    org = orgs.get(rating.org_id or "")
    if org is not None:
        return f'<a href="/orgs/{escape(org.handle)}">{escape(org.name)}</a>'
    author = rating.author_iri or ""
    name = author.rstrip("/").rsplit("/", 1)[-1] or author
    return external_link(author, f"{name} ({rating.node_host or ''})")


def recent_ratings_html(ratings: ToolRatings, orgs: dict[str, Organisation]) -> str:
    """The latest ratings of the tool, each with its rater, node, scores and comment."""
    if not ratings.recent:
        return "<h2>Ratings</h2><p>No organisation has rated this tool yet.</p>"
    items = []
    for rating in ratings.recent:
        when = datetime.fromtimestamp(rating.updated_at, UTC).strftime("%Y-%m-%d")
        scores = ", ".join(
            f"{CRITERION_LABELS[c]} {rating.scores[c]}/{BEST}"
            for c in CRITERIA[1:]
            if c in rating.scores
        )
        comment = (
            "".join(f"<p>{escape(p)}</p>" for p in rating.text.split("\n\n") if p.strip())
            if rating.text
            else ""
        )
        items.append(
            "<li>"
            f"<p>{_rater(rating, orgs)} rated "
            f"{escape(ratings.names.get(rating.listing_id, ''))} "
            f"{star_html(float(rating.scores['overall']))}"
            + (f" — {escape(scores)}" if scores else "")
            + f' <span class="meta">on {escape(rating.node_host or ratings.local_host)},'
            f' <time datetime="{when}">{when}</time></span></p>'
            f"{comment}</li>"
        )
    note = (
        f"Weighted: the average pulled towards {PRIOR_MEAN:g} as if {PRIOR_WEIGHT} more "
        "average ratings existed, so a few ratings count for less."
    )
    return (
        f'<h2>Recent ratings</h2><ul class="plain">{"".join(items)}</ul>'
        f'<p class="meta">{escape(note)}</p>'
    )
