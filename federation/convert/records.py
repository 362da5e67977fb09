"""Deployments and support offers ↔ a `Note` replying to the listing, signed by its author.

Mastodon shows the Note as a reply ("City of X uses Decidim since 2021 for participatory
budgeting"); our peers read the structured terms (`deploymentOf`, `since`, `purpose`, ... or
`supportOf`, `services`, `areaServed`, ...). The Note carries its own @context, so its FEP-8b32
proof verifies the same embedded in an activity or fetched alone.
"""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any

from commonsnode.errors import InvalidError
from commonsnode.model.records import (
    MAX_LANGUAGES,
    MAX_REGIONS,
    SERVICES,
    DeploymentTerms,
    ListingRecord,
    OfferTerms,
    RecordKind,
    deployment_terms,
    offer_terms,
)
from federation.convert.listings import iso
from federation.iris import LocalIris
from federation.jsonld.shapes import as_list, first, id_of, str_or_none
from federation.vocab import AS_PUBLIC, DEFAULT_CONTEXT

RECORD_TYPE = "Note"
# The term naming the listing, per kind: what tells a deployment from an offer.
LISTING_TERM: dict[RecordKind, str] = {"deployment": "deploymentOf", "support": "supportOf"}
PATHS: dict[RecordKind, str] = {"deployment": "deployments", "support": "support-offers"}


class RecordDocumentError(ValueError):
    """A Note we cannot read as a deployment or support offer; the message says why."""


def record_iri(iris: LocalIris, kind: RecordKind, record_id: str) -> str:
    """Our deployments live at `/deployments/{id}`, our offers at `/support-offers/{id}`."""
    return f"{iris.origin}/{PATHS[kind]}/{record_id}"


def _sentence(record: ListingRecord[Any], tool: str) -> str:
    terms = record.terms
    who = escape(record.declarer_name)
    if isinstance(terms, DeploymentTerms):
        text = f"{who} uses {escape(tool)} since {escape(terms.since)} for {escape(terms.purpose)}."
        if terms.scale:
            text += f" Scale: {escape(terms.scale)}."
        return f"<p>{text}</p>"
    text = (
        f"{who} offers {escape(', '.join(terms.services))} for {escape(tool)} "
        f"in {escape(', '.join(terms.regions))}"
    )
    if terms.languages:
        text += f" (languages: {escape(', '.join(terms.languages))})"
    text += "."
    if terms.contact_url:
        url = escape(terms.contact_url)
        text += f' <a href="{url}" rel="nofollow noopener noreferrer">{url}</a>'
    return f"<p>{text}</p>"


def _terms(terms: DeploymentTerms | OfferTerms) -> dict[str, Any]:
    if isinstance(terms, DeploymentTerms):
        values: dict[str, Any] = {
            "since": terms.since,
            "purpose": terms.purpose,
            "scale": terms.scale,
            "notes": terms.notes,
        }
    else:
        values = {
            "services": list(terms.services),
            "areaServed": list(terms.regions),
            "serviceLanguages": list(terms.languages),
            "contactUrl": terms.contact_url,
            "priceHint": terms.price_hint,
        }
    return {key: value for key, value in values.items() if value not in (None, [])}


def to_note(
    record: ListingRecord[Any],
    iris: LocalIris,
    handle: str,
    listing_iri: str,
    tool: str,
    listing_author: str | None,
) -> dict[str, Any]:
    """The Note of a local record, with @context (signed as it is, then embedded)."""
    iri = record_iri(iris, record.kind, record.id)
    cc = [iris.org_followers(handle)]
    if listing_author is not None and listing_author != iris.org(handle):
        cc.append(listing_author)
    note: dict[str, Any] = {
        "@context": DEFAULT_CONTEXT,
        "id": iri,
        "type": RECORD_TYPE,
        "attributedTo": iris.org(handle),
        "inReplyTo": listing_iri,
        "content": _sentence(record, tool),
        "mediaType": "text/html",
        "published": iso(record.declared_at),
        "to": [AS_PUBLIC],
        "cc": cc,
        LISTING_TERM[record.kind]: listing_iri,
        **_terms(record.terms),
    }
    if record.updated_at > record.declared_at:
        note["updated"] = iso(record.updated_at)
    return note


def record_tombstone(
    iris: LocalIris, kind: RecordKind, record_id: str, at: float
) -> dict[str, Any]:
    """The object of a withdrawn record's Delete."""
    return {
        "id": record_iri(iris, kind, record_id),
        "type": "Tombstone",
        "formerType": RECORD_TYPE,
        "deleted": iso(at),
    }


def kind_of_note(document: Any) -> RecordKind | None:
    """`deployment` or `support` for a Note carrying our terms; None for any other object."""
    if not isinstance(document, dict) or first(document.get("type")) != RECORD_TYPE:
        return None
    for kind, term in LISTING_TERM.items():
        if term in document:
            return kind
    return None


def is_deployment(document: Any) -> bool:
    return kind_of_note(document) == "deployment"


def is_support_offer(document: Any) -> bool:
    return kind_of_note(document) == "support"


def _strings(document: dict[str, Any], key: str, cap: int) -> list[str]:
    return [v for v in as_list(document.get(key), cap) if isinstance(v, str)]


def from_note(
    document: dict[str, Any], today: date
) -> tuple[RecordKind, str, DeploymentTerms | OfferTerms]:
    """(kind, listing IRI, checked terms) of a peer's record; RecordDocumentError otherwise."""
    kind = kind_of_note(document)
    if kind is None:
        raise RecordDocumentError("not a Note carrying a deployment or support offer")
    listing = id_of(first(document.get(LISTING_TERM[kind])))
    if listing is None or not listing.startswith(("https://", "http://")):
        raise RecordDocumentError(f"{LISTING_TERM[kind]}: the listing's IRI is required")
    try:
        if kind == "deployment":
            terms: DeploymentTerms | OfferTerms = deployment_terms(
                str_or_none(document.get("since")),
                str_or_none(document.get("purpose")),
                today,
                str_or_none(document.get("scale")),
                str_or_none(document.get("notes")),
            )
        else:
            terms = offer_terms(
                _strings(document, "services", len(SERVICES)),
                _strings(document, "areaServed", MAX_REGIONS),
                _strings(document, "serviceLanguages", MAX_LANGUAGES),
                id_of(first(document.get("contactUrl"))),
                str_or_none(document.get("priceHint")),
            )
    except InvalidError as exc:
        raise RecordDocumentError(exc.detail) from exc
    return kind, listing, terms
