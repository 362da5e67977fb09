"""What the database holds that reputation reads, and how it becomes the engine's inputs.

Storage returns rows in the node's own terms (local organisations by handle, listings by id,
ratings of listings); `engine_inputs` turns them into IRIs and the engine's input types:

- a tool is one repository (`repository_key`), named by this node's tool page IRI
  `{origin}/tools/{key}`; its maintainers are the publishers of its published listings;
- a rating of any listing of a tool is the rater's rating of the tool (the overall score; the
  most recently changed wins when a rater rated two listings of one tool);
- accepted follows in both directions are trust edges;
- the seeds are the operator's `[reputation] trusted` actors plus, unless turned off, the
  node's own organisations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import get_args
from urllib.parse import quote

from commonsnode.model.reputation import (
    SUBJECT_KINDS,
    FinishedContract,
    FollowEdge,
    HelpfulMark,
    RatingInput,
    ReputationInputs,
    Subject,
    SubjectKind,
)
from commonsnode.model.trust import node_of

ORG_SUBJECT_KINDS: tuple[str, ...] = tuple(k for k in SUBJECT_KINDS if k != "tool")
_KINDS = set(get_args(SubjectKind))


@dataclass(frozen=True, slots=True)
class LocalOrgSource:
    handle: str
    kind: str


@dataclass(frozen=True, slots=True)
class RemoteActorSource:
    iri: str
    kind: str | None


@dataclass(frozen=True, slots=True)
class ListingSource:
    """A published listing: which tool, and who publishes it (a local handle or remote IRI)."""

    listing_id: str
    repository_key: str
    org_handle: str | None
    author_iri: str | None


@dataclass(frozen=True, slots=True)
class RatingSource:
    """A rating's overall stars, by a local organisation (handle) or a remote author (IRI)."""

    listing_id: str
    overall: int
    updated_at: float
    org_handle: str | None = None
    author_iri: str | None = None


@dataclass(frozen=True, slots=True)
class FollowSource:
    """An accepted follow: `out` our organisation follows `remote_iri`, `in` the reverse."""

    direction: str
    org_handle: str
    remote_iri: str


@dataclass(frozen=True, slots=True)
class ContractSource:
    """A completed commission contract between a buyer and a supplier (actor IRIs)."""

    iri: str
    buyer: str
    supplier: str


# A completed contract (every milestone delivered and accepted, both signatures valid) counts
# as this many stars from each party for the other. There is no separate party rating yet, and
# completion is the strongest signal both gave: the client accepted the work, the supplier saw
# it through. A disputed, terminated or unfinished contract counts for nothing either way.
COMPLETED_CONTRACT_STARS = 4


@dataclass(frozen=True, slots=True)
class ReputationSources:
    orgs: tuple[LocalOrgSource, ...] = ()
    remote_actors: tuple[RemoteActorSource, ...] = ()
    listings: tuple[ListingSource, ...] = ()
    ratings: tuple[RatingSource, ...] = ()
    follows: tuple[FollowSource, ...] = ()
    contracts: tuple[ContractSource, ...] = ()
    # The earliest this node's own clock saw each node (host[:port]): follows, listings received,
    # and the first recomputation that met it. Remote timestamps are never trusted for this.
    node_first_seen: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Naming:
    """How this node names its organisations and tools as IRIs."""

    origin: str

    def org(self, handle: str) -> str:
        return f"{self.origin}/orgs/{handle}"

    def tool(self, repository_key: str) -> str:
        return f"{self.origin}/tools/{quote(repository_key, safe='/:@-._~')}"

    def report(self, report_id: str) -> str:
        return f"{self.origin}/reports/{report_id}"


@dataclass(frozen=True, slots=True)
class HelpfulSource:
    """One helpful mark (a Like) as stored: a local report names its author by handle, a
    federated one by its origin IRI and author IRI."""

    report_id: str
    liker: str
    author_handle: str | None = None
    origin_iri: str | None = None
    author_iri: str | None = None


def helpful_marks(rows: Iterable[HelpfulSource], naming: Naming) -> tuple[HelpfulMark, ...]:
    """The engine's HelpfulMarks from stored Likes; rows naming no author are left out."""
    marks: list[HelpfulMark] = []
    for row in rows:
        author = naming.org(row.author_handle) if row.author_handle else row.author_iri
        report = row.origin_iri or naming.report(row.report_id)
        if author and row.liker:
            marks.append(HelpfulMark(liker=row.liker, report=report, author=author))
    return tuple(dict.fromkeys(marks))


def seeds(
    sources: ReputationSources, naming: Naming, trusted: Iterable[str], own_organisations: bool
) -> tuple[str, ...]:
    """The operator's trusted actors, plus the node's own organisations unless turned off."""
    found = list(dict.fromkeys(trusted))
    if own_organisations:
        found += [naming.org(o.handle) for o in sources.orgs if naming.org(o.handle) not in found]
    return tuple(found)


def engine_inputs(
    sources: ReputationSources,
    naming: Naming,
    *,
    seed_iris: tuple[str, ...],
    helpful: Iterable[HelpfulMark] = (),
    now: float,
    permits: Callable[[str], bool] = lambda iri: True,
) -> ReputationInputs:
    """The engine's inputs from the database's rows (pure; same rows, same inputs).

    `permits(iri)` is the operator's domain policy: ratings, follows and helpful marks of
    actors it refuses are left out, as the rating summaries leave them out.
    """

    def rater(org_handle: str | None, author_iri: str | None) -> str | None:
        return naming.org(org_handle) if org_handle else author_iri

    subjects: dict[str, Subject] = {}
    for org in sources.orgs:
        if org.kind in _KINDS and org.kind != "tool":
            iri = naming.org(org.handle)
            subjects[iri] = Subject(iri, org.kind)  # type: ignore[arg-type]
    for actor in sources.remote_actors:
        if actor.kind in ORG_SUBJECT_KINDS and _is_iri(actor.iri) and permits(actor.iri):
            subjects[actor.iri] = Subject(actor.iri, actor.kind)  # type: ignore[arg-type]
    tool_of: dict[str, str] = {}
    maintainers: dict[str, list[str]] = {}
    for listing in sources.listings:
        tool = naming.tool(listing.repository_key)
        tool_of[listing.listing_id] = tool
        publisher = rater(listing.org_handle, listing.author_iri)
        names = maintainers.setdefault(tool, [])
        if publisher and _is_iri(publisher) and publisher not in names:
            names.append(publisher)
    for tool, names in maintainers.items():
        subjects[tool] = Subject(tool, "tool", tuple(sorted(names)))
    latest: dict[tuple[str, str], tuple[float, int]] = {}
    for rating in sources.ratings:
        tool = tool_of.get(rating.listing_id)
        who = rater(rating.org_handle, rating.author_iri)
        if tool is None or not who or not _is_iri(who) or not 1 <= rating.overall <= 5:
            continue
        if not permits(who):
            continue
        known = latest.get((who, tool))
        if known is None or rating.updated_at >= known[0]:
            latest[who, tool] = (rating.updated_at, rating.overall)
    follows: list[FollowEdge] = []
    for follow in sources.follows:
        if not _is_iri(follow.remote_iri) or not permits(follow.remote_iri):
            continue
        local = naming.org(follow.org_handle)
        pair = (local, follow.remote_iri) if follow.direction == "out" else None
        if follow.direction == "in":
            pair = (follow.remote_iri, local)
        if pair is not None:
            follows.append(FollowEdge(*pair))
    first_seen = dict(sources.node_first_seen)
    first_seen[node_of(naming.origin)] = 0.0  # this node itself is not new to itself
    return ReputationInputs(
        subjects=tuple(subjects.values()),
        follows=tuple(follows),
        ratings=tuple(
            RatingInput(who, tool, stars) for (who, tool), (_, stars) in sorted(latest.items())
        ),
        helpful=tuple(m for m in helpful if permits(m.liker) and permits(m.author)),
        contracts=tuple(
            FinishedContract(
                c.iri,
                c.buyer,
                c.supplier,
                client_stars=COMPLETED_CONTRACT_STARS,
                supplier_stars=COMPLETED_CONTRACT_STARS,
            )
            for c in sources.contracts
            if _is_iri(c.iri) and _is_iri(c.buyer) and _is_iri(c.supplier)
            if permits(c.buyer) and permits(c.supplier)
        ),
        seeds=seed_iris,
        node_first_seen=first_seen,
        now=now,
    )


def nodes_of(inputs: ReputationInputs) -> set[str]:
    """Every node (host[:port]) an input's giver lives on: what `node_first_seen` must cover."""
    found = {node_of(r.rater) for r in inputs.ratings}
    found |= {node_of(f.follower) for f in inputs.follows}
    found |= {node_of(f.followed) for f in inputs.follows}
    return found


def _is_iri(value: str) -> bool:
    return value.startswith(("https://", "http://")) and len(value) <= 2048


@dataclass(frozen=True, slots=True)
class StoredScore:
    """A subject's score as the last recomputation left it, with its explanation document."""

    subject: str
    kind: str | None
    score: float
    document: Mapping[str, object]
    computed_at: float
