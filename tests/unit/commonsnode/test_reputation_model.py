"""Reputation: trust-weighted scores, Sybil resistance, explanations, incremental recomputation."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from commonsnode.errors import InvalidError
from commonsnode.model.reputation import (
    FinishedContract,
    FollowEdge,
    HelpfulMark,
    RatingInput,
    ReputationEngine,
    ReputationInputs,
    Subject,
)
from commonsnode.model.trust import DAY, TrustGraph

NOW = 1_800_000_000.0
HOME = "https://home.example"
PEER = "https://peer.example"
SYBIL = "https://sybil.example"
SEEDS = tuple(f"{HOME}/orgs/seed{i}" for i in range(5))
PEERS = tuple(f"{PEER}/orgs/p{i}" for i in range(10))
DEV = "https://dev.example/orgs/maker"
TOOL = "https://dev.example/listings/tool"
SYBILS = tuple(f"{SYBIL}/users/u{i}" for i in range(200))
SEEN = {"home.example": NOW - 400 * DAY, "peer.example": NOW - 200 * DAY, "dev.example": NOW}


def base_inputs(**changes: object) -> ReputationInputs:
    """A small federation: five seeds at home who follow peers; peers rate a tool."""
    follows = [FollowEdge(s, p) for s in SEEDS for p in PEERS[:5]]
    follows += [FollowEdge(PEERS[i], PEERS[(i + 1) % 10]) for i in range(10)]
    ratings = [
        RatingInput(p, TOOL, stars) for p, stars in zip(PEERS, (5, 4, 5, 4, 5, 4), strict=False)
    ]
    inputs = ReputationInputs(
        subjects=(
            Subject(TOOL, "tool", (DEV,)),
            Subject(DEV, "developer"),
            *(Subject(p, "government") for p in PEERS),
        ),
        follows=tuple(follows),
        ratings=tuple(ratings),
        seeds=SEEDS,
        node_first_seen=SEEN,
        now=NOW,
    )
    return replace(inputs, **changes)  # type: ignore[arg-type]


def tool_score(inputs: ReputationInputs) -> float:
    engine, _ = ReputationEngine.build(inputs)
    return engine.score(TOOL).score


def test_sybil_ratings_move_a_tool_less_than_five_trusted_ratings() -> None:
    """200 fresh actors on one newly-seen node all rate 1★ vs 5 trusted organisations rate 1★."""
    start = base_inputs()
    before = tool_score(start)
    sybil = tool_score(
        replace(start, ratings=start.ratings + tuple(RatingInput(u, TOOL, 1) for u in SYBILS))
    )
    trusted = tool_score(
        replace(start, ratings=start.ratings + tuple(RatingInput(s, TOOL, 1) for s in SEEDS))
    )
    assert before > 3.5
    assert abs(before - sybil) < abs(before - trusted)
    assert before - trusted > 0.5  # the trusted organisations do move it


def test_sybils_with_a_foothold_stay_below_five_trusted_ratings() -> None:
    """Even when a trusted organisation follows one of them and they all vouch for each other."""
    sybil_follows = [FollowEdge(SEEDS[0], SYBILS[0])]
    sybil_follows += [FollowEdge(u, v) for u in SYBILS for v in (SYBILS[0], SYBILS[1], SYBILS[2])]
    sybil_follows += [FollowEdge(SYBILS[0], u) for u in SYBILS]
    start = base_inputs()
    start = replace(start, follows=start.follows + tuple(sybil_follows))
    engine, _ = ReputationEngine.build(start)
    before = engine.score(TOOL).score
    assert engine.weight(SYBILS[0]) > 0
    sybil_engine, _ = ReputationEngine.build(
        replace(start, ratings=start.ratings + tuple(RatingInput(u, TOOL, 1) for u in SYBILS))
    )
    sybil_weight = sum(sybil_engine.weight(u) for u in SYBILS)
    assert sybil_weight <= sybil_engine.config.trust.new_node_cap + 1e-9
    trusted = tool_score(
        replace(start, ratings=start.ratings + tuple(RatingInput(s, TOOL, 1) for s in SEEDS))
    )
    assert abs(before - sybil_engine.score(TOOL).score) < abs(before - trusted)


def test_trust_of_a_newly_seen_node_is_bounded_and_grows_with_age() -> None:
    crowd = [f"{SYBIL}/users/u{i}" for i in range(50)]
    follows = [FollowEdge(s, u) for s in SEEDS for u in crowd[:10]]
    follows += [FollowEdge(u, v) for u in crowd for v in crowd[:5]]
    new = base_inputs(follows=base_inputs().follows + tuple(follows))
    engine, _ = ReputationEngine.build(new)
    cap = engine.graph.node_cap("sybil.example")
    assert cap == pytest.approx(engine.graph.reference * engine.config.trust.new_node_cap)
    held = engine.graph.node_trust("sybil.example")
    assert held == pytest.approx(cap, rel=1e-6)  # it would take more: the cap binds
    assert sum(engine.graph.vector()) == pytest.approx(1.0)
    older, _ = ReputationEngine.build(
        replace(new, node_first_seen={**SEEN, "sybil.example": NOW - 45 * DAY})
    )
    assert older.graph.node_trust("sybil.example") > held
    # The same engine, 45 days later, agrees with one built then.
    engine.set_now(NOW + 45 * DAY)
    engine.node_seen("sybil.example", NOW)
    engine.recompute()
    later, _ = ReputationEngine.build(
        replace(new, now=NOW + 45 * DAY, node_first_seen={**SEEN, "sybil.example": NOW})
    )
    assert engine.graph.node_trust("sybil.example") > held
    assert engine.scores() == pytest.approx(later.scores(), abs=1e-9)
    assert engine.graph.vector() == pytest.approx(later.graph.vector(), abs=1e-9)


def test_a_fresh_actor_nobody_trusts_has_no_weight() -> None:
    stranger = "https://far.example/orgs/stranger"
    engine, _ = ReputationEngine.build(
        base_inputs(ratings=(*base_inputs().ratings, RatingInput(stranger, TOOL, 1)))
    )
    assert engine.weight(stranger) == 0.0
    assert engine.weight(SEEDS[0]) == 1.0
    assert 0 < engine.weight(PEERS[7]) < engine.weight(PEERS[0]) <= 1.0
    line = next(i for i in engine.score(TOOL).inputs if i.source == stranger)
    assert line.weight == 0.0
    assert line.contribution == 0.0


def test_few_ratings_stay_near_neutral() -> None:
    """The prior weighs as much as two fully trusted ratings: one 5★ moves a third of the way."""
    for count, expected in ((1, 11 / 3), (2, 4.0), (5, 31 / 7)):
        ratings = tuple(RatingInput(s, TOOL, 5) for s in SEEDS[:count])
        engine, _ = ReputationEngine.build(base_inputs(ratings=ratings))
        assert engine.score(TOOL).score == pytest.approx(expected)


def test_without_seeds_nothing_counts() -> None:
    engine, _ = ReputationEngine.build(base_inputs(seeds=()))
    assert engine.score(TOOL).score == 3.0


def full_featured_inputs() -> ReputationInputs:
    report = "https://peer.example/reports/r1"
    return base_inputs(
        ratings=(
            *base_inputs().ratings,
            RatingInput(DEV, TOOL, 5),  # the maintainer's own rating
            RatingInput(SEEDS[1], PEERS[3], 2),  # a rating of an organisation
        ),
        helpful=(
            HelpfulMark(SEEDS[0], report, PEERS[3]),
            HelpfulMark(PEERS[3], report, PEERS[3]),
        ),
        contracts=(FinishedContract("https://home.example/contracts/c1", SEEDS[2], DEV, 5, 4),),
    )


def test_the_explanation_sums_to_the_score() -> None:
    engine, _ = ReputationEngine.build(full_featured_inputs())
    table = engine.scores()
    for iri in (TOOL, DEV, PEERS[3], SEEDS[2]):
        score = engine.score(iri)
        assert sum(i.contribution for i in score.inputs) == pytest.approx(score.score, abs=1e-12)
        assert score.score == pytest.approx(table[iri], abs=1e-12)
        counted = [i for i in score.inputs if i.kind != "prior"]
        assert score.weight == pytest.approx(sum(i.weight for i in counted))
        assert counted, iri
    dev = engine.score(DEV)
    kinds = {i.kind for i in dev.inputs}
    assert kinds == {"prior", "tool-rating", "contract"}
    own = next(i for i in engine.score(TOOL).inputs if i.source == DEV)
    assert (own.weight, own.note) == (0.0, "own rating, not counted")
    peer = engine.score(PEERS[3])
    assert {i.kind for i in peer.inputs} == {"prior", "rating", "helpful"}
    document = peer.document()
    assert document["actor"] == PEERS[3]
    assert document["inputs"][0]["kind"] == "prior"


def test_good_ratings_and_contracts_pass_trust_to_maintainers() -> None:
    engine, _ = ReputationEngine.build(full_featured_inputs())
    assert engine.weight(DEV) > 0
    givers = {source for source, _ in engine.graph.incoming(DEV)}
    assert givers == {SEEDS[2], PEERS[0], PEERS[1], PEERS[2], PEERS[3], PEERS[4], PEERS[5]}
    without, _ = ReputationEngine.build(base_inputs(ratings=()))
    assert without.weight(DEV) == 0.0


def random_inputs(rng: random.Random, n_orgs: int = 120, n_tools: int = 40) -> ReputationInputs:
    orgs = [f"https://n{i % 12}.example/orgs/o{i}" for i in range(n_orgs)]
    tools = [f"https://n{i % 12}.example/listings/t{i}" for i in range(n_tools)]
    subjects = [Subject(t, "tool", (orgs[i % n_orgs],)) for i, t in enumerate(tools)]
    subjects += [Subject(o, "developer") for o in orgs[:30]]
    follows = {FollowEdge(rng.choice(orgs), rng.choice(orgs)) for _ in range(400)}
    ratings = {(rng.choice(orgs), rng.choice(tools)): rng.randint(1, 5) for _ in range(600)}
    helpful = {
        HelpfulMark(rng.choice(orgs), f"https://r.example/{i}", rng.choice(orgs)) for i in range(80)
    }
    seen = {f"n{i}.example": NOW - i * 10 * DAY for i in range(12)}
    return ReputationInputs(
        subjects=tuple(subjects),
        follows=tuple(f for f in follows if f.follower != f.followed),
        ratings=tuple(RatingInput(r, t, s) for (r, t), s in ratings.items()),
        helpful=tuple(helpful),
        seeds=tuple(orgs[:4]),
        node_first_seen=seen,
        now=NOW,
    )


def test_incremental_recomputation_equals_full() -> None:
    rng = random.Random(7)
    start = random_inputs(rng)
    engine, cold = ReputationEngine.build(start)
    ratings = {(r.rater, r.subject): r for r in start.ratings}
    follows = set(start.follows)
    orgs = sorted({r.rater for r in start.ratings})
    tools = sorted({s.iri for s in start.subjects if s.kind == "tool"})
    for rating in rng.sample(sorted(ratings.values(), key=str), 15):  # replaced ratings
        new = RatingInput(rating.rater, rating.subject, 6 - rating.stars)
        ratings[rating.rater, rating.subject] = new
        engine.set_rating(new)
    for rating in rng.sample(sorted(ratings.values(), key=str), 10):  # removed ratings
        del ratings[rating.rater, rating.subject]
        engine.remove_rating(rating.rater, rating.subject)
    for _ in range(10):  # new ratings
        new = RatingInput(rng.choice(orgs), rng.choice(tools), rng.randint(1, 5))
        ratings[new.rater, new.subject] = new
        engine.set_rating(new)
    for follow in rng.sample(sorted(follows, key=str), 10):
        follows.discard(follow)
        engine.remove_follow(follow)
    for _ in range(10):
        follow = FollowEdge(rng.choice(orgs), rng.choice(orgs))
        if follow.follower != follow.followed:
            follows.add(follow)
            engine.add_follow(follow)
    moved = Subject(tools[0], "tool", (orgs[1], orgs[2]))
    engine.set_subject(moved)
    subjects = tuple(moved if s.iri == moved.iri else s for s in start.subjects)
    warm = engine.recompute()
    full, _ = ReputationEngine.build(
        replace(start, subjects=subjects, ratings=tuple(ratings.values()), follows=tuple(follows))
    )
    assert warm.trust.warm
    assert warm.trust.iterations < cold.trust.iterations
    incremental, expected = engine.scores(), full.scores()
    assert incremental.keys() == expected.keys()
    for iri, value in expected.items():
        assert incremental[iri] == pytest.approx(value, abs=1e-6), iri
        assert engine.score(iri).score == pytest.approx(value, abs=1e-6), iri
    # An unchanged state re-aggregates nothing.
    assert engine.recompute().reaggregated == 0


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: RatingInput(SEEDS[0], TOOL, 0), "stars"),
        (lambda: RatingInput(SEEDS[0], TOOL, 6), "stars"),
        (lambda: RatingInput(SEEDS[0], TOOL, True), "stars"),
        (lambda: RatingInput(SEEDS[0], TOOL, "5"), "stars"),
        (lambda: RatingInput("acct:x@home.example", TOOL, 3), "rater"),
        (lambda: RatingInput(SEEDS[0], "tool", 3), "subject"),
        (lambda: Subject(TOOL, "company"), "kind"),  # type: ignore[arg-type]
        (lambda: Subject(TOOL, "tool", ("ftp://x",)), "maintainers"),
        (lambda: FollowEdge(SEEDS[0], ""), "followed"),
        (lambda: HelpfulMark(SEEDS[0], "r1", DEV), "report"),
        (lambda: FinishedContract("https://c.example/1", SEEDS[0], DEV, 9), "client_stars"),
    ],
)
def test_bad_inputs_are_refused(build: object, field: str) -> None:
    with pytest.raises(InvalidError) as error:
        build()  # type: ignore[operator]
    assert error.value.field == field
    assert error.value.detail


def test_trust_graph_edges_come_and_go_by_weight() -> None:
    graph = TrustGraph(seeds=[SEEDS[0]], now=NOW)
    graph.add_weight(SEEDS[0], PEERS[0], 1.0)
    graph.add_weight(SEEDS[0], PEERS[0], 0.5)
    graph.add_weight(SEEDS[0], SEEDS[0], 1.0)  # self-loops are ignored
    graph.compute()
    assert graph.incoming(PEERS[0]) == [(SEEDS[0], pytest.approx(0.85 * graph.trust(SEEDS[0])))]
    graph.add_weight(SEEDS[0], PEERS[0], -1.5)
    graph.compute()
    assert graph.trust(PEERS[0]) == 0.0
    assert graph.trust(SEEDS[0]) == pytest.approx(1.0)
