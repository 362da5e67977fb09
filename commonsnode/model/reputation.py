"""Reputation of tools and organisations, from inputs weighted by the trust of whoever gave them.

Inputs are ratings (of a tool, or of an organisation), helpful marks (Likes) on experience
reports, and finished contracts. Each counts with its giver's trust weight (commonsnode.model.
trust: personalised PageRank from the operator's seeds over the follow and rating graph), so
accounts nobody trusted count for nothing. A Bayesian prior (a neutral 3 with the weight of two
trusted organisations) keeps a subject with few or lightly trusted inputs near neutral.

    score = (prior_weight × prior_mean + Σ weight_i × value_i) / (prior_weight + Σ weight_i)

so every score is explained exactly by its inputs: contribution_i = weight_i × value_i divided by
the denominator, and the contributions (the prior's included) add up to the score.

The engine keeps its state between recomputations: after a few changed ratings or follows it
restarts the trust iteration from the previous vector and updates only the sums of subjects whose
inputs, or whose givers' weights, changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from commonsnode.errors import InvalidError
from commonsnode.model.trust import TrustConfig, TrustGraph, TrustRun

SubjectKind = Literal["tool", "developer", "government", "civil-society", "support-company"]
SUBJECT_KINDS: tuple[str, ...] = get_args(SubjectKind)
InputKind = Literal["prior", "rating", "tool-rating", "helpful", "contract"]


def _check_iri(value: object, name: str) -> None:
    if (
        not isinstance(value, str)
        or not value.startswith(("https://", "http://"))
        or len(value) > 2048
    ):
        raise InvalidError(f"{name}: an http(s) IRI is required", field=name)


def _check_stars(value: object, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise InvalidError(f"{name}: a whole number of stars from 1 to 5", field=name)


@dataclass(frozen=True, slots=True)
class Subject:
    """Something with a reputation: a tool (with its maintainers) or an organisation."""

    iri: str
    kind: SubjectKind
    maintainers: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_iri(self.iri, "subject")
        if self.kind not in SUBJECT_KINDS:
            raise InvalidError(
                f"kind {self.kind!r}: must be one of {', '.join(SUBJECT_KINDS)}", field="kind"
            )
        for iri in self.maintainers:
            _check_iri(iri, "maintainers")


@dataclass(frozen=True, slots=True)
class FollowEdge:
    """`follower` follows `followed`: the strongest everyday statement of trust."""

    follower: str
    followed: str

    def __post_init__(self) -> None:
        _check_iri(self.follower, "follower")
        _check_iri(self.followed, "followed")


@dataclass(frozen=True, slots=True)
class RatingInput:
    """An organisation's overall rating of a subject (one per rater and subject)."""

    rater: str
    subject: str
    stars: int

    def __post_init__(self) -> None:
        _check_iri(self.rater, "rater")
        _check_iri(self.subject, "subject")
        _check_stars(self.stars, "stars")


@dataclass(frozen=True, slots=True)
class HelpfulMark:
    """`liker` marked `author`'s experience report `report` as helpful (a Like)."""

    liker: str
    report: str
    author: str

    def __post_init__(self) -> None:
        for name in ("liker", "report", "author"):
            _check_iri(getattr(self, name), name)


@dataclass(frozen=True, slots=True)
class FinishedContract:
    """A finished contract and how each party rated the other (None: not rated)."""

    contract: str
    client: str
    supplier: str
    client_stars: int | None = None  # the client's rating of the supplier
    supplier_stars: int | None = None  # the supplier's rating of the client

    def __post_init__(self) -> None:
        for name in ("contract", "client", "supplier"):
            _check_iri(getattr(self, name), name)
        for name in ("client_stars", "supplier_stars"):
            if getattr(self, name) is not None:
                _check_stars(getattr(self, name), name)


@dataclass(frozen=True, slots=True)
class ReputationConfig:
    """Weights of the computation; each is listed on the explanation page with its value."""

    trust: TrustConfig = field(default_factory=TrustConfig)
    prior_mean: float = 3.0
    prior_weight: float = 2.0  # in seed equivalents: two trusted organisations' ratings
    helpful_value: float = 5.0  # a helpful mark counts as a 5-star vote for the report's author
    helpful_factor: float = 0.5  # ... at half the liker's weight
    follow_edge: float = 1.0  # trust-edge strengths
    helpful_edge: float = 0.5
    rating_edge: float = 1.0  # times (stars - 3) / 2 for 4 and 5 stars
    weight_epsilon: float = 1e-9  # smaller weight changes are not re-aggregated


@dataclass(frozen=True, slots=True)
class ReputationInputs:
    """Everything a full computation reads."""

    subjects: tuple[Subject, ...] = ()
    follows: tuple[FollowEdge, ...] = ()
    ratings: tuple[RatingInput, ...] = ()
    helpful: tuple[HelpfulMark, ...] = ()
    contracts: tuple[FinishedContract, ...] = ()
    seeds: tuple[str, ...] = ()
    node_first_seen: Mapping[str, float] = field(default_factory=dict)
    now: float = 0.0


@dataclass(frozen=True, slots=True)
class ScoreInput:
    """One line of a score's explanation."""

    kind: InputKind
    source: str  # who gave it ("" for the prior)
    via: str  # what it was about: the rated subject, the report, the contract
    value: float  # stars (1-5), or the prior mean
    weight: float  # the giver's weight × the kind's factor
    contribution: float  # weight × value / (prior weight + Σ weights)
    note: str = ""


@dataclass(frozen=True, slots=True)
class Score:
    """A subject's reputation (1-5, 3 neutral) and exactly what makes it."""

    subject: str
    kind: SubjectKind | None
    score: float
    weight: float  # Σ input weights, prior excluded: how much evidence there is
    trust: float  # the subject's own weight as a giver (0 for tools)
    inputs: tuple[ScoreInput, ...]

    def document(self) -> dict[str, Any]:
        """The JSON shape of GET /api/v1/reputation: actor, score, inputs."""
        return {
            "actor": self.subject,
            "kind": self.kind,
            "score": round(self.score, 6),
            "weight": round(self.weight, 6),
            "trust": round(self.trust, 6),
            "inputs": [
                {
                    "kind": i.kind,
                    "source": i.source or None,
                    "via": i.via or None,
                    "value": i.value,
                    "weight": round(i.weight, 9),
                    "contribution": round(i.contribution, 9),
                    **({"note": i.note} if i.note else {}),
                }
                for i in self.inputs
            ],
        }


@dataclass(frozen=True, slots=True)
class RecomputeStats:
    """What a recomputation did, for logs and the benchmark."""

    trust: TrustRun
    changed_givers: int
    reaggregated: int


@dataclass(slots=True)  # not frozen: building 200,000 of them is a third faster
class _Record:
    target: str
    kind: InputKind
    source: str
    via: str
    value: float
    factor: float
    note: str


class ReputationEngine:
    """Reputation state: the inputs, the trust graph and per-subject sums, kept up to date.

    Change it with the set_/remove_/add_ methods, then call `recompute()`. A fresh engine fed
    everything and recomputed once is the full computation; the same engine changed and
    recomputed again is the incremental one, and gives the same scores within `weight_epsilon`.
    """

    def __init__(
        self,
        config: ReputationConfig | None = None,
        *,
        seeds: Iterable[str] = (),
        node_first_seen: Mapping[str, float] | None = None,
        now: float = 0.0,
    ) -> None:
        self.config = config or ReputationConfig()
        self.graph = TrustGraph(
            self.config.trust, seeds=seeds, node_first_seen=node_first_seen, now=now
        )
        self.subjects: dict[str, Subject] = {}
        self._ratings: dict[tuple[str, str], int] = {}
        self._raters_of: dict[str, set[str]] = {}
        self._follows: set[tuple[str, str]] = set()
        self._helpful: set[HelpfulMark] = set()
        self._contracts: dict[str, FinishedContract] = {}
        self._records: dict[tuple[str, ...], _Record] = {}
        # Per giver and target: [Σ factor, Σ factor × value, number of records], so that a
        # giver's new weight updates each target's sums in one step.
        self._given: dict[str, dict[str, list[float]]] = {}
        self._by_target: dict[str, set[tuple[str, ...]]] = {}
        self._applied: dict[str, float] = {}
        self._sum_w: dict[str, float] = {}
        self._sum_wv: dict[str, float] = {}
        self._dirty: set[str] = set()

    @classmethod
    def build(
        cls, inputs: ReputationInputs, config: ReputationConfig | None = None
    ) -> tuple[ReputationEngine, RecomputeStats]:
        """The full computation: an engine holding `inputs`, computed from a cold start."""
        engine = cls(
            config, seeds=inputs.seeds, node_first_seen=inputs.node_first_seen, now=inputs.now
        )
        for subject in inputs.subjects:
            engine.set_subject(subject)
        for follow in inputs.follows:
            engine.add_follow(follow)
        for rating in inputs.ratings:
            engine.set_rating(rating)
        for mark in inputs.helpful:
            engine.add_helpful(mark)
        for contract in inputs.contracts:
            engine.set_contract(contract)
        return engine, engine.recompute(warm=False)

    # -- changes --------------------------------------------------------------------------

    def set_seeds(self, seeds: Iterable[str]) -> None:
        """Change the operator's trusted organisations (takes effect at `recompute()`)."""
        self.graph.set_seeds(seeds)

    def set_now(self, now: float) -> None:
        """Move the clock the per-node caps are reckoned from (they grow with a node's age)."""
        self.graph.now = now

    def node_seen(self, node: str, first_seen: float) -> None:
        """Record when this node first heard of server `node` (host[:port])."""
        self.graph.node_seen(node, first_seen)

    def set_subject(self, subject: Subject) -> None:
        """Declare or change a subject; its ratings are re-read with the new maintainers."""
        raters = list(self._raters_of.get(subject.iri, ()))
        for rater in raters:
            self._rating_effects(rater, subject.iri, self._ratings[rater, subject.iri], -1)
        self.subjects[subject.iri] = subject
        if subject.kind != "tool":
            self.graph.actor(subject.iri)
        for rater in raters:
            self._rating_effects(rater, subject.iri, self._ratings[rater, subject.iri], 1)
        self._dirty.add(subject.iri)

    def set_rating(self, rating: RatingInput) -> None:
        """Add a rating, or replace the rater's earlier rating of the same subject."""
        self.remove_rating(rating.rater, rating.subject)
        self._ratings[rating.rater, rating.subject] = rating.stars
        self._raters_of.setdefault(rating.subject, set()).add(rating.rater)
        self.graph.actor(rating.rater)
        self._rating_effects(rating.rater, rating.subject, rating.stars, 1)

    def remove_rating(self, rater: str, subject: str) -> None:
        stars = self._ratings.pop((rater, subject), None)
        if stars is None:
            return
        self._raters_of[subject].discard(rater)
        self._rating_effects(rater, subject, stars, -1)

    def add_follow(self, follow: FollowEdge) -> None:
        key = (follow.follower, follow.followed)
        if key not in self._follows:
            self._follows.add(key)
            self.graph.add_weight(*key, self.config.follow_edge)

    def remove_follow(self, follow: FollowEdge) -> None:
        key = (follow.follower, follow.followed)
        if key in self._follows:
            self._follows.discard(key)
            self.graph.add_weight(*key, -self.config.follow_edge)

    def add_helpful(self, mark: HelpfulMark) -> None:
        if mark not in self._helpful:
            self._helpful.add(mark)
            self._helpful_effects(mark, 1)

    def remove_helpful(self, mark: HelpfulMark) -> None:
        if mark in self._helpful:
            self._helpful.discard(mark)
            self._helpful_effects(mark, -1)

    def set_contract(self, contract: FinishedContract) -> None:
        self.remove_contract(contract.contract)
        self._contracts[contract.contract] = contract
        self._contract_effects(contract, 1)

    def remove_contract(self, contract_iri: str) -> None:
        contract = self._contracts.pop(contract_iri, None)
        if contract is not None:
            self._contract_effects(contract, -1)

    # -- effects of one input on records and trust edges ---------------------------------

    def _rating_effects(self, rater: str, subject_iri: str, stars: int, sign: int) -> None:
        subject = self.subjects.get(subject_iri)
        maintainers = subject.maintainers if subject is not None else ()
        own = rater == subject_iri or rater in maintainers
        note = "own rating, not counted" if own else ""
        factor = 0.0 if own else 1.0
        targets: list[tuple[str, InputKind]] = [(subject_iri, "rating")]
        targets += [(m, "tool-rating") for m in maintainers]
        for target, kind in targets:
            key = ("rating", rater, subject_iri, target)
            if sign > 0:
                self._add_record(
                    key, _Record(target, kind, rater, subject_iri, stars, factor, note)
                )
            else:
                self._remove_record(key)
        if own or stars < 4:
            return
        strength = sign * self.config.rating_edge * (stars - 3) / 2
        for maintainer in maintainers:
            self.graph.add_weight(rater, maintainer, strength / len(maintainers))
        if subject is not None and subject.kind != "tool":
            self.graph.add_weight(rater, subject_iri, strength)

    def _helpful_effects(self, mark: HelpfulMark, sign: int) -> None:
        key = ("helpful", mark.liker, mark.report, mark.author)
        own = mark.liker == mark.author
        if sign > 0:
            record = _Record(
                mark.author,
                "helpful",
                mark.liker,
                mark.report,
                self.config.helpful_value,
                0.0 if own else self.config.helpful_factor,
                "own report, not counted" if own else "",
            )
            self._add_record(key, record)
        else:
            self._remove_record(key)
        self.graph.add_weight(mark.liker, mark.author, sign * self.config.helpful_edge)

    def _contract_effects(self, contract: FinishedContract, sign: int) -> None:
        sides = (
            (contract.client, contract.supplier, contract.client_stars),
            (contract.supplier, contract.client, contract.supplier_stars),
        )
        for giver, receiver, stars in sides:
            if stars is None:
                continue
            key = ("contract", giver, contract.contract, receiver)
            if sign > 0:
                self._add_record(
                    key, _Record(receiver, "contract", giver, contract.contract, stars, 1.0, "")
                )
            else:
                self._remove_record(key)
            if stars >= 4:
                strength = sign * self.config.rating_edge * (stars - 3) / 2
                self.graph.add_weight(giver, receiver, strength)

    def _add_record(self, key: tuple[str, ...], record: _Record) -> None:
        source, target, factor = record.source, record.target, record.factor
        self._records[key] = record
        per_target = self._given.get(source)
        if per_target is None:
            per_target = self._given[source] = {}
        given = per_target.get(target)
        if given is None:
            given = per_target[target] = [0.0, 0.0, 0]
            if target not in self._sum_w:
                self._sum_w[target] = self._sum_wv[target] = 0.0
        given[0] += factor
        given[1] += factor * record.value
        given[2] += 1
        keys = self._by_target.get(target)
        if keys is None:
            keys = self._by_target[target] = set()
        keys.add(key)
        weight = self._applied.get(source, 0.0) * factor
        if weight:
            self._sum_w[target] += weight
            self._sum_wv[target] += weight * record.value
        self._dirty.add(target)

    def _remove_record(self, key: tuple[str, ...]) -> None:
        record = self._records.pop(key, None)
        if record is None:
            return
        targets = self._given[record.source]
        given = targets[record.target]
        given[2] -= 1
        if given[2]:
            given[0] -= record.factor
            given[1] -= record.factor * record.value
        else:
            del targets[record.target]
        self._by_target[record.target].discard(key)
        weight = self._applied.get(record.source, 0.0) * record.factor
        self._sum_w[record.target] -= weight
        self._sum_wv[record.target] -= weight * record.value
        self._dirty.add(record.target)

    # -- computing ------------------------------------------------------------------------

    def recompute(self, *, warm: bool = True) -> RecomputeStats:
        """Bring trust and every affected subject's sums up to date with the inputs."""
        run = self.graph.compute(warm=warm)
        reference = self.graph.reference
        epsilon = self.config.weight_epsilon
        trust = self.graph.trust
        applied = self._applied
        sum_w, sum_wv, dirty = self._sum_w, self._sum_wv, self._dirty
        changed = 0
        for source, targets in self._given.items():
            weight = min(1.0, trust(source) / reference)
            delta = weight - applied.get(source, 0.0)
            if -epsilon <= delta <= epsilon:
                continue
            applied[source] = weight
            changed += 1
            for target, (factors, weighted, _) in targets.items():
                if factors:
                    sum_w[target] += delta * factors
                    sum_wv[target] += delta * weighted
                    dirty.add(target)
        reaggregated = len(dirty)
        dirty.clear()
        return RecomputeStats(run, changed, reaggregated)

    # -- reading --------------------------------------------------------------------------

    def scores(self) -> dict[str, float]:
        """Every declared or rated subject's score, from the kept sums (no explanation)."""
        m, mean = self.config.prior_weight, self.config.prior_mean
        targets = set(self.subjects) | set(self._sum_w)
        return {
            t: (m * mean + self._sum_wv.get(t, 0.0)) / (m + self._sum_w.get(t, 0.0))
            for t in targets
        }

    def score(self, iri: str) -> Score:
        """One subject's score with every input, its weight and contribution (they sum to it)."""
        m, mean = self.config.prior_weight, self.config.prior_mean
        lines = []
        for key in self._by_target.get(iri, ()):
            record = self._records[key]
            weight = self._applied.get(record.source, 0.0) * record.factor
            lines.append((record, weight))
        total = sum(weight for _, weight in lines)
        denominator = m + total
        inputs = [ScoreInput("prior", "", "", mean, m, m * mean / denominator, "neutral prior")]
        inputs += [
            ScoreInput(r.kind, r.source, r.via, r.value, w, w * r.value / denominator, r.note)
            for r, w in sorted(lines, key=lambda line: (-line[1], line[0].source, line[0].via))
        ]
        subject = self.subjects.get(iri)
        is_tool = subject is not None and subject.kind == "tool"
        return Score(
            subject=iri,
            kind=None if subject is None else subject.kind,
            score=sum(i.contribution for i in inputs),
            weight=total,
            trust=0.0 if is_tool else self.graph.weight(iri),
            inputs=tuple(inputs),
        )

    def weight(self, iri: str) -> float:
        """How much `iri`'s word counts now, in seed equivalents (0 to 1)."""
        return self.graph.weight(iri)
