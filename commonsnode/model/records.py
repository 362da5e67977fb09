"""What the commons adds to a listing: who uses the tool (deployments), who supports it (support
offers) and who paid for and built it (credits).

Deployments and support offers are declared by the organisation itself (never by the listing's
publisher on its behalf): one per (organisation, listing), re-declaring replaces, withdrawing
deletes. A remote one keeps its provenance like a remote listing. Credits are derived from what a
listing declares (publiccode.yml `fundedBy`, `organisation`, `maintenance.contractors`) and, later,
from finished contracts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Generic, Literal, TypeVar

from commonsnode.errors import ConflictError, ForbiddenError, InvalidError
from commonsnode.model.listings import (
    CREDIT_ROLES,
    MAX_PARTY,
    CreditRole,
    DeclaredParty,
    Provenance,
    ToolListing,
)
from commonsnode.model.organisations import Organisation

RecordKind = Literal["deployment", "support"]
# What a support offer may cover: the services a government buys around an open-source tool.
SERVICES: tuple[str, ...] = (
    "hosting",
    "maintenance",
    "support",
    "training",
    "development",
    "consulting",
    "migration",
)
# Only these kinds of organisation sell services; a government's "offer" is not one.
OFFERING_KINDS: tuple[str, ...] = ("support-company", "developer")
CreditSource = Literal["publiccode", "contract"]

MAX_PURPOSE = 500
MAX_SCALE = 200
MAX_NOTES = 2000
MAX_PRICE = 500
MAX_URL = 2048
MAX_REGIONS = 100
MAX_LANGUAGES = 50
# `2021`, `2021-06` or `2021-06-15`: organisations often know only the year they started.
_SINCE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
# ISO 3166-1 alpha-2 (`IT`), ISO 3166-2 subdivision (`IT-RE`), or `EU` / `world` style regions.
_REGION = re.compile(r"^(?:[A-Z]{2}(?:-[A-Z0-9]{1,3})?|EU|WORLD)$")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")


@dataclass(frozen=True, slots=True)
class DeploymentTerms:
    """What an organisation says about its use of a tool: since when, for what, how much."""

    since: str
    purpose: str
    scale: str | None = None
    notes: str | None = None


@dataclass(frozen=True, slots=True)
class OfferTerms:
    """What a support offer covers: services, where, in which languages, how to ask."""

    services: tuple[str, ...]
    regions: tuple[str, ...]
    languages: tuple[str, ...] = ()
    contact_url: str | None = None
    price_hint: str | None = None


T = TypeVar("T", DeploymentTerms, OfferTerms)
# The same, for ports.ListingRecordRepository (a Protocol needs its own invariant TypeVar).
RecordT = TypeVar("RecordT", DeploymentTerms, OfferTerms)


@dataclass(frozen=True, slots=True)
class ListingRecord(Generic[T]):
    """A deployment or support offer about one listing, by one organisation.

    Local records name their organisation (`org_id`); remote ones carry `provenance` (its
    `author_iri` is the declaring organisation). `declarer_name` is the name shown.
    """

    id: str
    kind: RecordKind
    listing_id: str
    terms: T
    declarer_name: str
    declared_at: float
    updated_at: float
    org_id: str | None = None
    provenance: Provenance | None = None

    @property
    def is_local(self) -> bool:
        return self.org_id is not None


Deployment = ListingRecord[DeploymentTerms]
SupportOffer = ListingRecord[OfferTerms]


@dataclass(frozen=True, slots=True)
class Credit:
    """Who funded, built or maintains a tool, as one listing (or one contract) says.

    `party_iri` is an organisation's IRI (actor or website) when known; `party_name` is always
    there to show. `source` says where the credit comes from; `source_ref` names the contract.
    """

    id: str
    listing_id: str
    role: CreditRole
    party_name: str
    source: CreditSource
    created_at: float
    party_iri: str | None = None
    source_ref: str | None = None


def _text(value: object, name: str, limit: int, *, required: bool = False) -> str | None:
    if value is None or value == "":
        if required:
            raise InvalidError(f"{name}: required", field=name)
        return None
    if not isinstance(value, str):
        raise InvalidError(f"{name}: a text", field=name)
    cleaned = value.strip()
    if required and not cleaned:
        raise InvalidError(f"{name}: required", field=name)
    if len(cleaned) > limit:
        raise InvalidError(f"{name}: at most {limit} characters", field=name)
    return cleaned or None


def check_since(value: object, today: date) -> str:
    """A year, year-month or date, not in the future."""
    if not isinstance(value, str) or not _SINCE.fullmatch(value.strip()):
        raise InvalidError("since: a date (YYYY, YYYY-MM or YYYY-MM-DD)", field="since")
    since = value.strip()
    parts = [int(p) for p in since.split("-")]
    try:
        first = date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        raise InvalidError(f"since: {since} is not a date", field="since") from None
    if first > today or first.year < 1970:
        raise InvalidError("since: between 1970 and today", field="since")
    return since


def check_url(value: object, name: str) -> str | None:
    """An optional http(s) URL, bounded."""
    url = _text(value, name, MAX_URL)
    if url is not None and not url.startswith(("https://", "http://")):
        raise InvalidError(f"{name}: an http(s) URL", field=name)
    return url


def _list(value: object, name: str, limit: int) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise InvalidError(f"{name}: a list of texts", field=name)
    if len(value) > limit:
        raise InvalidError(f"{name}: at most {limit} entries", field=name)
    return [v.strip() for v in value if v.strip()]


def deployment_terms(
    since: object, purpose: object, today: date, scale: object = None, notes: object = None
) -> DeploymentTerms:
    """Checked terms of a deployment (from the API or from another node)."""
    return DeploymentTerms(
        since=check_since(since, today),
        purpose=_text(purpose, "purpose", MAX_PURPOSE, required=True) or "",
        scale=_text(scale, "scale", MAX_SCALE),
        notes=_text(notes, "notes", MAX_NOTES),
    )


def offer_terms(
    services: object,
    regions: object,
    languages: object = None,
    contact_url: object = None,
    price_hint: object = None,
) -> OfferTerms:
    """Checked terms of a support offer: known services, ISO regions, BCP 47 languages."""
    wanted = _list(services, "services", len(SERVICES))
    unknown = [s for s in wanted if s not in SERVICES]
    if not wanted or unknown:
        raise InvalidError(
            f"services: one or more of {', '.join(SERVICES)}"
            + (f" (not {', '.join(unknown)})" if unknown else ""),
            field="services",
        )
    where = [r.upper() for r in _list(regions, "regions", MAX_REGIONS)]
    bad = [r for r in where if not _REGION.fullmatch(r)]
    if not where or bad:
        raise InvalidError(
            "regions: ISO 3166 country or subdivision codes (IT, DE-BY), EU or WORLD"
            + (f" (not {', '.join(bad)})" if bad else ""),
            field="regions",
        )
    tongues = _list(languages, "languages", MAX_LANGUAGES)
    bad = [t for t in tongues if not _LANGUAGE.fullmatch(t)]
    if bad:
        raise InvalidError(f"languages: BCP 47 tags (not {', '.join(bad)})", field="languages")
    return OfferTerms(
        services=tuple(dict.fromkeys(wanted)),
        regions=tuple(dict.fromkeys(where)),
        languages=tuple(dict.fromkeys(tongues)),
        contact_url=check_url(contact_url, "contact_url"),
        price_hint=_text(price_hint, "price_hint", MAX_PRICE),
    )


def check_listing_open(listing: ToolListing) -> None:
    """Records are about listings that are still published: a withdrawn one takes no more."""
    if listing.state != "published":
        raise ConflictError("this listing was withdrawn; it takes no deployments or offers")


def check_may_offer(org: Organisation) -> None:
    """Only support companies and developers offer services."""
    if org.kind not in OFFERING_KINDS:
        raise ForbiddenError(
            f"only organisations of kind {' or '.join(OFFERING_KINDS)} may offer support; "
            f"{org.handle} is a {org.kind}"
        )


def declare(
    existing: ListingRecord[T] | None,
    record_id: str,
    kind: RecordKind,
    listing_id: str,
    terms: T,
    org: Organisation,
    now: float,
) -> ListingRecord[T]:
    """A local organisation's record; declaring again replaces the terms and keeps the id."""
    if existing is not None:
        return replace(existing, terms=terms, declarer_name=org.name, updated_at=now)
    return ListingRecord(
        id=record_id,
        kind=kind,
        listing_id=listing_id,
        terms=terms,
        declarer_name=org.name,
        declared_at=now,
        updated_at=now,
        org_id=org.id,
    )


def receive(
    existing: ListingRecord[T] | None,
    record_id: str,
    kind: RecordKind,
    listing_id: str,
    terms: T,
    declarer_name: str,
    provenance: Provenance,
    declared_at: float,
) -> ListingRecord[T]:
    """A remote organisation's record; only its author replaces it (one per author and listing)."""
    if existing is None:
        return ListingRecord(
            id=record_id,
            kind=kind,
            listing_id=listing_id,
            terms=terms,
            declarer_name=declarer_name,
            declared_at=declared_at,
            updated_at=provenance.received_at,
            provenance=provenance,
        )
    if existing.provenance is None or existing.provenance.author_iri != provenance.author_iri:
        raise ForbiddenError(f"{provenance.author_iri} is not the author of this {kind}")
    return replace(
        existing,
        terms=terms,
        declarer_name=declarer_name,
        updated_at=provenance.received_at,
        provenance=provenance,
    )


def declared_credits(
    listing: ToolListing, parties: tuple[DeclaredParty, ...], now: float, ids: list[str]
) -> list[Credit]:
    """The credits a listing declares (source `publiccode`), one id from `ids` each."""
    return [
        Credit(
            id=credit_id,
            listing_id=listing.id,
            role=party.role,
            party_name=party.name,
            party_iri=party.iri,
            source="publiccode",
            created_at=now,
        )
        for party, credit_id in zip(parties, ids, strict=False)
    ]


def contract_credit(
    credit_id: str,
    listing_id: str,
    role: str,
    party_name: str,
    party_iri: str | None,
    contract_iri: str,
    now: float,
) -> Credit:
    """A credit a finished contract earns (issue 6): the buyer funded, the supplier built."""
    if role not in CREDIT_ROLES:
        raise InvalidError(f"role: one of {', '.join(CREDIT_ROLES)}", field="role")
    name = _text(party_name, "party", MAX_PARTY, required=True) or ""
    return Credit(
        id=credit_id,
        listing_id=listing_id,
        role=role,  # type: ignore[arg-type]
        party_name=name,
        party_iri=check_url(party_iri, "party"),
        source="contract",
        source_ref=contract_iri,
        created_at=now,
    )
