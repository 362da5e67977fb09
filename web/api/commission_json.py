"""JSON shapes of commission requests, bids, contracts and ledgers in the API.

Money keeps the contract's wire shape `{"amount": MINOR_UNITS, "currency": CODE}`; instants are
ISO 8601 UTC; parties are `{"id": ACTOR_IRI, "name": ...}`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from commonsnode.model.bids import Bid, terms_to_json
from commonsnode.model.contracts import (
    Contract,
    Verifier,
    completion_credit,
    document,
    payment_schedule,
    signature_report,
)
from commonsnode.model.dates import iso_instant
from commonsnode.model.evaluation import RankedBid
from commonsnode.model.ledger import Entry
from commonsnode.model.requests import Request, allowed_actions
from commonsnode.usecases.payments import LedgerView
from commonsnode.usecases.requests import RequestView


def _instant(moment: float | None) -> str | None:
    return None if moment is None else iso_instant(moment)


def request_json(request: Request, requester_name: str | None, *, base: str) -> dict[str, Any]:
    """The public part of a request (the board shows it without the requester's name)."""
    terms = request.terms
    requester = {"id": request.requester}
    if requester_name is not None:
        requester["name"] = requester_name
    return {
        "id": request.id,
        "url": f"{base}/api/v1/requests/{request.id}",
        "requester": requester,
        "kind": terms.kind,
        "title": terms.title,
        "description": terms.description,
        "requirements": list(terms.requirements),
        "listing": terms.listing,
        "budget": {"min": terms.budget.min.to_json(), "max": terms.budget.max.to_json()},
        "deadline": iso_instant(terms.deadline),
        "criteria": terms.criteria.to_json(),
        "visibility": "directed" if request.is_directed else "public",
        "recipients": list(terms.recipients),
        "state": request.state,
        "created": iso_instant(request.created_at),
        "published": _instant(request.published_at),
        "closed": _instant(request.closed_at),
        "awarded": _instant(request.awarded_at),
        "awarded_bid": request.awarded_bid,
        "cancelled": _instant(request.cancelled_at),
        "cancel_reason": request.cancel_reason,
    }


def bid_json(bid: Bid, name: str | None = None) -> dict[str, Any]:
    return {
        "id": bid.id,
        "request": bid.request_id,
        "bidder": {"id": bid.bidder, "name": name or bid.bidder},
        "submitted": iso_instant(bid.submitted_at),
        "status": bid.status,
        **terms_to_json(bid.terms),
    }


def ranked_json(ranked: RankedBid, names: Mapping[str, str]) -> dict[str, Any]:
    return {
        "rank": ranked.rank,
        "total": round(ranked.total, 6),
        "score": [
            {
                "criterion": p.criterion,
                "weight": p.weight,
                "share": round(p.share, 6),
                "score": round(p.score, 6),
                "points": round(p.points, 6),
                "explanation": p.explanation,
            }
            for p in ranked.parts
        ],
        "explanation": ranked.explanation,
        **bid_json(ranked.bid, names.get(ranked.bid.bidder)),
    }


def request_view_json(view: RequestView, *, base: str) -> dict[str, Any]:
    """The requester sees bids ranked and explained; a bidder its own bids; others neither."""
    body = request_json(view.request, view.requester_name, base=base)
    if view.ranking is not None:
        body["actions"] = list(allowed_actions(view.request))
        body["bids"] = [ranked_json(r, view.bidder_names) for r in view.ranking.bids]
        body["ranking_complete"] = view.ranking.complete
        body["missing_marks"] = list(view.ranking.missing_marks)
    if view.own_bids:
        body["my_bids"] = [bid_json(b) for b in view.own_bids]
    if view.contract_id is not None:
        body["contract"] = f"{base}/api/v1/contracts/{view.contract_id}"
    return body


def contract_json(
    local_id: str, contract: Contract, request_id: str, verify: Verifier, *, base: str
) -> dict[str, Any]:
    """The contract with each party's signature and whether it verifies now."""
    terms = contract.terms
    report = signature_report(contract, verify)
    signatures = []
    for role, party in (("buyer", terms.buyer), ("supplier", terms.supplier)):
        signature = contract.signature_of(party.id)
        signatures.append(
            {
                "party": party.to_json(),
                "role": role,
                "signed": signature is not None,
                "valid": report[party.id],
                "recorded": None if signature is None else iso_instant(signature.recorded_at),
                "proof": None if signature is None else dict(signature.proof),
            }
        )
    milestones = [
        {
            "index": index,
            "title": m.title,
            "due": m.due.isoformat(),
            "amount": m.amount.to_json(),
            "state": state,
            "accepted": _instant(contract.accepted_at[index - 1] if contract.accepted_at else None),
        }
        for index, (m, state) in enumerate(
            zip(terms.milestones, contract.milestone_states, strict=True), start=1
        )
    ]
    body: dict[str, Any] = {
        "id": local_id,
        "iri": terms.id,
        "url": f"{base}/api/v1/contracts/{local_id}",
        "request": f"{base}/api/v1/requests/{request_id}",
        "state": contract.state,
        "in_force": all(report.values()),
        "buyer": terms.buyer.to_json(),
        "supplier": terms.supplier.to_json(),
        "price": terms.price.to_json(),
        "milestones": milestones,
        "payment_schedule": payment_schedule(terms),
        "fee_basis_points": terms.fee_basis_points,
        "signatures": signatures,
        "dispute_reason": contract.dispute_reason,
        "disputed_by": contract.disputed_by,
        "termination_reason": contract.termination_reason,
        "document": document(terms),
    }
    if contract.state == "completed":
        credit = completion_credit(contract)
        body["credit"] = {
            "listing": credit.listing,
            "commissioned_by": credit.commissioned_by.to_json(),
            "built_by": credit.built_by.to_json(),
            "text": credit.text,
        }
    return body


def entry_json(entry: Entry) -> dict[str, Any]:
    payment = entry.payment
    return {
        "reference": payment.reference,
        "milestone": payment.milestone,
        "date": payment.date.isoformat(),
        "payer": payment.payer,
        "payee": payment.payee,
        "amount": payment.amount.to_json(),
        "postings": [
            {"account": p.account, "amount": p.amount.to_json(), "kind": p.kind}
            for p in entry.postings
        ],
    }


def ledger_json(view: LedgerView, local_id: str) -> dict[str, Any]:
    return {
        "contract": local_id,
        "entries": [entry_json(e) for e in view.ledger.entries],
        "balances": [
            {"account": account, "amount": money.to_json()}
            for (account, _), money in view.balances.items()
        ],
        "balanced": view.balanced,
    }
