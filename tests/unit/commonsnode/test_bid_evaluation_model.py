"""Evaluation: weighted scores per criterion, a stable ranking, and every score explained."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from commonsnode.errors import InvalidError
from commonsnode.model.bids import Bid, BidTerms, Milestone
from commonsnode.model.evaluation import rank_bids
from commonsnode.model.money import Money
from commonsnode.model.requests import Request, new_request, parse_request_terms

CITY = "https://city.example/orgs/city"
NOW = 1_800_000_000.0


def request(criteria: dict[str, float]) -> Request:
    terms = parse_request_terms(
        {
            "kind": "new-tool",
            "title": "Open data portal",
            "description": "Publish the city's data.",
            "budget": {
                "min": {"amount": 0, "currency": "EUR"},
                "max": {"amount": 100_000_00, "currency": "EUR"},
            },
            "deadline": "2027-06-01",
            "criteria": criteria,
        }
    )
    return replace(new_request("req", CITY, terms, NOW), state="evaluating")


def bid(bid_id: str, bidder: str, price: int, days: int, at: float = NOW) -> Bid:
    money = Money(price, "EUR")
    terms = BidTerms(
        price=money,
        timeline_days=days,
        approach="…",
        milestones=(Milestone("All", date(2027, 9, 1), money),),
    )
    return Bid(id=bid_id, request_id="req", bidder=bidder, terms=terms, submitted_at=at)


CHEAP = bid("b-cheap", "https://a.example/orgs/a", 40_000_00, 120)
FAST = bid("b-fast", "https://b.example/orgs/b", 80_000_00, 60)


def test_price_and_timeline_score_against_the_best_bid() -> None:
    ranking = rank_bids(request({"price": 1, "timeline": 1}), [CHEAP, FAST])
    scores = {r.bid.id: {p.criterion: p.score for p in r.parts} for r in ranking.bids}
    assert scores["b-cheap"]["price"] == 1.0
    assert scores["b-fast"]["price"] == 0.5
    assert scores["b-cheap"]["timeline"] == 0.5
    assert scores["b-fast"]["timeline"] == 1.0


def test_weights_decide_the_ranking() -> None:
    by_price = rank_bids(request({"price": 3, "timeline": 1}), [FAST, CHEAP])
    by_time = rank_bids(request({"price": 1, "timeline": 3}), [CHEAP, FAST])
    assert [r.bid.id for r in by_price.bids] == ["b-cheap", "b-fast"]
    assert [r.bid.id for r in by_time.bids] == ["b-fast", "b-cheap"]
    top = by_price.bids[0]
    assert top.total == pytest.approx(0.75 * 1 + 0.25 * 0.5)
    assert sum(p.points for p in top.parts) == pytest.approx(top.total)
    assert [r.rank for r in by_price.bids] == [1, 2]


def test_unknown_reputation_is_neutral_and_known_reputation_counts() -> None:
    ranking = rank_bids(request({"reputation": 1}), [CHEAP, FAST], reputation={FAST.bidder: 0.9})
    parts = {r.bid.id: r.parts[2] for r in ranking.bids}
    assert parts["b-cheap"].criterion == "reputation"
    assert parts["b-cheap"].score == 0.5
    assert "neutral 0.5" in parts["b-cheap"].explanation
    assert parts["b-fast"].score == 0.9
    assert ranking.bids[0].bid.id == "b-fast"


def test_reputation_out_of_range_is_refused() -> None:
    with pytest.raises(InvalidError):
        rank_bids(request({"reputation": 1}), [CHEAP], reputation={CHEAP.bidder: 4.5})


def test_approach_is_marked_by_the_requester_and_unmarked_bids_make_it_incomplete() -> None:
    criteria = {"price": 1, "approach": 1}
    partial = rank_bids(request(criteria), [CHEAP, FAST], approach_marks={"b-fast": 10})
    assert not partial.complete
    assert partial.missing_marks == ("b-cheap",)
    cheap = next(r for r in partial.bids if r.bid.id == "b-cheap")
    assert "not marked" in cheap.parts[3].explanation
    full = rank_bids(request(criteria), [CHEAP, FAST], approach_marks={"b-fast": 10, "b-cheap": 2})
    assert full.complete
    assert [r.bid.id for r in full.bids] == ["b-fast", "b-cheap"]  # 0.75 against 0.6


@pytest.mark.parametrize("mark", [-1, 11, 5.5, "7"])
def test_marks_are_whole_numbers_from_0_to_10(mark: object) -> None:
    with pytest.raises(InvalidError):
        rank_bids(request({"approach": 1}), [CHEAP], approach_marks={"b-cheap": mark})  # type: ignore[dict-item]


def test_ties_go_to_the_lower_price_then_the_earlier_bid() -> None:
    same = bid("b-same", "https://c.example/orgs/c", 40_000_00, 120, at=NOW - 5)
    ranking = rank_bids(request({"timeline": 1}), [FAST, CHEAP, same])
    assert [r.bid.id for r in ranking.bids] == ["b-fast", "b-same", "b-cheap"]
    again = rank_bids(request({"timeline": 1}), [same, CHEAP, FAST])
    assert [r.bid.id for r in again.bids] == [r.bid.id for r in ranking.bids]


def test_each_score_is_explained_in_words() -> None:
    ranking = rank_bids(
        request({"price": 40, "timeline": 20, "reputation": 10, "approach": 30}),
        [CHEAP, FAST],
        approach_marks={"b-cheap": 6, "b-fast": 8},
    )
    text = ranking.bids[0].explanation
    assert text.startswith("#1 https://a.example/orgs/a: total ")
    assert "price (weight 40, 40%): 1.000 × 0.40 = 0.400; price 40,000.00 EUR" in text
    assert "timeline (weight 20, 20%): 0.500" in text
    assert "60 days" in ranking.bids[1].explanation
    assert "approach marked 6/10 by the requester" in text


def test_a_bid_above_the_budget_is_ranked_but_flagged() -> None:
    dear = bid("b-dear", "https://d.example/orgs/d", 150_000_00, 30)
    ranking = rank_bids(request({"price": 1}), [CHEAP, dear])
    assert "above the budget's maximum" in ranking.bids[1].parts[0].explanation


def test_no_bids_rank_as_empty() -> None:
    assert rank_bids(request({"price": 1}), []).bids == ()
