"""Tool listings: what a listing holds, where a remote one came from, and who may change it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal, get_args
from urllib.parse import urlsplit

from commonsnode.errors import ConflictError, ForbiddenError, InvalidError
from commonsnode.publiccode import Listing as PubliccodeListing

ListingState = Literal["published", "withdrawn"]

MAX_NAME = 200
MAX_SHORT = 500
MAX_LONG = 20_000
MAX_TOKEN = 200
MAX_ITEMS = 200
MAX_PARTY = 300
MAX_PARTIES = 100
CreditRole = Literal["funder", "builder", "maintainer"]
CREDIT_ROLES: tuple[str, ...] = get_args(CreditRole)
# Forges whose repository paths are case-insensitive: one tool, one key, however it is typed.
_CASELESS_FORGES = frozenset({"github.com", "gitlab.com", "bitbucket.org", "codeberg.org"})


@dataclass(frozen=True, slots=True)
class ListingText:
    """A listing's texts in one language (BCP 47 tag); `long_description` is plain text."""

    language: str
    short_description: str
    long_description: str
    features: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DeclaredParty:
    """A funder, builder or maintainer as a listing names it: a name, and a URL when given."""

    role: CreditRole
    name: str
    iri: str | None = None


def declared_parties(
    funders: tuple[tuple[str | None, str | None], ...],
    builders: tuple[tuple[str | None, str | None], ...],
    maintainers: tuple[tuple[str | None, str | None], ...],
) -> tuple[DeclaredParty, ...]:
    """(name, url) pairs by role → the parties a listing declares, bounded, empty ones dropped."""
    parties: list[DeclaredParty] = []
    for role, pairs in (("funder", funders), ("builder", builders), ("maintainer", maintainers)):
        for name, url in pairs:
            iri = url.strip() if url and url.strip().startswith(("https://", "http://")) else None
            shown = (name or url or "").strip()[:MAX_PARTY]
            if shown and len(parties) < MAX_PARTIES and (iri is None or len(iri) <= 2048):
                parties.append(DeclaredParty(role, shown, iri))  # type: ignore[arg-type]
    return tuple(dict.fromkeys(parties))


@dataclass(frozen=True, slots=True)
class ListingFacts:
    """The part of a publiccode.yml listing that is searched, shown and federated."""

    name: str
    repository: str
    descriptions: tuple[ListingText, ...]
    license: str
    development_status: str
    software_type: str
    platforms: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    landing_url: str | None = None
    software_version: str | None = None
    release_date: str | None = None
    available_languages: tuple[str, ...] = ()
    maintenance_type: str | None = None
    used_by: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    # Who funded, built and maintains the tool, as the listing declares (credits derive from it).
    parties: tuple[DeclaredParty, ...] = ()

    def text(self, language: str | None = None) -> ListingText:
        """The texts in `language` when present, else English, else the first language given."""
        wanted = [language.lower()] if language else []
        for tag in (*wanted, "en"):
            found = next((d for d in self.descriptions if d.language.lower() == tag), None)
            if found is not None:
                return found
        found = next((d for d in self.descriptions if d.language.lower().startswith("en-")), None)
        return found or self.descriptions[0]


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a remote listing came from: its object IRI, author, node, and who brought it."""

    origin_iri: str
    author_iri: str
    node_host: str
    received_at: float
    via_iri: str


@dataclass(frozen=True, slots=True)
class ToolListing:
    """A listing as this node keeps it: local (`org_id`) or remote (`provenance`), never both."""

    id: str
    facts: ListingFacts
    state: ListingState
    published_at: float
    updated_at: float
    withdrawn_at: float | None = None
    org_id: str | None = None
    publiccode: str | None = None
    provenance: Provenance | None = None

    @property
    def is_local(self) -> bool:
        return self.org_id is not None

    @property
    def repository_key(self) -> str:
        return repository_key(self.facts.repository)


def repository_key(url: str) -> str:
    """The repository URL reduced to what names the tool: host and path, no scheme or `.git`.

    Listings of the same tool by several organisations share this key (one tool, many listings).
    """
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    path = parts.path.rstrip("/").removesuffix(".git").rstrip("/")
    if host in _CASELESS_FORGES:
        path = path.lower()
    return f"{host}{path}" if host else url.strip().lower()


def facts_from_publiccode(listing: PubliccodeListing) -> ListingFacts:
    """The searchable, federated facts of a checked publiccode.yml listing."""
    audience = listing.intended_audience
    return ListingFacts(
        name=listing.name,
        repository=listing.url,
        descriptions=tuple(
            ListingText(
                language=d.language,
                short_description=d.short_description.strip(),
                long_description=d.long_description.strip(),
                features=d.features,
            )
            for d in listing.descriptions
        ),
        license=listing.legal.license,
        development_status=listing.development_status,
        software_type=listing.software_type,
        platforms=listing.platforms,
        categories=listing.categories,
        landing_url=listing.landing_url,
        software_version=listing.software_version,
        release_date=None if listing.release_date is None else listing.release_date.isoformat(),
        available_languages=listing.localisation.available_languages,
        maintenance_type=listing.maintenance.type,
        used_by=listing.used_by,
        countries=() if audience is None else audience.countries,
        parties=declared_parties(
            tuple((f.name, f.uri) for f in listing.funded_by),
            ()
            if listing.organisation is None
            else ((listing.organisation.name, listing.organisation.uri),),
            tuple((c.name, c.website) for c in listing.maintenance.contractors),
        ),
    )


def check_remote_facts(facts: ListingFacts) -> ListingFacts:
    """Bounds for facts read from another server: required fields present, nothing oversized."""
    if not facts.name.strip() or len(facts.name) > MAX_NAME:
        raise InvalidError(f"name: required, at most {MAX_NAME} characters", field="name")
    if not facts.repository.startswith(("https://", "http://")) or len(facts.repository) > 2048:
        raise InvalidError("repository: required, an http(s) URL", field="repository")
    if not facts.descriptions:
        raise InvalidError("summary: a listing needs a description", field="summary")
    for text in facts.descriptions:
        if len(text.short_description) > MAX_SHORT or len(text.long_description) > MAX_LONG:
            raise InvalidError("description: too long", field="content")
    tokens = (facts.license, facts.development_status, facts.software_type)
    if not all(tokens) or any(len(token) > MAX_TOKEN for token in tokens):
        raise InvalidError(
            "license, developmentStatus and softwareType are required", field="license"
        )
    lists = (facts.platforms, facts.categories, facts.used_by, facts.available_languages)
    if any(len(items) > MAX_ITEMS for items in lists):
        raise InvalidError(f"at most {MAX_ITEMS} entries in a list", field="categories")
    return facts


def new_local_listing(
    listing_id: str, org_id: str, facts: ListingFacts, publiccode: str, now: float
) -> ToolListing:
    """A listing the organisation publishes on this node."""
    return ToolListing(
        id=listing_id,
        facts=facts,
        state="published",
        published_at=now,
        updated_at=now,
        org_id=org_id,
        publiccode=publiccode,
    )


def check_owner(listing: ToolListing, org_id: str) -> None:
    """Only the publishing organisation may change or withdraw a listing; remote ones, nobody."""
    if listing.org_id != org_id:
        raise ForbiddenError("only the organisation that published this listing may change it")


def check_changeable(listing: ToolListing, org_id: str) -> None:
    """The owner may change a published listing; a withdrawn one stays withdrawn (its IRI is
    gone for good on other nodes), so the tool is published again instead."""
    check_owner(listing, org_id)
    if listing.state != "published":
        raise ConflictError("this listing was withdrawn; publish the tool again instead")


def revise(
    listing: ToolListing, org_id: str, facts: ListingFacts, publiccode: str, now: float
) -> ToolListing:
    """The owner replaces the listing's document."""
    check_changeable(listing, org_id)
    return replace(listing, facts=facts, publiccode=publiccode, updated_at=now)


def withdraw(listing: ToolListing, org_id: str, now: float) -> ToolListing:
    """published → withdrawn, by the owner; withdrawing again changes nothing."""
    check_owner(listing, org_id)
    if listing.state == "withdrawn":
        return listing
    return replace(listing, state="withdrawn", withdrawn_at=now, updated_at=now)


def remote_listing(
    listing_id: str, facts: ListingFacts, provenance: Provenance, published_at: float
) -> ToolListing:
    """A listing another node's organisation published, kept with its provenance."""
    return ToolListing(
        id=listing_id,
        facts=check_remote_facts(facts),
        state="published",
        published_at=published_at,
        updated_at=provenance.received_at,
        provenance=provenance,
    )


def revise_remote(
    listing: ToolListing, actor: str, facts: ListingFacts, received_at: float, via: str
) -> ToolListing:
    """A remote listing changes only by its own author; the author never changes."""
    if listing.provenance is None or listing.provenance.author_iri != actor:
        raise ForbiddenError(f"{actor} is not the author of this listing")
    provenance = replace(listing.provenance, received_at=received_at, via_iri=via)
    return replace(
        listing, facts=check_remote_facts(facts), updated_at=received_at, provenance=provenance
    )


@dataclass(frozen=True, slots=True)
class ListingQuery:
    """A catalog search: a text filter and facets over local and remote published listings."""

    q: str | None = None
    category: str | None = None
    license: str | None = None
    development_status: str | None = None
    software_type: str | None = None
    platform: str | None = None
    origin: Literal["local", "remote"] | None = None
    limit: int = 20
    after: str | None = None
    country: str | None = None
    used_by_min: int | None = None
    privacy: str | None = None  # a grade letter, or "not-graded" (model.privacy_rubric)


FACETS = (
    "category",
    "license",
    "development_status",
    "software_type",
    "platform",
    "country",
    "origin",
    "used_by",
    "privacy",
)
# `used_by` is counted in these buckets: listings used by at least N organisations.
USED_BY_BUCKETS = (1, 5, 10)


@dataclass(frozen=True, slots=True)
class FacetCount:
    value: str
    count: int


@dataclass(frozen=True, slots=True)
class ListingPage:
    """One page of a search, with facet counts over the matched set.

    The matched set is bounded (the most recently indexed matches, see storage.search_index):
    `total` counts it and `exact` says whether it holds every match.
    """

    listings: tuple[ToolListing, ...]
    facets: dict[str, tuple[FacetCount, ...]]
    total: int
    exact: bool
    next_cursor: str | None = None


@dataclass(frozen=True, slots=True)
class Tool:
    """Every listing of one tool (one normalised repository URL), local and federated."""

    key: str
    listings: tuple[ToolListing, ...]


@dataclass(frozen=True, slots=True)
class ToolPage:
    """One page of tools (listings grouped by repository), ranked by their best listing."""

    tools: tuple[Tool, ...]
    facets: dict[str, tuple[FacetCount, ...]]
    total: int
    exact: bool
    next_cursor: str | None = None
