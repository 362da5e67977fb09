"""Trust over the actor graph: personalised PageRank (EigenTrust-style) restarting at the seeds.

The node operator names the organisations it trusts (the seeds). Trust starts there and flows
along weighted edges (follows, good ratings, helpful marks, finished contracts); at every step a
share (1 - damping) returns to the seeds. So an actor nobody trusted has no trust at all, however
many accounts vouch for it, and a group of accounts can only share the trust that reaches them
from outside. On top, all actors of one node together may hold at most a cap that grows with how
long this node has known that node: a freshly seen server cannot buy influence by size.

Trust is a probability vector (sums to 1). Weights for aggregation are expressed in *seed
equivalents*: the trust a seed gets from restarts alone, (1 - damping) / number of seeds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from operator import mul, sub
from urllib.parse import urlsplit

DAY = 86_400.0
_ZERO = 1e-12


def node_of(iri: str) -> str:
    """The server an actor lives on: the IRI's host and port, lower-cased, no user info."""
    netloc = urlsplit(iri).netloc.rpartition("@")[2]
    return netloc.lower()


@dataclass(frozen=True, slots=True)
class TrustConfig:
    """Knobs of the trust computation; the defaults are what the node uses."""

    damping: float = 0.85  # share of trust passed along edges at each step
    tolerance: float = 1e-10  # stop when the L1 change of one step is below this
    max_iterations: int = 1_000
    new_node_cap: float = 1.0  # seed equivalents all actors of a node first seen now may hold
    mature_node_cap: float = 20.0  # ... and of a node known for `maturity` seconds or longer
    maturity: float = 90 * DAY


@dataclass(frozen=True, slots=True)
class TrustRun:
    """What one computation did: steps taken, final L1 change, whether it started warm."""

    iterations: int
    residual: float
    warm: bool


class TrustGraph:
    """A mutable weighted actor graph with its trust vector, kept between recomputations.

    Edges are added and removed by weight deltas (several events may support one edge).
    `compute()` starts from the previous vector (warm start), so after a few changes it needs
    far fewer steps than from scratch.
    """

    def __init__(
        self,
        config: TrustConfig | None = None,
        *,
        seeds: Iterable[str] = (),
        node_first_seen: Mapping[str, float] | None = None,
        now: float = 0.0,
    ) -> None:
        self.config = config or TrustConfig()
        self.index: dict[str, int] = {}
        self.iris: list[str] = []
        self._node: list[str] = []
        self._out_sum: list[float] = []
        self._in: list[dict[int, float]] = []
        self._in_lists: list[tuple[list[int], list[float]] | None] = []
        self._vector: list[float] = []
        self._seeds: list[int] = []
        self._first_seen: dict[str, float] = dict(node_first_seen or {})
        self.now = now
        self.set_seeds(seeds)

    # -- building -------------------------------------------------------------------------

    def actor(self, iri: str) -> int:
        """The index of an actor, adding it (with no trust yet) when first met."""
        found = self.index.get(iri)
        if found is not None:
            return found
        i = len(self.iris)
        self.index[iri] = i
        self.iris.append(iri)
        self._node.append(node_of(iri))
        self._out_sum.append(0.0)
        self._in.append({})
        self._in_lists.append(None)
        self._vector.append(0.0)
        return i

    def set_seeds(self, seeds: Iterable[str]) -> None:
        """The organisations the operator trusts; trust restarts at them in equal shares."""
        self._seeds = sorted({self.actor(iri) for iri in seeds})

    def node_seen(self, node: str, first_seen: float) -> None:
        """Record when this node first heard of `node` (earlier wins)."""
        known = self._first_seen.get(node)
        if known is None or first_seen < known:
            self._first_seen[node] = first_seen

    def add_weight(self, source: str, target: str, delta: float) -> None:
        """Strengthen (or, negative, weaken) the edge source -> target; self-loops are ignored."""
        if source == target or delta == 0:
            return
        s, t = self.actor(source), self.actor(target)
        edges = self._in[t]
        weight = edges.get(s, 0.0) + delta
        if weight <= _ZERO:
            if s in edges:
                self._out_sum[s] -= edges.pop(s)
        else:
            self._out_sum[s] += weight - edges.get(s, 0.0)
            edges[s] = weight
        if self._out_sum[s] < _ZERO:
            self._out_sum[s] = 0.0
        self._in_lists[t] = None

    # -- reading --------------------------------------------------------------------------

    @property
    def seed_iris(self) -> list[str]:
        return [self.iris[i] for i in self._seeds]

    @property
    def reference(self) -> float:
        """One seed equivalent: the trust a seed receives from restarts alone."""
        if not self._seeds:
            return 1.0
        return (1 - self.config.damping) / len(self._seeds)

    def trust(self, iri: str) -> float:
        """The actor's share of all trust (0 for an actor never met)."""
        i = self.index.get(iri)
        return 0.0 if i is None else self._vector[i]

    def weight(self, iri: str) -> float:
        """Trust in seed equivalents, at most 1: how much the actor's word counts."""
        return min(1.0, self.trust(iri) / self.reference)

    def vector(self) -> list[float]:
        return list(self._vector)

    def node_cap(self, node: str, seed_nodes: set[str] | None = None) -> float | None:
        """The most trust (as a share) all actors of `node` may hold; None when uncapped.

        The seeds' own nodes are not capped: the operator vouched for them.
        """
        if seed_nodes is None:
            seed_nodes = self._seed_nodes()
        if not self._seeds or node in seed_nodes:
            return None
        cfg = self.config
        age = max(0.0, self.now - self._first_seen.get(node, self.now))
        ramp = min(1.0, age / cfg.maturity) if cfg.maturity > 0 else 1.0
        return (cfg.new_node_cap + (cfg.mature_node_cap - cfg.new_node_cap) * ramp) * self.reference

    def node_trust(self, node: str) -> float:
        """The trust all actors of `node` hold together."""
        return sum(v for v, n in zip(self._vector, self._node, strict=True) if n == node)

    def incoming(self, iri: str) -> list[tuple[str, float]]:
        """Who passed trust to `iri` in the last computation, and how much (for explanations)."""
        i = self.index.get(iri)
        if i is None:
            return []
        damping = self.config.damping
        out = self._out_sum
        flows = [
            (self.iris[s], damping * self._vector[s] * w / out[s])
            for s, w in self._in[i].items()
            if out[s] > 0 and self._vector[s] > 0
        ]
        return sorted(flows, key=lambda flow: -flow[1])

    def _seed_nodes(self) -> set[str]:
        return {self._node[i] for i in self._seeds}

    # -- computing ------------------------------------------------------------------------

    def compute(self, *, warm: bool = True) -> TrustRun:
        """Iterate to the fixed point, from the previous vector when `warm`, else from the seeds."""
        n = len(self.iris)
        seeds = self._seeds
        if not seeds or n == 0:
            self._vector = [0.0] * n
            return TrustRun(0, 0.0, warm)
        cfg = self.config
        damping = cfg.damping
        share = 1.0 / len(seeds)
        x = list(self._vector) if warm else [0.0] * n
        total = sum(x)
        if total <= 0:
            x = [0.0] * n
            for s in seeds:
                x[s] = share
            warm = False
        elif abs(total - 1.0) > 1e-15:
            x = [v / total for v in x]
        scale = [damping / s if s > 0 else 0.0 for s in self._out_sum]
        dangling = [i for i, s in enumerate(self._out_sum) if s <= 0]
        targets = [(t, self._in_list(t)) for t in range(n) if self._in[t]]
        groups = self._capped_groups()
        residual = float("inf")
        steps = 0
        while steps < cfg.max_iterations:
            steps += 1
            y = list(map(mul, x, scale))
            new = [0.0] * n
            for t, (sources, weights) in targets:
                new[t] = sum(map(mul, map(y.__getitem__, sources), weights))
            back = 1.0 - damping + damping * sum(map(x.__getitem__, dangling))
            back += self._apply_caps(new, groups)
            for s in seeds:
                new[s] += back * share
            residual = sum(map(abs, map(sub, new, x)))
            x = new
            if residual < cfg.tolerance:
                break
        self._vector = x
        return TrustRun(steps, residual, warm)

    def _in_list(self, t: int) -> tuple[list[int], list[float]]:
        cached = self._in_lists[t]
        if cached is None:
            edges = self._in[t]
            cached = (list(edges), list(edges.values()))
            self._in_lists[t] = cached
        return cached

    def _capped_groups(self) -> list[tuple[list[int], float]]:
        members: dict[str, list[int]] = {}
        for i, node in enumerate(self._node):
            members.setdefault(node, []).append(i)
        seed_nodes = self._seed_nodes()
        groups = []
        for node, actors in members.items():
            cap = self.node_cap(node, seed_nodes)
            if cap is not None:
                groups.append((actors, cap))
        return groups

    @staticmethod
    def _apply_caps(vector: list[float], groups: list[tuple[list[int], float]]) -> float:
        """Scale down nodes over their cap; return the excess, which goes back to the seeds."""
        excess = 0.0
        get = vector.__getitem__
        for actors, cap in groups:
            held = sum(map(get, actors))
            if held > cap:
                factor = cap / held
                for i in actors:
                    vector[i] *= factor
                excess += held - cap
        return excess
