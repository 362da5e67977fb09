"""Open data: a request's whole story as an OCDS 1.1 release package (one compiled-style release).

Mapping (OCDS 1.1.5 with the bids and signatories extensions):
- the requester is the `buyer` (and procuring entity and payer), bidders are `tenderer`s, the
  awarded bidder is also `supplier` and `payee`; every party is identified by its actor IRI;
- request → `tender` (budget max → `value`, budget min → `minValue`, deadline → `tenderPeriod`,
  weights → `awardCriteria: ratedCriteria` with `awardCriteriaDetails`; directed requests are
  `selective`, public ones `open`);
- bids → `bids.statistics` always, `bids.details` only once the request is awarded or
  cancelled: while bidding and evaluation run, competitors' prices stay with the requester;
- award → `awards[0]` with `relatedBid`; contract → `contracts[0]` with its milestones and the
  `signatories` whose proofs were recorded; payments → `implementation.transactions`.
OCDS amounts are JSON numbers in major units, so minor units are divided by 10^exponent here,
at the edge: an integer when the amount is whole, otherwise the decimal as a float, which is
exact in JSON for the at most 15 significant digits `Money` allows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, time
from typing import Any

import rfc8785

from commonsnode.errors import ConflictError
from commonsnode.model.bids import Bid
from commonsnode.model.contracts import Contract, Signature
from commonsnode.model.dates import iso_day_start, iso_instant
from commonsnode.model.ledger import Payment
from commonsnode.model.money import Money
from commonsnode.model.requests import CRITERIA, Request

OCDS_VERSION = "1.1"
BID_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/"
    "v1.1.5/extension.json"
)
SIGNATORIES_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_signatories_extension/"
    "master/extension.json"
)
TENDER_STATUS = {
    "open": "active",
    "evaluating": "active",
    "awarded": "complete",
    "cancelled": "cancelled",
}
CONTRACT_STATUS = {
    "awaiting-signatures": "pending",
    "signed": "active",
    "in-progress": "active",
    "disputed": "active",
    "completed": "terminated",
    # OCDS "terminated" covers a contract that came to a close early as well as completion.
    "terminated": "terminated",
}
KIND_TEXT = {
    "new-tool": "Development of a new open-source tool",
    "change": "Change to a listed open-source tool",
    "support": "Support or hosting for a listed open-source tool",
}


def value(money: Money) -> dict[str, Any]:
    """An OCDS `Value`: amount in major units (see the module docstring), currency code."""
    major = money.decimal
    amount: int | float = int(major) if major == major.to_integral_value() else float(major)
    return {"amount": amount, "currency": money.currency}


def ocid(prefix: str, request: Request) -> str:
    """The contracting process id: the publisher's registered prefix, then the request id."""
    return f"{prefix}-{request.id}"


class _Parties:
    """Collects each organisation once, with every role it plays."""

    def __init__(self, names: Mapping[str, str]) -> None:
        self._names = names
        self._roles: dict[str, list[str]] = {}

    def ref(self, actor: str, *roles: str) -> dict[str, str]:
        held = self._roles.setdefault(actor, [])
        held.extend(r for r in roles if r not in held)
        return {"id": actor, "name": self._names.get(actor, actor)}

    def to_json(self) -> list[dict[str, Any]]:
        return [
            {"id": actor, "name": self._names.get(actor, actor), "roles": roles}
            for actor, roles in self._roles.items()
        ]


def _weights_text(request: Request) -> str:
    criteria = request.terms.criteria
    parts = [
        f"{c} {criteria.weight(c) / criteria.total:.0%}" for c in CRITERIA if criteria.weight(c)
    ]
    return (
        "Weighted criteria: "
        + ", ".join(parts)
        + ". Price and timeline score relative to the best bid; reputation from ratings "
        "(neutral when unknown); approach marked by the buyer."
    )


def release_package(
    request: Request,
    bids: Sequence[Bid],
    *,
    contract: Contract | None = None,
    payments: Sequence[Payment] = (),
    names: Mapping[str, str] | None = None,
    ocid_prefix: str,
    package_uri: str,
    publisher_name: str,
    publisher_uri: str | None = None,
    license_uri: str | None = None,
) -> dict[str, Any]:
    """The request's OCDS 1.1 release package; a draft request is not published, so refused."""
    if request.state == "draft":
        raise ConflictError("a draft request is not published")
    names = names or {}
    parties = _Parties(names)
    ours = sorted((b for b in bids if b.request_id == request.id), key=lambda b: b.submitted_at)
    buyer = parties.ref(request.requester, "buyer", "procuringEntity")
    changed = [request.updated_at, *(b.submitted_at for b in ours)]
    tags = ["tender"]

    tender: dict[str, Any] = {
        "id": request.id,
        "title": request.terms.title,
        "description": request.terms.description,
        "status": TENDER_STATUS[request.state],
        "procuringEntity": buyer,
        "items": [{"id": "1", "description": KIND_TEXT[request.terms.kind]}],
        "value": value(request.terms.budget.max),
        "minValue": value(request.terms.budget.min),
        "procurementMethod": "selective" if request.is_directed else "open",
        "procurementMethodDetails": (
            "Directed request to invited organisations"
            if request.is_directed
            else "Public request on the commons"
        ),
        "mainProcurementCategory": "services",
        "awardCriteria": "ratedCriteria",
        "awardCriteriaDetails": _weights_text(request),
        "submissionMethod": ["electronicSubmission"],
        "tenderPeriod": {
            "startDate": iso_instant(request.published_at or request.created_at),
            "endDate": iso_instant(request.terms.deadline),
        },
        "numberOfTenderers": len({b.bidder for b in ours}),
    }
    if request.terms.requirements:
        tender["eligibilityCriteria"] = "\n".join(request.terms.requirements)
    if request.state == "cancelled":
        tags.append("tenderCancellation")

    disclosed = request.state in ("awarded", "cancelled")
    bids_section: dict[str, Any] = {
        "statistics": [
            {"id": "1", "measure": "bids", "value": len(ours)},
        ]
    }
    if disclosed:
        tender["tenderers"] = [parties.ref(b.bidder, "tenderer") for b in ours]
        bids_section["details"] = [
            {
                "id": b.id,
                "date": iso_instant(b.submitted_at),
                "status": "valid",
                "tenderers": [parties.ref(b.bidder, "tenderer")],
                "value": value(b.terms.price),
            }
            for b in ours
        ]

    release: dict[str, Any] = {
        "ocid": ocid(ocid_prefix, request),
        "id": "",
        "date": "",
        "tag": tags,
        "initiationType": "tender",
        "language": "en",
        "parties": [],
        "buyer": buyer,
        "tender": tender,
        "bids": bids_section,
    }

    winner = next((b for b in ours if b.id == request.awarded_bid), None)
    if request.state == "awarded" and winner is not None:
        tags.append("award")
        award_id = f"{request.id}-award"
        changed.append(request.awarded_at or request.updated_at)
        release["awards"] = [
            {
                "id": award_id,
                "title": request.terms.title,
                "status": "active",
                "date": iso_instant(request.awarded_at or request.updated_at),
                "value": value(winner.terms.price),
                "suppliers": [parties.ref(winner.bidder, "tenderer", "supplier")],
                "relatedBid": winner.id,
            }
        ]
        if contract is not None:
            tags.append("contract")
            changed.append(contract.updated_at)
            release["contracts"] = [_contract(contract, award_id, parties, payments, tags, changed)]

    release["parties"] = parties.to_json()
    latest = max(changed)
    release["date"] = iso_instant(latest)
    # A release id changes whenever the release's content does, and is the same on every run.
    digest = hashlib.sha256(rfc8785.dumps({**release, "id": ""})).hexdigest()[:16]
    release["id"] = f"{request.id}-{digest}"
    package: dict[str, Any] = {
        "uri": package_uri,
        "version": OCDS_VERSION,
        "extensions": [BID_EXTENSION, SIGNATORIES_EXTENSION],
        "publishedDate": iso_instant(latest),
        "publisher": {"name": publisher_name},
        "releases": [release],
    }
    if publisher_uri:
        package["publisher"]["uri"] = publisher_uri
    if license_uri:
        package["license"] = license_uri
    return package


def _signed_at(signature: Signature) -> float:
    """When the party signed: the proof's own `created` (the same on every node), else when
    this node recorded it."""
    created = signature.proof.get("created")
    if isinstance(created, str):
        try:
            return datetime.fromisoformat(created.replace("Z", "+00:00")).timestamp()
        except ValueError:
            pass
    return signature.recorded_at


def _contract(
    contract: Contract,
    award_id: str,
    parties: _Parties,
    payments: Sequence[Payment],
    tags: list[str],
    changed: list[float],
) -> dict[str, Any]:
    terms = contract.terms
    milestones = []
    for index, (milestone, state) in enumerate(
        zip(terms.milestones, contract.milestone_states, strict=True), start=1
    ):
        entry: dict[str, Any] = {
            "id": str(index),
            "title": milestone.title,
            "type": "delivery",
            "dueDate": iso_day_start(milestone.due),
            "status": "met" if state == "accepted" else "scheduled",
        }
        accepted = contract.accepted_at[index - 1] if contract.accepted_at else None
        if accepted is not None:
            entry["dateMet"] = iso_instant(accepted)
        milestones.append(entry)
    signed = [s for s in contract.signatures if contract.role_of(s.party) is not None]
    result: dict[str, Any] = {
        "id": terms.id,
        "awardID": award_id,
        "title": terms.title,
        "description": terms.description,
        "status": CONTRACT_STATUS[contract.state],
        "value": value(terms.price),
        "milestones": milestones,
        "signatories": [parties.ref(s.party) for s in signed],
    }
    if contract.state != "awaiting-signatures" and signed:
        result["dateSigned"] = iso_instant(max(_signed_at(s) for s in signed))
    ours = sorted(
        (p for p in payments if p.contract == terms.id),
        key=lambda p: (p.date, p.reference),
    )
    if ours:
        tags.append("implementation")
        changed.extend(datetime.combine(p.date, time(), UTC).timestamp() for p in ours)
        result["implementation"] = {
            "transactions": [
                {
                    "id": p.reference,
                    "date": iso_day_start(p.date),
                    "value": value(p.amount),
                    "payer": parties.ref(p.payer, "payer"),
                    "payee": parties.ref(p.payee, "payee"),
                }
                for p in ours
            ]
        }
    return result
