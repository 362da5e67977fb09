"""Reading a contract document back into terms: storage keeps the document the parties signed,
and a node that is not the buyer's (the supplier's, later a federated one) receives only that.

`terms_from_document(document(terms))` gives terms whose document is byte-for-byte the same, so
proofs made over the original still verify over the stored copy.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from commonsnode.errors import InvalidError
from commonsnode.model.bids import Milestone
from commonsnode.model.contracts import (
    DOCUMENT_TYPE,
    DOCUMENT_VERSION,
    ContractTerms,
    Party,
    document,
)
from commonsnode.model.dates import parse_date, parse_instant
from commonsnode.model.money import parse_money
from commonsnode.model.requests import REQUEST_KINDS


def _party(value: object, field: str) -> Party:
    if not isinstance(value, Mapping):
        raise InvalidError(f"{field}: {{id, name}}", field=field)
    iri, name = value.get("id"), value.get("name")
    if not isinstance(iri, str) or not isinstance(name, str):
        raise InvalidError(f"{field}: id and name are strings", field=field)
    return Party(iri, name)


def _strings(value: object, field: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidError(f"{field}: a list of texts", field=field)
    return tuple(value)


def terms_from_document(doc: Mapping[str, Any]) -> ContractTerms:
    """The terms a contract document states; refuses a document that does not round-trip."""
    if doc.get("type") != DOCUMENT_TYPE or doc.get("version") != DOCUMENT_VERSION:
        raise InvalidError(f"not a {DOCUMENT_TYPE} version {DOCUMENT_VERSION} document")
    try:
        scope = doc["scope"]
        fee = doc["platformFee"]
        kind = scope["kind"]
        if kind not in REQUEST_KINDS:
            raise InvalidError("scope.kind: unknown kind", field="scope")
        milestones = tuple(
            Milestone(
                title=str(m["title"]),
                due=parse_date(m["due"], "milestones.due"),
                amount=parse_money(m["amount"], "milestones.amount"),
            )
            for m in doc["milestones"]
        )
        listing = scope.get("listing")
        terms = ContractTerms(
            id=str(doc["id"]),
            request=str(doc["request"]),
            bid=str(doc["bid"]),
            buyer=_party(doc["buyer"], "buyer"),
            supplier=_party(doc["supplier"], "supplier"),
            operator=_party(fee["operator"], "platformFee.operator"),
            kind=kind,
            title=str(scope["title"]),
            description=str(scope["description"]),
            approach=str(scope["approach"]),
            price=parse_money(doc["price"], "price"),
            milestones=milestones,
            fee_basis_points=int(fee["basisPoints"]),
            awarded_at=parse_instant(doc["awarded"], "awarded"),
            requirements=_strings(scope.get("requirements", []), "scope.requirements"),
            team=_strings(scope.get("team", []), "scope.team"),
            listing=str(listing) if listing is not None else None,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidError(f"contract document: missing or malformed {exc}") from None
    if document(terms) != {k: v for k, v in doc.items() if k != "proof"}:
        raise InvalidError("contract document: not in canonical form (it does not round-trip)")
    return terms
