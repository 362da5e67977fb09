"""From database rows to the engine's inputs: tools by repository, maintainers, the latest
rating per rater and tool, follows both ways, and the seeds."""

from __future__ import annotations

from commonsnode.model.reputation import FollowEdge, RatingInput
from commonsnode.model.reputation_sources import (
    FollowSource,
    ListingSource,
    LocalOrgSource,
    Naming,
    RatingSource,
    RemoteActorSource,
    ReputationSources,
    engine_inputs,
    nodes_of,
    seeds,
)

NAMING = Naming("https://city.example")
REMOTE = "https://far.example/orgs/dev"
TRUSTED = "https://trusted.example/orgs/t"
TOOL = "https://city.example/tools/git.example/a/tool"

SOURCES = ReputationSources(
    orgs=(LocalOrgSource("alder", "government"), LocalOrgSource("dev", "developer")),
    remote_actors=(RemoteActorSource(REMOTE, "developer"), RemoteActorSource(TRUSTED, None)),
    listings=(
        ListingSource("l1", "git.example/a/tool", "dev", None),
        ListingSource("l2", "git.example/a/tool", None, REMOTE),
    ),
    ratings=(
        RatingSource("l1", 2, 10.0, org_handle="alder"),
        RatingSource("l2", 5, 20.0, org_handle="alder"),  # same tool, later: wins
        RatingSource("l2", 4, 5.0, author_iri=TRUSTED),
        RatingSource("gone", 1, 5.0, author_iri=TRUSTED),  # a listing not published: ignored
    ),
    follows=(FollowSource("out", "alder", TRUSTED), FollowSource("in", "dev", REMOTE)),
    node_first_seen={"far.example": 100.0},
)


def test_rows_become_subjects_ratings_and_follows() -> None:
    found = engine_inputs(SOURCES, NAMING, seed_iris=(TRUSTED,), now=200.0)
    subjects = {s.iri: s for s in found.subjects}
    assert subjects[TOOL].maintainers == ("https://city.example/orgs/dev", REMOTE)
    assert subjects["https://city.example/orgs/alder"].kind == "government"
    assert subjects[REMOTE].kind == "developer"
    assert TRUSTED not in subjects  # no kind known: a giver, not a scored organisation
    assert set(found.ratings) == {
        RatingInput("https://city.example/orgs/alder", TOOL, 5),
        RatingInput(TRUSTED, TOOL, 4),
    }
    assert set(found.follows) == {
        FollowEdge("https://city.example/orgs/alder", TRUSTED),
        FollowEdge(REMOTE, "https://city.example/orgs/dev"),
    }
    assert found.node_first_seen == {"far.example": 100.0, "city.example": 0.0}
    assert nodes_of(found) == {"city.example", "trusted.example", "far.example"}


def test_seeds_are_the_trusted_actors_and_unless_turned_off_the_own_organisations() -> None:
    assert seeds(SOURCES, NAMING, (TRUSTED,), own_organisations=True) == (
        TRUSTED,
        "https://city.example/orgs/alder",
        "https://city.example/orgs/dev",
    )
    assert seeds(SOURCES, NAMING, (TRUSTED,), own_organisations=False) == (TRUSTED,)


def test_actors_the_domain_policy_refuses_are_left_out() -> None:
    found = engine_inputs(
        SOURCES,
        NAMING,
        seed_iris=(),
        now=200.0,
        permits=lambda iri: "trusted.example" not in iri,
    )
    assert {r.rater for r in found.ratings} == {"https://city.example/orgs/alder"}
    assert found.follows == (FollowEdge(REMOTE, "https://city.example/orgs/dev"),)
