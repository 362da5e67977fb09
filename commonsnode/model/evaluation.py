"""Evaluation: score bids by the request's weighted criteria and explain every score.

Each criterion gives a bid a score from 0 to 1:
- price: lowest price among the bids / this bid's price (the cheapest bid scores 1);
- timeline: shortest timeline among the bids / this bid's timeline;
- reputation: the bidder's reputation (0–1) from the ratings issue; 0.5 (neutral) while unknown;
- approach: the requester's mark for this bid's approach, 0–10, divided by 10; an approach the
  requester has not marked yet scores 0 and makes the ranking incomplete.
The total is the weighted mean: Σ weight × score / Σ weight. Ranks go by total, then lower price,
then earlier submission, then bid id, so the order is the same on every run. Arithmetic is done
in fractions (no float drift decides a tie); floats appear only in the result for display.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from commonsnode.errors import InvalidError
from commonsnode.model.bids import Bid
from commonsnode.model.requests import CRITERIA, Criterion, Request

NEUTRAL_REPUTATION = Fraction(1, 2)
MAX_APPROACH_MARK = 10


@dataclass(frozen=True, slots=True)
class CriterionScore:
    """One criterion's part of a bid's total, with the reason in words."""

    criterion: Criterion
    weight: float
    share: float
    score: float
    points: float
    explanation: str


@dataclass(frozen=True, slots=True)
class RankedBid:
    """A bid's place in the ranking, its total (0–1) and the parts that make it up."""

    rank: int
    bid: Bid
    total: float
    parts: tuple[CriterionScore, ...]

    @property
    def explanation(self) -> str:
        lines = [f"#{self.rank} {self.bid.bidder}: total {self.total:.3f}"]
        lines += [
            f"  {p.criterion} (weight {p.weight:g}, {p.share:.0%}): {p.score:.3f} × "
            f"{p.share:.2f} = {p.points:.3f}; {p.explanation}"
            for p in self.parts
        ]
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class Ranking:
    """All bids, best first; `complete` is False while some approach is unmarked."""

    bids: tuple[RankedBid, ...]
    complete: bool
    missing_marks: tuple[str, ...] = ()


def check_mark(mark: object) -> int:
    """The requester's mark for an approach: a whole number from 0 to 10."""
    if type(mark) is not int or not 0 <= mark <= MAX_APPROACH_MARK:
        raise InvalidError(f"mark: a whole number from 0 to {MAX_APPROACH_MARK}", field="mark")
    return mark


def _reputation(value: float | None) -> tuple[Fraction, str]:
    if value is None:
        return NEUTRAL_REPUTATION, "no reputation known yet: neutral 0.5"
    if not 0 <= value <= 1:
        raise InvalidError("reputation: a score from 0 to 1", field="reputation")
    return Fraction(value), f"reputation {value:.3f} from ratings of past work"


def rank_bids(
    request: Request,
    bids: Sequence[Bid],
    *,
    reputation: Mapping[str, float] | None = None,
    approach_marks: Mapping[str, int] | None = None,
) -> Ranking:
    """Rank the request's bids; `reputation` by bidder IRI, `approach_marks` by bid id."""
    reputation = reputation or {}
    marks = {bid_id: check_mark(mark) for bid_id, mark in (approach_marks or {}).items()}
    ours = [b for b in bids if b.request_id == request.id]
    if not ours:
        return Ranking(bids=(), complete=True)
    currency = request.terms.budget.currency
    if any(b.terms.price.currency != currency for b in ours):
        raise InvalidError(f"every bid must be in {currency} to be compared", field="price")
    lowest = min(b.terms.price.amount for b in ours)
    shortest = min(b.terms.timeline_days for b in ours)
    lowest_text = str(min((b.terms.price for b in ours), key=lambda m: m.amount))
    criteria = request.terms.criteria
    weight_sum = Fraction(criteria.total)
    scored: list[tuple[Fraction, Bid, tuple[CriterionScore, ...]]] = []
    for bid in ours:
        raw: dict[Criterion, tuple[Fraction, str]] = {}
        price = bid.terms.price
        raw["price"] = (
            Fraction(lowest, price.amount),
            f"price {price}; lowest bid {lowest_text}"
            + ("" if price <= request.terms.budget.max else "; above the budget's maximum"),
        )
        days = bid.terms.timeline_days
        raw["timeline"] = (Fraction(shortest, days), f"{days} days; shortest bid {shortest} days")
        raw["reputation"] = _reputation(reputation.get(bid.bidder))
        mark = marks.get(bid.id)
        raw["approach"] = (
            (Fraction(0), "approach not marked by the requester yet: counts as 0")
            if mark is None
            else (
                Fraction(mark, MAX_APPROACH_MARK),
                f"approach marked {mark}/{MAX_APPROACH_MARK} by the requester",
            )
        )
        parts = []
        bid_total = Fraction(0)
        for criterion in CRITERIA:
            score, why = raw[criterion]
            share = Fraction(criteria.weight(criterion)) / weight_sum
            points = share * score
            bid_total += points
            parts.append(
                CriterionScore(
                    criterion=criterion,
                    weight=criteria.weight(criterion),
                    share=float(share),
                    score=float(score),
                    points=float(points),
                    explanation=why,
                )
            )
        scored.append((bid_total, bid, tuple(parts)))
    scored.sort(key=lambda s: (-s[0], s[1].terms.price.amount, s[1].submitted_at, s[1].id))
    missing = tuple(b.id for b in ours if b.id not in marks) if criteria.approach else ()
    return Ranking(
        bids=tuple(
            RankedBid(rank=i + 1, bid=bid, total=float(value), parts=parts)
            for i, (value, bid, parts) in enumerate(scored)
        ),
        complete=not missing,
        missing_marks=missing,
    )
