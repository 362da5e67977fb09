"""Reputation recomputation over 10,000 organisations and 100,000 ratings.

Run: .venv/bin/python bench/reputation.py [--orgs N] [--ratings N] [--changes N] [--seed S]

Generates (fixed seed) organisations on 500 nodes of mixed age, 3,000 tools, a follow graph
(about ten follows per organisation, skewed towards popular ones), 100,000 ratings, helpful marks
and finished contracts. Times, in one process:
  - the baseline: a plain mean of the stars per tool over the same ratings (no trust, no prior);
  - the full computation: an engine fed everything, trust from a cold start, every score;
  - the incremental one: 100 ratings changed on that engine, then `recompute()` (warm start).
Then checks that the incremental scores equal a fresh full computation of the changed inputs.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/queue.py shares its name with the stdlib module: keep this folder off the import path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import random
import time
from collections import defaultdict
from dataclasses import replace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from commonsnode.model.reputation import (
    FinishedContract,
    FollowEdge,
    HelpfulMark,
    RatingInput,
    ReputationConfig,
    ReputationEngine,
    ReputationInputs,
    Subject,
)
from commonsnode.model.trust import DAY

NOW = 1_800_000_000.0
KINDS = ("government", "civil-society", "developer", "support-company")


def generate(orgs: int, ratings: int, seed: int) -> ReputationInputs:
    """A federation with a fixed seed: nodes, organisations, tools, follows, ratings, marks."""
    rng = random.Random(seed)
    nodes = [f"node{i}.example" for i in range(500)]
    first_seen = {node: NOW - rng.uniform(0, 365) * DAY for node in nodes}
    first_seen[nodes[0]] = NOW - 800 * DAY
    actors = [f"https://{nodes[i % len(nodes)]}/orgs/o{i}" for i in range(orgs)]
    kinds = [KINDS[rng.randrange(4)] for _ in actors]
    developers = [a for a, k in zip(actors, kinds, strict=True) if k == "developer"]
    subjects = [Subject(a, k) for a, k in zip(actors, kinds, strict=True)]  # type: ignore[arg-type]
    tools = []
    quality = {}
    for i in range(3_000):
        iri = f"https://{nodes[i % len(nodes)]}/listings/t{i}"
        makers = tuple(rng.sample(developers, rng.choice((1, 1, 1, 2))))
        tools.append(iri)
        quality[iri] = rng.uniform(1.5, 4.8)
        subjects.append(Subject(iri, "tool", makers))
    # Follows: mostly uniform, a quarter towards the first 5 % (well-known organisations).
    popular = actors[: max(1, orgs // 20)]
    follows = set()
    for actor in actors:
        for _ in range(10):
            target = rng.choice(popular) if rng.random() < 0.25 else rng.choice(actors)
            if target != actor:
                follows.add(FollowEdge(actor, target))
    pairs: dict[tuple[str, str], int] = {}
    while len(pairs) < ratings:
        tool = (
            tools[min(len(tools) - 1, int(rng.paretovariate(1.2)) - 1)]
            if rng.random() < 0.3
            else rng.choice(tools)
        )
        rater = rng.choice(actors)
        stars = max(1, min(5, round(rng.gauss(quality[tool], 0.9))))
        pairs[rater, tool] = stars
    helpful = {
        HelpfulMark(rng.choice(actors), f"https://reports.example/r{i % 5000}", rng.choice(actors))
        for i in range(10_000)
    }
    contracts = [
        FinishedContract(
            f"https://contracts.example/c{i}",
            rng.choice(actors),
            rng.choice(developers),
            rng.randint(2, 5),
            rng.randint(3, 5),
        )
        for i in range(1_000)
    ]
    return ReputationInputs(
        subjects=tuple(subjects),
        follows=tuple(sorted(follows, key=lambda f: (f.follower, f.followed))),
        ratings=tuple(RatingInput(r, t, s) for (r, t), s in pairs.items()),
        helpful=tuple(h for h in helpful if h.liker != h.author),
        contracts=tuple(contracts),
        seeds=tuple(actors[0 : len(actors) : len(nodes)][:20]),  # 20 organisations on node 0
        node_first_seen=first_seen,
        now=NOW,
    )


class Timer:
    """Wall and CPU time of a block: CPU time is steadier while other work shares the cores."""

    def __enter__(self) -> Timer:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *_: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu

    def __str__(self) -> str:
        return f"{self.wall * 1000:8.1f} ms (cpu {self.cpu * 1000:.0f} ms)"


def plain_means(ratings: tuple[RatingInput, ...]) -> dict[str, float]:
    """The baseline: each subject's mean stars, every rating counting the same."""
    sums: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    for rating in ratings:
        sums[rating.subject] += rating.stars
        counts[rating.subject] += 1
    return {subject: sums[subject] / counts[subject] for subject in sums}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=10_000)
    parser.add_argument("--ratings", type=int, default=100_000)
    parser.add_argument("--changes", type=int, default=100)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    started = time.perf_counter()
    inputs = generate(args.orgs, args.ratings, args.seed)
    print(
        f"generated {args.orgs:,} organisations, {len(inputs.subjects) - args.orgs:,} tools, "
        f"{len(inputs.follows):,} follows, {len(inputs.ratings):,} ratings, "
        f"{len(inputs.helpful):,} helpful marks, {len(inputs.contracts):,} contracts "
        f"in {time.perf_counter() - started:.1f} s"
    )

    with Timer() as baseline:
        means = plain_means(inputs.ratings)
    print(f"baseline: plain mean per subject, no trust {baseline} ({len(means):,} subjects)")

    with Timer() as full_time:
        engine, full = ReputationEngine.build(inputs)
        scores = engine.scores()
    print(
        f"full: build + trust (cold) + every score   {full_time} "
        f"({full.trust.iterations} trust steps, {len(scores):,} scores)"
    )

    rng = random.Random(args.seed + 1)
    changed = rng.sample(inputs.ratings, args.changes)
    replaced = {(r.rater, r.subject): 6 - r.stars for r in changed}
    after = tuple(
        RatingInput(r.rater, r.subject, replaced.get((r.rater, r.subject), r.stars))
        for r in inputs.ratings
    )
    check, _ = ReputationEngine.build(replace(inputs, ratings=after))
    expected = check.scores()

    for label, epsilon in (("exact", 1e-9), ("approximate", 1e-5)):
        if epsilon != engine.config.weight_epsilon:
            config = replace(ReputationConfig(), weight_epsilon=epsilon)
            engine, _ = ReputationEngine.build(inputs, config)
        with Timer() as elapsed:
            for rating in changed:
                engine.set_rating(RatingInput(rating.rater, rating.subject, 6 - rating.stars))
            run = engine.recompute()
            incremental_scores = engine.scores()
        worst = max(abs(incremental_scores[k] - expected[k]) for k in expected)
        print(
            f"incremental, {label} (weight changes > {epsilon:g}): {elapsed} "
            f"({run.trust.iterations} trust steps, {run.changed_givers:,} givers re-weighted, "
            f"{run.reaggregated:,} subjects re-aggregated; max |score - full| {worst:.1e})"
        )
        if label == "exact":
            exact_time = elapsed

    weights = [check.weight(a) for a in {r.rater for r in inputs.ratings}]
    print(
        f"raters with weight > 0.01: {sum(w > 0.01 for w in weights):,} of {len(weights):,}; "
        f"full / baseline (cpu): {full_time.cpu / baseline.cpu:.0f}x; full / incremental "
        f"(exact, cpu): {full_time.cpu / exact_time.cpu:.1f}x; aim: full <= 10 s"
    )


if __name__ == "__main__":
    main()
