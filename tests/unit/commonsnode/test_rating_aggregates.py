"""Aggregates: count, mean, distribution, Bayesian average and nodes from grouped counts."""

from __future__ import annotations

from commonsnode.model.rating_aggregates import (
    PRIOR_MEAN,
    PRIOR_WEIGHT,
    ScoreCount,
    bayesian_average,
    summarise,
)


def test_nothing_rated() -> None:
    summary = summarise([])
    assert (summary.count, summary.criteria, summary.nodes) == (0, {}, {})
    assert summary.mean("overall") is None


def test_counts_means_distribution_and_nodes() -> None:
    counts = [
        ScoreCount("overall", 5, None, 2),
        ScoreCount("overall", 3, "b.example", 1),
        ScoreCount("overall", 4, "b.example", 1),
        ScoreCount("privacy", 2, None, 1),
    ]
    summary = summarise(counts)
    overall = summary.criteria["overall"]
    assert summary.count == 4
    assert overall.mean == 4.25
    assert overall.distribution == {1: 0, 2: 0, 3: 1, 4: 1, 5: 2}
    assert summary.criteria["privacy"].count == 1
    assert summary.mean("privacy") == 2.0
    assert summary.nodes == {None: 2, "b.example": 2}
    assert overall.bayesian == round((PRIOR_WEIGHT * PRIOR_MEAN + 17) / (PRIOR_WEIGHT + 4), 3)


def test_the_bayesian_average_ranks_many_good_ratings_above_one_perfect_one() -> None:
    assert bayesian_average(5, 1) < bayesian_average(4.5 * 20, 20)
    assert bayesian_average(0, 0) == PRIOR_MEAN


def test_blocked_nodes_and_nonsense_rows_are_left_out() -> None:
    counts = [
        ScoreCount("overall", 5, "spam.example", 50),
        ScoreCount("overall", 2, "good.example", 1),
        ScoreCount("overall", 9, "good.example", 1),
        ScoreCount("beauty", 5, "good.example", 1),
    ]
    summary = summarise(counts, lambda host: host != "spam.example")
    assert (summary.count, summary.mean("overall"), summary.nodes) == (1, 2.0, {"good.example": 1})
    assert set(summary.criteria) == {"overall"}
