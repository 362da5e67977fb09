"""A completed contract credits the listed tool: "commissioned by X" (funder), "built by Y"
(builder), with the contract as the source, in the transaction that completes it.

The contract names its listing by IRI (the same on every node); credits are kept per local
listing id, so the IRI is turned into the id this node stores the listing under: one of our own
listings by our IRI, a federated copy by its origin IRI. A contract about a listing this node
does not hold credits nothing here. A credit to one of our own listings is also written as a
CreditEvent, so the publisher tells every node that holds a copy (federation/credits.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from commonsnode.credit_events import CreditEvent
from commonsnode.errors import ConflictError
from commonsnode.ids import new_id
from commonsnode.model.contracts import Contract, completion_credit
from commonsnode.model.listings import ToolListing
from commonsnode.model.records import Credit, contract_credit
from commonsnode.ports import UnitOfWork


class ListingIris(Protocol):
    """How this node names its own listings (federation's LocalIris is one)."""

    def listing(self, listing_id: str) -> str: ...


@dataclass(frozen=True, slots=True)
class ContractOrigin:
    """Listing IRIs on the origin that made the contract: for a contract awarded here that is
    our own origin, so callers that do not pass this node's IRIs still credit correctly."""

    origin: str

    @classmethod
    def of(cls, contract: Contract) -> ContractOrigin:
        parts = urlsplit(contract.id)
        return cls(f"{parts.scheme}://{parts.netloc}")

    def listing(self, listing_id: str) -> str:
        return f"{self.origin}/listings/{listing_id}"


def own_listing_id(iris: ListingIris, iri: str) -> str | None:
    """The id `iri` names among this node's own listings, or None when it is another node's."""
    candidate = iri.rstrip("/").rsplit("/", 1)[-1]
    return candidate if candidate and iris.listing(candidate) == iri else None


def is_own_listing(iris: ListingIris, iri: str) -> bool:
    """Whether `iri` names one of this node's listings: a completion about it is announced
    to nobody (the credit is given here, in the completing transaction)."""
    return own_listing_id(iris, iri) is not None


async def listing_by_iri(tx: UnitOfWork, iris: ListingIris, iri: str) -> ToolListing | None:
    """The listing stored here under `iri`: ours by our IRI, or a remote one by its origin."""
    candidate = own_listing_id(iris, iri)
    if candidate is not None:
        listing = await tx.listings.get_by_id(candidate)
        if listing is not None and listing.provenance is None:
            return listing
    return await tx.listings.get_by_origin(iri)


async def credit_completed_contract(
    tx: UnitOfWork, iris: ListingIris | None, contract: Contract, now: float
) -> list[Credit]:
    """Add the contract's funder and builder credits to its listing; replaying adds nothing.

    `iris` names this node's listings (None: the contract's own origin, see ContractOrigin).
    Returns the credits added (none when the listing is not held or they were already there).
    """
    iris = iris or ContractOrigin.of(contract)
    line = completion_credit(contract)
    if line.listing is None:
        return []
    listing = await listing_by_iri(tx, iris, line.listing)
    if listing is None:
        return []
    return await credit_parties(tx, listing, contract, now)


async def credit_parties(
    tx: UnitOfWork, listing: ToolListing, contract: Contract, now: float
) -> list[Credit]:
    """Credit `contract`'s buyer (funder) and supplier (builder) on `listing`; replaying adds
    nothing. A new credit to a listing published here is queued, in this transaction, to be
    told to every node that holds a copy of it."""
    terms = contract.terms
    added = []
    for role, party in (("funder", terms.buyer), ("builder", terms.supplier)):
        credit = contract_credit(
            new_id(now), listing.id, role, party.name, party.id, contract.id, now
        )
        try:
            await tx.credits.add(credit)
        except ConflictError:
            continue
        added.append(credit)
    if added and listing.provenance is None:
        await tx.jobs.enqueue(CreditEvent.of(listing.id, contract, now).to_job())
    return added
