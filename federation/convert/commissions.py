"""Requests and bids ↔ ActivityStreams objects (vocabulary.md, "Commissions").

A request travels as an `Article` (its terms in our vocabulary's fields), a bid as a `Bid`
object with `inReplyTo` = the request. Reading one back builds the same body the JSON API
takes and hands it to the domain's own parsers, so a remote request or bid is checked by the
same rules as a local one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from commonsnode.errors import InvalidError
from commonsnode.model.bids import BidTerms, terms_to_json
from commonsnode.model.dates import iso_instant
from commonsnode.model.requests import Request
from federation.jsonld.shapes import id_of
from federation.vocab import AS_PUBLIC

REQUEST_TYPE = "Article"
BID_TYPE = "Bid"


def request_to_ap(request: Request, iri: str) -> dict[str, Any]:
    """The request as the recipients' nodes mirror it."""
    terms = request.terms
    return {
        "type": REQUEST_TYPE,
        "id": iri,
        "attributedTo": request.requester,
        "kind": terms.kind,
        "name": terms.title,
        "content": terms.description,
        "budget": {"min": terms.budget.min.to_json(), "max": terms.budget.max.to_json()},
        "deadline": iso_instant(terms.deadline),
        "criteria": terms.criteria.to_json(),
        "requirements": list(terms.requirements),
        "listing": terms.listing,
        "to": list(terms.recipients),
    }


def is_request(document: Mapping[str, Any]) -> bool:
    return document.get("type") == REQUEST_TYPE and "budget" in document


def request_body(document: Mapping[str, Any]) -> dict[str, Any]:
    """The API body a mirrored request is created from (checked by parse_request_terms)."""
    recipients = document.get("to", [])
    if isinstance(recipients, str):
        recipients = [recipients]
    if not isinstance(recipients, list):
        raise InvalidError("to: a list of actor IRIs", field="to")
    named = [r for r in (id_of(v) for v in recipients) if r]
    if AS_PUBLIC in named:
        named = []  # a public request (FEDERATION.md): nobody in particular is named
    source = document.get("source")
    # A public request's `content` is HTML for people; its plain description is in `source`.
    plain = source.get("content") if isinstance(source, dict) else None
    return {
        "kind": document.get("kind"),
        "title": document.get("name"),
        "description": plain if isinstance(plain, str) else document.get("content"),
        "budget": document.get("budget"),
        "deadline": document.get("deadline"),
        "criteria": document.get("criteria"),
        "requirements": document.get("requirements", []),
        "listing": document.get("listing"),
        "recipients": named,
    }


def bid_to_ap(iri: str, request_iri: str, bidder: str, terms: BidTerms) -> dict[str, Any]:
    """The bid as it goes to the requester (never public)."""
    return {
        "type": BID_TYPE,
        "id": iri,
        "attributedTo": bidder,
        "inReplyTo": request_iri,
        **terms_to_json(terms),
    }


def is_bid(document: Mapping[str, Any]) -> bool:
    return document.get("type") == BID_TYPE


def bid_body(document: Mapping[str, Any]) -> dict[str, Any]:
    """The API body of the bid (checked by parse_bid_terms on the requester's node)."""
    return {
        key: document.get(key)
        for key in ("price", "timeline_days", "approach", "milestones", "team")
        if key in document
    }
