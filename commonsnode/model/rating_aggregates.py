"""Aggregates of a listing's ratings: count, mean, distribution, Bayesian average, nodes.

Pure functions over grouped counts (criterion, value, node → how many ratings), which storage
computes with one GROUP BY; so the listing API pays one small query, however many ratings.

Bayesian average: (PRIOR_WEIGHT × PRIOR_MEAN + sum) / (PRIOR_WEIGHT + n), with the prior the
middle of the scale (3) weighted as 5 ratings: a tool with one 5-star rating ranks below one
with twenty 4.5s, and few ratings pull little away from "average".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from commonsnode.model.ratings import BEST, CRITERIA, WORST

PRIOR_MEAN = 3.0
PRIOR_WEIGHT = 5


@dataclass(frozen=True, slots=True)
class ScoreCount:
    """How many ratings from `node_host` (None: this node) gave `criterion` the score `value`."""

    criterion: str
    value: int
    node_host: str | None
    count: int


@dataclass(frozen=True, slots=True)
class CriterionSummary:
    count: int
    mean: float
    distribution: dict[int, int]
    bayesian: float


@dataclass(frozen=True, slots=True)
class RatingSummary:
    """Everything pages and the API show about a listing's ratings."""

    count: int = 0
    criteria: dict[str, CriterionSummary] = field(default_factory=dict)
    nodes: dict[str | None, int] = field(default_factory=dict)

    def mean(self, criterion: str) -> float | None:
        found = self.criteria.get(criterion)
        return None if found is None else found.mean


def bayesian_average(total: float, count: int) -> float:
    """The mean pulled towards PRIOR_MEAN as if PRIOR_WEIGHT more average ratings existed."""
    return (PRIOR_WEIGHT * PRIOR_MEAN + total) / (PRIOR_WEIGHT + count)


def summarise(
    counts: Iterable[ScoreCount], permits: Callable[[str], bool] | None = None
) -> RatingSummary:
    """The summary of grouped counts; `permits(host)` False drops that node's ratings
    (a domain block applies to ratings already held). Counts of each rating's `overall`
    (always present) give the number of ratings and the nodes they came from."""
    per_criterion: dict[str, dict[int, int]] = {}
    nodes: dict[str | None, int] = {}
    for row in counts:
        if row.criterion not in CRITERIA or not WORST <= row.value <= BEST or row.count <= 0:
            continue
        if row.node_host is not None and permits is not None and not permits(row.node_host):
            continue
        bucket = per_criterion.setdefault(row.criterion, dict.fromkeys(range(WORST, BEST + 1), 0))
        bucket[row.value] += row.count
        if row.criterion == "overall":
            nodes[row.node_host] = nodes.get(row.node_host, 0) + row.count
    criteria: dict[str, CriterionSummary] = {}
    for criterion in CRITERIA:
        distribution = per_criterion.get(criterion)
        if not distribution:
            continue
        n = sum(distribution.values())
        total = float(sum(value * k for value, k in distribution.items()))
        criteria[criterion] = CriterionSummary(
            count=n,
            mean=round(total / n, 3),
            distribution=distribution,
            bayesian=round(bayesian_average(total, n), 3),
        )
    count = criteria["overall"].count if "overall" in criteria else 0
    return RatingSummary(count=count, criteria=criteria, nodes=nodes)
